"""The `[quality]` table of a suite, checked: what `train_quality` cases train on and for how long.

Torch-free, so loading and listing a suite (`rnnbench cases`) never imports torch; the training
itself is `rnnbench.measurement.quality`, the tasks `rnnbench.measurement.tasks`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from rnnbench.errors import UserError

if TYPE_CHECKING:
    from rnnbench.measurement.tasks import Task

NOT = 1  # sentiment token ids: 0 unused, 1 "not", 2-5 positive, 6-9 negative, the rest noise
POSITIVE, NEGATIVE, NOISE = 2, 6, 10
POSITIVE_FLOATS = ("target_accuracy", "target_mse", "learning_rate")


@dataclass(frozen=True)
class QualitySettings:
    """The `[quality]` table of a suite: training budget, stopping rule, targets and task sizes."""

    seeds: int = 3
    steps: int = 1000
    eval_every: int = 50
    eval_size: int = 1000
    target_accuracy: float = 0.95
    target_mse: float = 0.01
    patience: int = 3
    min_delta: float = 0.005
    learning_rate: float = 0.003
    classes: int = 4
    distractors: int = 4
    vocab: int = 64
    sentiment_words: int = 3
    dropout: float = 0.0

    def __post_init__(self) -> None:
        lowest = {"classes": 2, "patience": 0, "vocab": NOISE + 1}
        for f in fields(self):
            value = getattr(self, f.name)
            kind = int if f.type == "int" else (int, float)
            if isinstance(value, bool) or not isinstance(value, kind):
                raise UserError(f"{f.name}: must be a number ({f.type}), got {value!r}")
            low = lowest.get(f.name, 1)
            if f.type == "int" and value < low:
                raise UserError(f"{f.name}: must be at least {low}, got {value!r}")
        for name in POSITIVE_FLOATS:
            if not 0 < getattr(self, name) <= 1:
                raise UserError(f"{name}: must be in (0, 1], got {getattr(self, name)!r}")
        if not 0 <= self.dropout < 1:
            raise UserError(f"dropout: must be in [0, 1), got {self.dropout!r}")
        if not 0 <= self.min_delta < 1:
            raise UserError(f"min_delta: must be in [0, 1), got {self.min_delta!r}")
        if self.sentiment_words % 2 == 0:
            raise UserError(
                f"sentiment_words: must be odd (an even count can tie), got {self.sentiment_words!r}"
            )

    def target(self, task: Task) -> float:
        return self.target_accuracy if task.metric == "accuracy" else self.target_mse
