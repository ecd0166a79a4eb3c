"""The accuracy table, from stored `train_quality` records (reads records only, never trains)."""

from __future__ import annotations

import pandas as pd

from rnnbench.cases.case import QUALITY_PHASE, SHAPE_AXES

SHAPE = ["cell", *SHAPE_AXES, "device"]
COLUMNS = [
    "accuracy", "accuracy_mean", "accuracy_std", "seeds", "chance", "target_accuracy",
    "reached_target", "steps_to_target", "time_to_target_s", "params", "run_id",
]  # fmt: skip


def accuracy_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per trained shape (latest run wins): accuracy as "mean ± std" and its parts.

    `frame` is `rnnbench.results.store.load_frame(...)`; rows of other phases are ignored, so a frame with
    no quality records gives an empty table (a report then says "not measured").
    """
    rows = frame[(frame["phase"] == QUALITY_PHASE) & (frame["status"] == "ok")]
    if rows.empty:
        return pd.DataFrame(columns=SHAPE + COLUMNS)
    latest = rows.sort_values("run_id").drop_duplicates(SHAPE, keep="last").copy()
    latest["accuracy"] = [f"{m:.3f} ± {s:.3f}" for m, s in zip(latest["accuracy_mean"], latest["accuracy_std"])]
    return latest[SHAPE + COLUMNS].sort_values(["seq_len", "cell"]).reset_index(drop=True)
