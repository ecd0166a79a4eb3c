"""Recurrent loops written out step by step, built from the weights of an nn.LSTM / nn.GRU.

Two ways to run one direction of one layer:
- `CellDirection`: an nn.LSTMCell / nn.GRUCell called once per time step (the `cell_loop` impl);
- `ProjectedDirection`: the input projection x @ W_ih^T + b_ih is computed for all time steps
  in one matrix product, and only the recurrent product h @ W_hh^T runs per step (the custom loop
  that `scripted` runs under TorchScript and `compiled_loop` under torch.compile).
`StackedLoop` stacks layers and directions the way nn.LSTM / nn.GRU do (batch first, reverse
direction from the last step, states ordered layer0-fwd, layer0-bwd, layer1-fwd, ...), and
`LoopRNN` gives it nn.LSTM / nn.GRU's call signature, so it replaces `model.rnn` in place.
"""

# No `from __future__ import annotations` here: TorchScript reads these annotations at runtime.
from typing import Final

import torch
from torch import Tensor, nn
from torch.nn import functional as F

CELL_TYPES: dict[str, type[nn.LSTMCell] | type[nn.GRUCell]] = {
    "lstm": nn.LSTMCell,
    "gru": nn.GRUCell,
}
WEIGHT_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def lstm_step(gates: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
    """One LSTM update from the summed gate pre-activations (PyTorch's order: i, f, g, o)."""
    i, f, g, o = gates.chunk(4, 1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def gru_step(gx: Tensor, gh: Tensor, h: Tensor) -> Tensor:
    """One GRU update from input and hidden projections (PyTorch's order: r, z, n)."""
    xr, xz, xn = gx.chunk(3, 1)
    hr, hz, hn = gh.chunk(3, 1)
    r = torch.sigmoid(xr + hr)
    z = torch.sigmoid(xz + hz)
    n = torch.tanh(xn + r * hn)
    return (1 - z) * n + z * h


class Direction(nn.Module):
    """One direction of one layer: `prepare` the whole input sequence, then `step` per time step."""

    lstm: Final[bool]
    reverse: Final[bool]

    def __init__(self, lstm: bool, reverse: bool) -> None:
        super().__init__()
        self.lstm, self.reverse = lstm, reverse

    def prepare(self, x: Tensor) -> Tensor:
        return x

    def step(self, x_t: Tensor, h: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
        raise NotImplementedError

    def forward(self, x: Tensor, h: Tensor, c: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        inputs = self.prepare(x)
        steps = x.size(1)
        outputs: list[Tensor] = []
        for step in range(steps):
            h, c = self.step(inputs[:, steps - 1 - step if self.reverse else step], h, c)
            outputs.append(h)
        if self.reverse:
            outputs.reverse()
        return torch.stack(outputs, 1), h, c


class ProjectedDirection(Direction):
    """The input projection x @ W_ih^T + b_ih for all steps in one product; h @ W_hh^T per step."""

    def __init__(self, weights: dict[str, Tensor], lstm: bool, reverse: bool) -> None:
        super().__init__(lstm, reverse)
        self.weight_ih = nn.Parameter(weights["weight_ih"].detach().clone())
        self.weight_hh = nn.Parameter(weights["weight_hh"].detach().clone())
        self.bias_ih = nn.Parameter(weights["bias_ih"].detach().clone())
        self.bias_hh = nn.Parameter(weights["bias_hh"].detach().clone())

    def prepare(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight_ih, self.bias_ih)  # (batch, time, gates*hidden)

    def step(self, x_t: Tensor, h: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
        gh = F.linear(h, self.weight_hh, self.bias_hh)
        if self.lstm:
            return lstm_step(x_t + gh, c)
        return gru_step(x_t, gh, h), c


class CellDirection(Direction):
    """An nn.LSTMCell / nn.GRUCell called at every time step."""

    def __init__(self, weights: dict[str, Tensor], lstm: bool, reverse: bool) -> None:
        super().__init__(lstm, reverse)
        hidden, inputs = weights["weight_hh"].shape[1], weights["weight_ih"].shape[1]
        cell = CELL_TYPES["lstm" if lstm else "gru"](
            inputs, hidden, device=weights["weight_ih"].device
        )
        with torch.no_grad():
            for name in WEIGHT_NAMES:
                getattr(cell, name).copy_(weights[name])
        self.cell = cell.to(weights["weight_ih"].dtype)

    def step(self, x_t: Tensor, h: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
        if self.lstm:
            return self.cell(x_t, (h, c))
        return self.cell(x_t, h), c


class StackedLoop(nn.Module):
    """Layers x directions of loop modules; returns (output, h_n, c_n) like nn.LSTM's parts."""

    dropout: Final[float]

    def __init__(self, layers: list[list[nn.Module]], hidden_size: int, dropout: float) -> None:
        super().__init__()
        self.layers = nn.ModuleList(nn.ModuleList(directions) for directions in layers)
        self.hidden_size = hidden_size
        self.dropout = dropout

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        zeros = x.new_zeros(x.size(0), self.hidden_size)
        hs: list[Tensor] = []
        cs: list[Tensor] = []
        for index, layer in enumerate(self.layers):
            if index > 0 and self.dropout > 0.0:
                x = F.dropout(x, self.dropout, self.training)
            outputs: list[Tensor] = []
            for direction in layer:
                out, h, c = direction(x, zeros, zeros)
                outputs.append(out)
                hs.append(h)
                cs.append(c)
            x = torch.cat(outputs, 2)
        return x, torch.stack(hs), torch.stack(cs)


def direction_weights(rnn: nn.RNNBase, layer: int, reverse: bool) -> dict[str, Tensor]:
    """The four tensors of one layer and direction of a fused module."""
    suffix = f"_l{layer}" + ("_reverse" if reverse else "")
    return {name: getattr(rnn, name + suffix) for name in WEIGHT_NAMES}


def stack_from(rnn: nn.RNNBase, direction: type[nn.Module]) -> StackedLoop:
    """A `StackedLoop` of `direction` modules holding copies of `rnn`'s weights."""
    if not (rnn.batch_first and rnn.bias) or rnn.proj_size:
        raise ValueError("loop implementations need batch_first=True, bias=True and no proj_size")
    lstm = isinstance(rnn, nn.LSTM)
    reverses = [False, True] if rnn.bidirectional else [False]
    layers = [
        [direction(direction_weights(rnn, layer, reverse), lstm, reverse) for reverse in reverses]
        for layer in range(rnn.num_layers)
    ]
    return StackedLoop(layers, rnn.hidden_size, float(rnn.dropout))


class LoopRNN(nn.Module):
    """A loop with nn.LSTM / nn.GRU's call: (output, (h_n, c_n)) for LSTM, (output, h_n) for GRU."""

    def __init__(self, rnn: nn.RNNBase, core: nn.Module) -> None:
        super().__init__()
        self.core = core
        self.lstm = isinstance(rnn, nn.LSTM)
        self.bidirectional = rnn.bidirectional
        self.num_layers = rnn.num_layers
        self.hidden_size = rnn.hidden_size

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor | tuple[Tensor, Tensor]]:
        output, h, c = self.core(x)
        return output, ((h, c) if self.lstm else h)
