"""Seeded training tasks with oracles for the quality suites (`rnnbench.measurement.quality` trains on them).

Every task draws its batches from a `torch.Generator`, so a seed fixes the data, and has an oracle
(the rule that made the targets) that scores perfectly: a model's score sits between the task's
`baseline` (chance, or the error of a constant answer) and the oracle's.

- `recall`: `seq_len` tokens; the first is one of `classes` keys, the rest are `distractors` other
  tokens; the label is the first token. The model must carry it across seq_len - 1 steps.
- `adding` (Hochreiter & Schmidhuber 1997): each step feeds (value ~ U(0, 1), marker); two steps
  are marked, one in each half of the sequence; the target is the sum of the two marked values.
  Regression, scored by MSE; always answering 1 (the mean) scores Var = 1/6 ≈ 0.167.
- `sentiment`: a seed-like review at a reduced vocabulary: `sentiment_words` polar words
  (4 positive, 4 negative ids) among noise words, each negated with probability 1/2 by a "not"
  token right before it; decoy "not"s precede noise words. The label is the sign of the sum of
  the polarities, so word order matters: a bag of words cannot tell "not good, bad" (negative)
  from "good, not bad" (positive).

`recall` and `sentiment` run through the seed's classifier (embedding -> RNN -> last hidden ->
Linear); `adding` through a bare layer (input_size 2) with a Linear read-out of its last output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from rnnbench.cases.case import Case
from rnnbench.cases.quality_settings import NEGATIVE, NOISE, NOT, POSITIVE
from rnnbench.models import build as models

if TYPE_CHECKING:
    from rnnbench.cases.quality_settings import QualitySettings

POLAR_WORDS = 4
ADDING_FEATURES = 2


class Task(Protocol):
    """What the trainer needs from a task."""

    metric: str  # "accuracy" (higher is better) or "mse" (lower is better)

    def batch(
        self, gen: torch.Generator, size: int, seq_len: int, settings: QualitySettings
    ) -> tuple[Tensor, Tensor]:
        """Inputs and targets of `size` sequences."""
        ...

    def oracle(self, inputs: Tensor, settings: QualitySettings) -> Tensor:
        """Predictions of the rule that made the targets."""
        ...

    def baseline(self, settings: QualitySettings) -> float:
        """Chance accuracy, or the MSE of always answering the mean."""
        ...

    def build(self, case: Case, settings: QualitySettings) -> nn.Module:
        """The model a case trains on this task (output: logits or values)."""
        ...


class Classification:
    """Shared parts of the token-classification tasks: seed classifier, cross-entropy, accuracy."""

    metric = "accuracy"

    def vocab(self, settings: QualitySettings) -> int:
        raise NotImplementedError

    def classes(self, settings: QualitySettings) -> int:
        raise NotImplementedError

    def baseline(self, settings: QualitySettings) -> float:
        return 1 / self.classes(settings)

    def build(self, case: Case, settings: QualitySettings) -> nn.Module:
        return models.build_model(
            case,
            vocab_size=self.vocab(settings),
            output_dim=self.classes(settings),
            dropout=settings.dropout,
        )


class Recall(Classification):
    """Recall the first token after seq_len - 1 distractors."""

    def vocab(self, settings: QualitySettings) -> int:
        return settings.classes + settings.distractors

    def classes(self, settings: QualitySettings) -> int:
        return settings.classes

    def batch(
        self, gen: torch.Generator, size: int, seq_len: int, settings: QualitySettings
    ) -> tuple[Tensor, Tensor]:
        labels = torch.randint(0, settings.classes, (size,), generator=gen)
        tokens = torch.randint(
            settings.classes, self.vocab(settings), (size, seq_len), generator=gen
        )
        tokens[:, 0] = labels
        return tokens, labels

    def oracle(self, inputs: Tensor, settings: QualitySettings) -> Tensor:
        return inputs[:, 0]


class Sentiment(Classification):
    """Sign of the summed polarity of a few (possibly negated) polar words among noise."""

    def vocab(self, settings: QualitySettings) -> int:
        return settings.vocab

    def classes(self, settings: QualitySettings) -> int:
        return 2

    def batch(
        self, gen: torch.Generator, size: int, seq_len: int, settings: QualitySettings
    ) -> tuple[Tensor, Tensor]:
        words = settings.sentiment_words
        if seq_len < 2 * words + 3:
            raise ValueError(
                f"seq_len {seq_len} is too short for {words} sentiment words (needs {2 * words + 3})"
            )
        tokens = torch.randint(NOISE, settings.vocab, (size, seq_len), generator=gen)
        # Polar words sit at odd positions, so the even slot before each is free for its "not".
        slots = torch.rand(size, (seq_len - 1) // 2, generator=gen).argsort(1)
        where, decoy = (
            2 * slots[:, :words] + 1,
            2 * slots[:, words],
        )  # the decoy precedes a noise word
        positive = torch.rand(size, words, generator=gen) < 0.5
        word = torch.randint(0, POLAR_WORDS, (size, words), generator=gen) + torch.where(
            positive, POSITIVE, NEGATIVE
        )
        negated = torch.rand(size, words, generator=gen) < 0.5
        rows = torch.arange(size)[:, None]
        tokens[rows, decoy[:, None]] = NOT
        tokens[rows, where] = word
        tokens[rows, where - 1] = torch.where(negated, NOT, tokens[rows, where - 1])
        return tokens, self.oracle(tokens, settings)

    def oracle(self, inputs: Tensor, settings: QualitySettings) -> Tensor:
        polarity = ((inputs >= POSITIVE) & (inputs < NEGATIVE)).long() - (
            (inputs >= NEGATIVE) & (inputs < NOISE)
        ).long()
        before = F.pad(inputs[:, :-1], (1, 0))
        return ((polarity * torch.where(before == NOT, -1, 1)).sum(1) > 0).long()


class Regressor(nn.Module):
    """A bare RNN layer read out by a Linear on its last output step."""

    def __init__(self, layer: nn.Module, width: int) -> None:
        super().__init__()
        self.layer = layer
        self.head = nn.Linear(width, 1)

    @property
    def rnn(self) -> nn.Module | None:
        """The layer's nn.LSTM / nn.GRU (None for loop implementations), as `models.rnn_of` expects."""
        return getattr(self.layer, "rnn", None)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.layer(x)[:, -1]).squeeze(-1)


class Adding:
    """The adding problem: the sum of the two marked values."""

    metric = "mse"

    def batch(
        self, gen: torch.Generator, size: int, seq_len: int, settings: QualitySettings
    ) -> tuple[Tensor, Tensor]:
        if seq_len < 2:
            raise ValueError(f"seq_len {seq_len} is too short for the adding problem (needs 2)")
        values = torch.rand(size, seq_len, generator=gen)
        half = seq_len // 2
        first = torch.randint(0, half, (size,), generator=gen)
        second = torch.randint(half, seq_len, (size,), generator=gen)
        marks = torch.zeros(size, seq_len)
        rows = torch.arange(size)
        marks[rows, first] = 1.0
        marks[rows, second] = 1.0
        inputs = torch.stack((values, marks), dim=-1)
        return inputs, self.oracle(inputs, settings)

    def oracle(self, inputs: Tensor, settings: QualitySettings) -> Tensor:
        return (inputs[..., 0] * inputs[..., 1]).sum(1)

    def baseline(self, settings: QualitySettings) -> float:
        return 1 / 6

    def build(self, case: Case, settings: QualitySettings) -> nn.Module:
        return Regressor(models.build_model(case), case.hidden_size * case.directions)


TASKS: dict[str, Task] = {"recall": Recall(), "adding": Adding(), "sentiment": Sentiment()}


def predict(task: Task, output: Tensor) -> Tensor:
    """A model's answer: the class of the largest logit, or the value itself."""
    return output.argmax(1) if task.metric == "accuracy" else output.float()


def loss(task: Task, output: Tensor, targets: Tensor) -> Tensor:
    """Cross-entropy for classification, MSE for regression."""
    if task.metric == "accuracy":
        return F.cross_entropy(output.float(), targets)
    return F.mse_loss(output.float(), targets)


def score(task: Task, predictions: Tensor, targets: Tensor) -> float:
    """Accuracy (share correct) or MSE of `predictions`."""
    predictions, targets = predictions.cpu(), targets.cpu()
    if task.metric == "accuracy":
        return float((predictions == targets).float().mean())
    return float(((predictions - targets) ** 2).mean())
