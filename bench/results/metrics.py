"""The quality metrics a record can carry, and one scale to compare them on.

`accuracy` (share correct: higher is better, 1 is perfect) and `mse` (mean squared error: lower is
better, 0 is perfect). Skill rescales either so the task's baseline (chance accuracy, or the MSE
of always answering the mean) is 0 and a perfect score is 1: training rules and reports that must
treat both metrics alike work in skill.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

PERFECT = {"accuracy": 1.0, "mse": 0.0}


def skill(values: Sequence[float] | np.ndarray, metric: str, baseline: float) -> np.ndarray:
    """`values` of `metric` as skill: 0 at `baseline`, 1 at a perfect score."""
    return (np.asarray(values, dtype=float) - baseline) / (PERFECT[metric] - baseline)


def reached(value: float, metric: str, target: float) -> bool:
    """Whether a score meets its target: at least it for accuracy, at most it for MSE."""
    return value >= target if metric == "accuracy" else value <= target
