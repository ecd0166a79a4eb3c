"""The quality suite: train scaled-down reference classifiers on a seeded task that needs memory.

Task "recall-first": a sequence of `seq_len` tokens whose first token is one of `classes` key
tokens (uniform) and whose other tokens are distractors drawn uniformly from `distractors` other
tokens; the label is the first token. The classifier reads the sequence left to right and
classifies from its last hidden state, so it must carry the first token across seq_len - 1
distractors: a model that sees only the last tokens, or an untrained one, scores at chance
(1 / classes). (A bidirectional model's backward direction ends on the first token, which makes
the task easy: the shipped quality suite uses unidirectional models.)

Each seed trains a fresh model (torch seed = seed) on fresh batches from
`torch.Generator().manual_seed(seed)` with Adam, and evaluates every `eval_every` steps on one
held-out set of `eval_size` sequences drawn with seed EVAL_SEED. Time to target counts training
steps only (evaluations excluded).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn import functional as F

from rnnbench.cases.case import Case
from rnnbench.errors import UserError
from rnnbench.models import build as models

TASK = "recall-first"
EVAL_SEED = 10_000


@dataclass(frozen=True)
class QualitySettings:
    """The `[quality]` table of a suite: task, training budget and target."""

    seeds: int = 3
    steps: int = 1000
    eval_every: int = 50
    eval_size: int = 1000
    target_accuracy: float = 0.95
    learning_rate: float = 0.01
    classes: int = 4
    distractors: int = 4
    dropout: float = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            kind = int if f.type == "int" else (int, float)
            if isinstance(value, bool) or not isinstance(value, kind):
                raise UserError(f"{f.name}: must be a number ({f.type}), got {value!r}")
            low = 2 if f.name == "classes" else 1
            if f.type == "int" and value < low:
                raise UserError(f"{f.name}: must be at least {low}, got {value!r}")
        for name in ("target_accuracy", "learning_rate"):
            if not 0 < getattr(self, name) <= 1:
                raise UserError(f"{name}: must be in (0, 1], got {getattr(self, name)!r}")
        if not 0 <= self.dropout < 1:
            raise UserError(f"dropout: must be in [0, 1), got {self.dropout!r}")

    @property
    def chance(self) -> float:
        return 1 / self.classes


@dataclass(frozen=True)
class Run:
    """One seed's training: final accuracy and when (if ever) it reached the target."""

    accuracy: float
    steps_to_target: int | None
    time_to_target_s: float | None
    train_s: float


def batch(gen: torch.Generator, size: int, seq_len: int, settings: QualitySettings) -> tuple[Tensor, Tensor]:
    """Token ids (size, seq_len) and labels: the first token is the label, the rest distractors."""
    labels = torch.randint(0, settings.classes, (size,), generator=gen)
    vocab = settings.classes + settings.distractors
    tokens = torch.randint(settings.classes, vocab, (size, seq_len), generator=gen)
    tokens[:, 0] = labels
    return tokens, labels


def build(case: Case, settings: QualitySettings) -> nn.Module:
    """The scaled-down classifier of `case` for the task's vocabulary and classes."""
    return models.build_model(
        case, vocab_size=settings.classes + settings.distractors, output_dim=settings.classes, dropout=settings.dropout
    )


def accuracy(model: nn.Module, tokens: Tensor, labels: Tensor, window: int | None = None) -> float:
    """Share of correct predictions; `window` feeds only the last `window` tokens."""
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        logits = model(tokens[:, -window:] if window else tokens)
    model.train(was_training)
    return float((logits.argmax(1).cpu() == labels).float().mean())


def train(case: Case, settings: QualitySettings, seed: int, window: int | None = None) -> Run:
    """Train one seed of `case` (on the last `window` tokens only, if given)."""
    torch.manual_seed(seed)
    model = build(case, settings)
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.learning_rate)
    gen = torch.Generator().manual_seed(seed)
    eval_tokens, eval_labels = batch(torch.Generator().manual_seed(EVAL_SEED), settings.eval_size, case.seq_len, settings)
    eval_tokens = eval_tokens.to(case.device)
    reached: tuple[int, float] | None = None
    train_s = 0.0
    model.train()
    for step in range(1, settings.steps + 1):
        tokens, labels = batch(gen, case.batch, case.seq_len, settings)
        tokens, labels = tokens.to(case.device), labels.to(case.device)
        start = time.perf_counter()
        loss = F.cross_entropy(model(tokens[:, -window:] if window else tokens).float(), labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if case.device == "cuda":
            torch.cuda.synchronize()
        train_s += time.perf_counter() - start
        if reached is None and step % settings.eval_every == 0:
            if accuracy(model, eval_tokens, eval_labels, window) >= settings.target_accuracy:
                reached = (step, train_s)
    return Run(
        accuracy=accuracy(model, eval_tokens, eval_labels, window),
        steps_to_target=reached[0] if reached else None,
        time_to_target_s=reached[1] if reached else None,
        train_s=train_s,
    )


def measure(case: Case, settings: QualitySettings) -> tuple[list[float], dict[str, Any]]:
    """Train every seed: per-seed training seconds, and the quality measures (bench/schema.py)."""
    runs = [train(case, settings, seed) for seed in range(settings.seeds)]
    accuracies = np.array([run.accuracy for run in runs])
    hits = [run for run in runs if run.steps_to_target is not None]
    return [run.train_s for run in runs], {
        "params": sum(p.numel() for p in build(case, settings).parameters()),
        "task": TASK,
        "seeds": settings.seeds,
        "steps": settings.steps,
        "chance": settings.chance,
        "target_accuracy": settings.target_accuracy,
        "accuracies": accuracies.tolist(),
        "accuracy_mean": float(accuracies.mean()),
        "accuracy_std": float(accuracies.std(ddof=1)) if len(runs) > 1 else 0.0,
        "reached_target": len(hits),
        "steps_to_target": float(np.median([r.steps_to_target for r in hits])) if hits else None,
        "time_to_target_s": float(np.median([r.time_to_target_s for r in hits])) if hits else None,
    }
