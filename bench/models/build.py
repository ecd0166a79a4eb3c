"""The models under test, built from a `Case`, and their inputs."""

from __future__ import annotations

import torch
from torch import nn

from rnnbench.cases.case import CLASSIFIER_CLASSES, CLASSIFIER_DROPOUT, CLASSIFIER_VOCAB, Case
from rnnbench.models import impls, layout, precision

RNN_TYPES: dict[str, type[nn.RNNBase]] = {"lstm": nn.LSTM, "gru": nn.GRU}


class RNNClassifier(nn.Module):
    """Embedding -> dropout -> RNN -> [last forward h ; last backward h] -> dropout -> Linear."""

    def __init__(
        self,
        rnn_type: type[nn.RNNBase],
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
        self.rnn = rnn_type(
            embedding_dim,
            hidden_dim,
            num_layers=n_layers,
            bidirectional=bidirectional,
            batch_first=True,
            dropout=dropout if n_layers > 1 else 0.0,
        )
        self.fc = nn.Linear(hidden_dim * (2 if bidirectional else 1), output_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        embedded = self.dropout(self.embedding(tokens))
        _, state = self.rnn(embedded)
        hidden = state[0] if isinstance(state, tuple) else state  # LSTM returns (h, c)
        if self.rnn.bidirectional:
            last = torch.cat((hidden[-2], hidden[-1]), dim=1)
        else:
            last = hidden[-1]
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
    """A bare nn.LSTM / nn.GRU that returns only its output sequence (what backward flows into)."""

    def __init__(self, rnn: nn.RNNBase) -> None:
        super().__init__()
        self.rnn = rnn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.rnn(x)[0]


def build_model(case: Case, **classifier_args: float) -> nn.Module:
    """The module a case times: the fused model on the case's device and dtype, then turned into
    the case's implementation (`rnnbench.models.impls`) and wrapped in autocast when the dtype asks for it.
    Bare layers use no dropout. `classifier_args` (vocab_size, output_dim, dropout) scale the
    reference classifier down for the quality suite."""
    if case.model == "classifier":
        cls = LSTMClassifier if case.cell == "lstm" else GRUClassifier
        model: nn.Module = cls(
            embedding_dim=case.input_size,
            hidden_dim=case.hidden_size,
            n_layers=case.num_layers,
            bidirectional=case.bidirectional,
            **classifier_args,
        )
    else:
        rnn = RNN_TYPES[case.cell](
            case.input_size,
            case.hidden_size,
            num_layers=case.num_layers,
            bidirectional=case.bidirectional,
            batch_first=True,
        )
        packed = case.layout == "packed"
        model = layout.PackedOutput(rnn, layout.lengths(case.batch, case.seq_len)) if packed else LayerOutput(rnn)
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
