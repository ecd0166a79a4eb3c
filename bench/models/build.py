"""The models under test, built from a `Case`, and their inputs."""

from __future__ import annotations

from typing import TypedDict, Unpack

import torch
from torch import nn

from rnnbench.cases.case import CLASSIFIER_CLASSES, CLASSIFIER_DROPOUT, CLASSIFIER_VOCAB, Case
from rnnbench.models import impls, layout, precision, user_cell

RNN_TYPES: dict[str, type[nn.LSTM] | type[nn.GRU]] = {"lstm": nn.LSTM, "gru": nn.GRU}


class ClassifierArgs(TypedDict, total=False):
    """`build_model`'s keywords that scale the reference classifier (the quality suite's)."""

    vocab_size: int
    output_dim: int
    dropout: float


class RNNClassifier(nn.Module):
    """Embedding -> dropout -> RNN -> [last forward h ; last backward h] -> dropout -> Linear.

    `rnn_type` is nn.LSTM, nn.GRU or a user cell (rnnbench.models.user_cell.RecurrentCell). A user
    cell is built by the cell contract (no dropout argument) and read from its output sequence:
    the forward half at the last step, the backward half at the first, which is what nn.LSTM's
    last-layer h holds for unpadded input."""

    def __init__(
        self,
        rnn_type: type[nn.RNNBase] | user_cell.RecurrentCell,
        vocab_size: int = CLASSIFIER_VOCAB,
        embedding_dim: int = 300,
        hidden_dim: int = 256,
        output_dim: int = CLASSIFIER_CLASSES,
        n_layers: int = 2,
        bidirectional: bool = True,
        dropout: float = CLASSIFIER_DROPOUT,
    ) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.bidirectional, self.hidden_dim = bidirectional, hidden_dim
        fused = next((t for t in RNN_TYPES.values() if t == rnn_type), None)
        self.user_cell = fused is None
        self.rnn: nn.Module
        if fused is not None:
            self.rnn = fused(
                embedding_dim,
                hidden_dim,
                num_layers=n_layers,
                bidirectional=bidirectional,
                batch_first=True,
                dropout=dropout if n_layers > 1 else 0.0,
            )
        else:
            self.rnn = user_cell.construct(
                rnn_type, embedding_dim, hidden_dim, n_layers, bidirectional
            )
        self.fc = nn.Linear(hidden_dim * (2 if bidirectional else 1), output_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        embedded = self.dropout(self.embedding(tokens))
        if self.user_cell:  # read its output sequence
            out = user_cell.output_of(self.rnn(embedded))
            last = out[:, -1, : self.hidden_dim]
            if self.bidirectional:
                last = torch.cat((last, out[:, 0, self.hidden_dim :]), dim=1)
            return self.fc(self.dropout(last))
        _, state = self.rnn(embedded)
        hidden = state[0] if isinstance(state, tuple) else state  # LSTM returns (h, c)
        last = torch.cat((hidden[-2], hidden[-1]), dim=1) if self.rnn.bidirectional else hidden[-1]
        return self.fc(self.dropout(last))


class LSTMClassifier(RNNClassifier):
    """The reference LSTM classifier of the project brief."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(nn.LSTM, **kwargs)  # type: ignore[arg-type]


class GRUClassifier(RNNClassifier):
    """The reference GRU classifier of the project brief."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(nn.GRU, **kwargs)  # type: ignore[arg-type]


class LayerOutput(nn.Module):
    """A bare nn.LSTM / nn.GRU or user cell that returns only its output sequence (what backward flows into)."""

    def __init__(self, rnn: nn.Module) -> None:
        super().__init__()
        self.rnn = rnn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return user_cell.output_of(self.rnn(x))


def build_model(case: Case, **classifier_args: Unpack[ClassifierArgs]) -> nn.Module:
    """The module a case times: the fused model on the case's device and dtype, then turned into
    the case's implementation (`rnnbench.models.impls`) and wrapped in autocast when the dtype asks for it.
    Bare layers use no dropout. `classifier_args` (vocab_size, output_dim, dropout) scale the
    reference classifier down for the quality suite."""
    if case.model == "classifier":
        cell = user_cell.load(case.cell_ref) if case.cell_ref else RNN_TYPES[case.cell]
        model: nn.Module = RNNClassifier(
            cell,
            embedding_dim=case.input_size,
            hidden_dim=case.hidden_size,
            n_layers=case.num_layers,
            bidirectional=case.bidirectional,
            **classifier_args,
        )
    elif case.cell_ref is not None:
        model = LayerOutput(user_cell.build(case))
    else:
        rnn = RNN_TYPES[case.cell](
            case.input_size,
            case.hidden_size,
            num_layers=case.num_layers,
            bidirectional=case.bidirectional,
            batch_first=True,
        )
        packed = case.layout == "packed"
        model = (
            layout.PackedOutput(rnn, layout.lengths(case.batch, case.seq_len))
            if packed
            else LayerOutput(rnn)
        )
    model = model.to(device=case.device, dtype=precision.storage_dtype(case.dtype))
    return impls.apply(precision.wrap(model, case.dtype, case.device), case.impl)


def build_input(case: Case, generator: torch.Generator | None = None) -> torch.Tensor:
    """A seeded batch: token ids for the classifier, features for a bare layer."""
    gen = generator or torch.Generator().manual_seed(0)
    if case.model == "classifier":
        tokens = torch.randint(0, CLASSIFIER_VOCAB, (case.batch, case.seq_len), generator=gen)
        return tokens.to(case.device)
    x = torch.randn(case.batch, case.seq_len, case.input_size, generator=gen)
    return x.to(device=case.device, dtype=precision.storage_dtype(case.dtype))


def rnn_of(model: nn.Module) -> nn.RNNBase:
    """The recurrent layer inside a built model."""
    rnn = getattr(model, "rnn", None)
    if not isinstance(rnn, nn.RNNBase):
        raise TypeError(f"{type(model).__name__} has no .rnn recurrent layer")
    return rnn
