"""minGRU and minLSTM ("Were RNNs All We Needed?", Feng et al., 2024, arXiv 2410.01201), from the paper's equations.

Both drop the previous hidden state from their gates, so each step is the linear recurrence
h_t = a_t ⊙ h_{t-1} + b_t with a_t, b_t computed from x_t alone:
- minGRU: z_t = σ(W_z x_t), h̃_t = g(W_h x_t); a_t = 1 − z_t, b_t = z_t ⊙ h̃_t;
- minLSTM: f_t = σ(W_f x_t), i_t = σ(W_i x_t), h̃_t = g(W_h x_t), normalised f'_t = f_t / (f_t + i_t),
  i'_t = i_t / (f_t + i_t); a_t = f'_t, b_t = i'_t ⊙ h̃_t.
g(x) = x + 0.5 for x ≥ 0, σ(x) otherwise (the paper's log-space variant: h̃ > 0, so its log exists).

`mode="parallel"` solves the recurrence for all steps at once in log space:
log h_t = A_t + logcumsumexp_k(log b_k − A_k) with A_t = Σ_{j≤t} log a_j (`torch.logcumsumexp`);
`mode="sequential"` runs the same recurrence step by step. The initial state is zero, as in nn.GRU.
The modules follow the cell contract (constructed like nn.LSTM; forward (batch, seq, input) →
(batch, seq, hidden × directions)) and are registered as `rnnbench.cells` entry points.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

MODES = ("parallel", "sequential")


def g(x: Tensor) -> Tensor:
    """The paper's positive activation for the candidate state: x + 0.5 (x ≥ 0), σ(x) (x < 0)."""
    return torch.where(x >= 0, x + 0.5, torch.sigmoid(x))


def log_g(x: Tensor) -> Tensor:
    """log g(x), computed without forming g(x) for negative x (log σ(x) = −softplus(−x))."""
    return torch.where(x >= 0, torch.log(F.relu(x) + 0.5), -F.softplus(-x))


def parallel_scan(log_a: Tensor, log_b: Tensor) -> Tensor:
    """h_t = a_t h_{t-1} + b_t from h_0 = 0, over dim 1, for all t at once from log a and log b."""
    prefix = torch.cumsum(log_a, dim=1)
    return torch.exp(prefix + torch.logcumsumexp(log_b - prefix, dim=1))


def sequential_scan(log_a: Tensor, log_b: Tensor) -> Tensor:
    """The same recurrence, one step at a time (what a traditional RNN does)."""
    a, b = torch.exp(log_a), torch.exp(log_b)
    h = torch.zeros_like(b[:, 0])
    steps = []
    for t in range(b.size(1)):
        h = a[:, t] * h + b[:, t]
        steps.append(h)
    return torch.stack(steps, dim=1)


SCANS = {"parallel": parallel_scan, "sequential": sequential_scan}


def mingru_coefficients(projected: Tensor) -> tuple[Tensor, Tensor]:
    """minGRU's (log a, log b) from [k, h] = W x: log(1 − z) = −softplus(k), log z = −softplus(−k)."""
    k, h = projected.chunk(2, dim=-1)
    return -F.softplus(k), -F.softplus(-k) + log_g(h)


def minlstm_coefficients(projected: Tensor) -> tuple[Tensor, Tensor]:
    """minLSTM's (log a, log b) from [k_f, k_i, h] = W x: with d = softplus(−k_f) − softplus(−k_i),
    log f' = −softplus(d) and log i' = −softplus(−d) (f' + i' = 1)."""
    k_f, k_i, h = projected.chunk(3, dim=-1)
    diff = F.softplus(-k_f) - F.softplus(-k_i)
    return -F.softplus(diff), -F.softplus(-diff) + log_g(h)


Coefficients = Callable[[Tensor], tuple[Tensor, Tensor]]
BLOCKS: dict[Coefficients, int] = {
    mingru_coefficients: 2,
    minlstm_coefficients: 3,
}  # hidden-sized blocks in the projection


class MinDirection(nn.Module):
    """One direction of one layer: a single input projection into the gates, then the scan."""

    def __init__(self, input_size: int, hidden_size: int, coefficients: Coefficients) -> None:
        super().__init__()
        self.coefficients = coefficients
        self.proj = nn.Linear(input_size, BLOCKS[coefficients] * hidden_size)

    def forward(self, x: Tensor, mode: str) -> Tensor:
        return SCANS[mode](*self.coefficients(self.proj(x)))


class MinRNN(nn.Module):
    """A stack of minimal-RNN layers with nn.LSTM's constructor and output layout."""

    coefficients: Coefficients
    default_mode = "parallel"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bidirectional: bool = False,
        batch_first: bool = True,
        mode: str | None = None,
    ) -> None:
        super().__init__()
        self.mode = mode or self.default_mode
        if self.mode not in MODES:
            raise ValueError(f"mode: expected one of {', '.join(MODES)}, got {self.mode!r}")
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.batch_first = batch_first
        directions = 2 if bidirectional else 1
        sizes = [input_size] + [hidden_size * directions] * (num_layers - 1)
        self.layers = nn.ModuleList(
            nn.ModuleList(
                MinDirection(size, hidden_size, type(self).coefficients) for _ in range(directions)
            )
            for size in sizes
        )

    def forward(self, x: Tensor) -> Tensor:
        """(batch, seq, input) → (batch, seq, hidden × directions); (seq, batch, ...) without batch_first."""
        out = x if self.batch_first else x.transpose(0, 1)
        for layer in self.layers:
            forward, *backward = layer.children()
            outs = [forward(out, self.mode)] + [b(out.flip(1), self.mode).flip(1) for b in backward]
            out = outs[0] if len(outs) == 1 else torch.cat(outs, dim=-1)
        return out if self.batch_first else out.transpose(0, 1)


class MinGRU(MinRNN):
    """minGRU, parallel (log-space scan) by default."""

    coefficients = staticmethod(mingru_coefficients)


class MinLSTM(MinRNN):
    """minLSTM, parallel (log-space scan) by default."""

    coefficients = staticmethod(minlstm_coefficients)


class MinGRUSequential(MinGRU):
    """minGRU run step by step (entry point `mingru-seq`)."""

    default_mode = "sequential"


class MinLSTMSequential(MinLSTM):
    """minLSTM run step by step (entry point `minlstm-seq`)."""

    default_mode = "sequential"
