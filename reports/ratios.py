"""Each cell's time against a reference cell, per shape and per (device, phase): the one core of
the two-cell verdict (`verdict`: GRU against LSTM) and the N-cell one (`cells_verdict`).

Per shape: the cell/reference ratio of medians with the gate's bootstrap CI from the raw round
times (`rnnbench.gate.significance.ratio_interval`). Per device, phase and cell: the median ratio
over shapes with a bootstrap 95% CI over those shapes, how many shapes the cell is faster, slower
or tied (±5%, as in the claims table) on, and where the winner flips along each swept axis.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from rnnbench.gate import significance
from rnnbench.reports.claims import TIE
from rnnbench.reports.inputs import KEY
from rnnbench.reports.style import label_value
from rnnbench.reports.sweeps import SWEEPABLE, best_slice

CONFIDENCE = 0.95
ROUND = ["device_label", "phase"]  # one line per device and phase (and cell)


def shape_ratios(ok: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Each cell's median over the reference's median per shape and phase, with the bootstrap CI."""
    rows = ok.drop_duplicates([*KEY, "phase", "cell"], keep="last").set_index([*KEY, "phase"])
    base = rows[rows["cell"] == reference]
    parts = []
    for cell, mine in rows[rows["cell"] != reference].groupby("cell", sort=False):
        both = mine.join(base[["median_s", "times_s", "noisy"]].add_suffix("_ref"), how="inner")
        if both.empty:
            continue
        intervals = [
            significance.ratio_interval(np.asarray(a, float), np.asarray(b, float))
            for a, b in zip(both["times_s_ref"], both["times_s"])
        ]
        parts.append(
            pd.DataFrame(
                {
                    "cell": cell,
                    "median_s": both["median_s"].to_numpy(float),
                    "reference_median_s": both["median_s_ref"].to_numpy(float),
                    "ratio": both["median_s"].to_numpy(float)
                    / both["median_s_ref"].to_numpy(float),
                    "ci_low": [low for low, _ in intervals],
                    "ci_high": [high for _, high in intervals],
                    "noisy": both["noisy"].fillna(False).to_numpy(bool)
                    | both["noisy_ref"].fillna(False).to_numpy(bool),
                },
                index=both.index,
            ).reset_index()
        )
    if not parts:
        return pd.DataFrame(
            columns=[
                *KEY,
                "phase",
                "cell",
                "median_s",
                "reference_median_s",
                "ratio",
                "ci_low",
                "ci_high",
                "noisy",
            ]
        )
    return pd.concat(parts, ignore_index=True)


def median_interval(ratios: pd.Series) -> tuple[float, float]:
    """Bootstrap 95% CI of the median over shapes (percentile, seeded); NaN below three shapes."""
    values = ratios.to_numpy(float)
    if len(values) < 3 or np.ptp(values) == 0:
        return (float("nan"), float("nan")) if len(values) < 3 else (values[0], values[0])
    result = stats.bootstrap(
        (values,),
        np.median,
        n_resamples=significance.RESAMPLES,
        method="percentile",
        confidence_level=CONFIDENCE,
        rng=np.random.default_rng(significance.SEED),
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def judge(cell: str, reference: str) -> Callable[[float], str]:
    """Which side a cell/reference ratio falls on: `cell`, `reference` or `tie` (±5%)."""
    return lambda ratio: cell if ratio < 1 - TIE else reference if ratio > 1 + TIE else "tie"


def crossovers(
    rows: pd.DataFrame, column: str = "ratio", *, judge: Callable[[Any], str]
) -> list[str]:
    """`hidden_size 128→256`: where the winner (`judge` of `column`) flips along each swept axis
    (ties skipped)."""
    found = []
    for axis in SWEEPABLE:
        picked = best_slice(rows, [axis])
        if picked is None:
            continue
        line = picked[0].sort_values(axis)
        sides = [
            (value, judge(v)) for value, v in zip(line[axis], line[column]) if judge(v) != "tie"
        ]
        flips = [
            f"{label_value(before)}→{label_value(after)}"
            for (before, a), (after, b) in itertools.pairwise(sides)
            if a != b
        ]
        if flips:
            found.append(f"{axis} {', '.join(flips)}")
    return found


def summarize(shapes: pd.DataFrame, reference: str) -> pd.DataFrame:
    """One line per (device, phase, cell): shapes faster/slower/tied, median ratio with its CI, flips."""
    lines = []
    for (device, phase, cell), rows in shapes.groupby([*ROUND, "cell"], sort=False):
        low, high = median_interval(rows["ratio"])
        median = float(rows["ratio"].median())
        flips = crossovers(rows, judge=judge(str(cell), reference))
        lines.append(
            {
                "device_label": device,
                "phase": phase,
                "cell": cell,
                "shapes": len(rows),
                "faster": int((rows["ratio"] < 1 - TIE).sum()),
                "slower": int((rows["ratio"] > 1 + TIE).sum()),
                "ties": int(((rows["ratio"] - 1).abs() <= TIE).sum()),
                "median_ratio": median,
                "ci_low": low,
                "ci_high": high,
                "ci_spans_one": bool(low <= 1 <= high),
                "crossovers": "; ".join(flips) or "none",
            }
        )
    return pd.DataFrame(lines)
