"""Sweeps in the records: which axis varies while the others stay fixed, and how to name the rest.

A sweep needs an axis that varies while the others stay fixed: `best_slice` picks the slice of
the grid (all other axes fixed) where the swept axes take the most values. Inputs and devices
are never fixed: each becomes its own series, so a GPU run shows CPU and CUDA.
"""

from __future__ import annotations

import pandas as pd

from rnnbench.reports.inputs import KEY

SWEEPABLE = (
    "batch",
    "seq_len",
    "input_size",
    "hidden_size",
    "num_layers",
    "bidirectional",
    "threads",
)
LABELS = {
    "seq_len": "sequence length (steps)",
    "batch": "batch size",
    "hidden_size": "hidden size",
    "input_size": "input size",
    "num_layers": "layers",
    "bidirectional": "directions",
    "threads": "CPU threads",
}
SHORT = {
    "batch": "b",
    "seq_len": "t",
    "input_size": "i",
    "hidden_size": "h",
    "num_layers": "l",
    "threads": "thr",
}
SERIES = ("input", "device_label")  # one line each in sweep plots


def fixed_text(fixed: dict[str, object]) -> str:
    """`b=8 t=32 l=1 uni cpu`: the axes a plot holds fixed (one input's label left out)."""
    parts = []
    for key, value in fixed.items():
        if key in SHORT:
            parts.append(f"{SHORT[key]}={value}")
        elif key == "bidirectional":
            parts.append("bi" if value else "uni")
        elif key in ("device_label", "dtype", "model"):
            parts.append(str(value))
    return " ".join(parts)


def best_slice(
    rows: pd.DataFrame, swept: list[str]
) -> tuple[pd.DataFrame, dict[str, object]] | None:
    """Rows of the slice (all other shape axes fixed) where `swept` take the most distinct values (>= 2)."""
    if rows.empty:
        return None
    others = [key for key in KEY if key not in (*swept, *SERIES)]
    counts = rows.groupby(others)[swept].apply(lambda g: len(g.drop_duplicates()))
    if counts.empty or counts.max() < 2:
        return None
    best = counts.idxmax()
    assert isinstance(best, tuple)  # grouped by several axes: a MultiIndex
    fixed = dict(zip(others, best))
    mask = pd.concat([rows[key] == value for key, value in fixed.items()], axis=1).all(axis=1)
    return rows[mask], fixed


def swept_axes(rows: pd.DataFrame) -> list[str]:
    """The axes that take two or more values in some slice of `rows`."""
    return [axis for axis in SWEEPABLE if best_slice(rows, [axis]) is not None]
