"""The accuracy table, from stored `train_quality` records (reads records only, never trains).

One row per trained configuration (task, cell, forget-gate bias, size matching, shape; the latest
run wins): the final metric as mean ± std over seeds, how many seeds reached the target, and the
median steps and training seconds to reach it. Records written before tasks existed (recall only,
accuracy measures `accuracies`, `chance`, `target_accuracy`) read as task recall.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from rnnbench.cases.case import QUALITY_AXES, QUALITY_PHASE, SHAPE_AXES
from rnnbench.results.metrics import skill

NOT_MEASURED = "not measured"
ACCURACY_TIE = 0.05  # "comparable": mean skills within 5 points of the baseline-to-perfect range

SHAPE = ["cell", *QUALITY_AXES, *SHAPE_AXES, "device"]
PAIRED = [
    axis for axis in SHAPE if axis not in ("cell", "forget_bias", "match")
]  # GRU vs LSTM configs
COLUMNS = [
    "config",
    "metric",
    "final",
    "metric_mean",
    "metric_std",
    "seeds",
    "baseline",
    "target",
    "reached_target",
    "steps_to_target",
    "time_to_target_s",
    "params",
    "trained_hidden_size",
    "machine",
    "run_id",
]
OLD_NAMES = {
    "metric_values": "accuracies",
    "metric_mean": "accuracy_mean",
    "metric_std": "accuracy_std",
    "baseline": "chance",
    "target": "target_accuracy",
}


def config(row: pd.Series) -> str:
    """`LSTM`, `LSTM fb=1`, `GRU =params`: the cell and how it was initialised or sized."""
    parts = [str(row["cell"]).upper()]
    if pd.notna(row["forget_bias"]):
        parts.append(f"fb={row['forget_bias']:g}")
    if row["match"] == "params":
        parts.append(f"=params (h{int(row['trained_hidden_size'])})")
    return " ".join(parts)


def quality_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The ok `train_quality` rows of a `load_frame` frame, old records read in today's terms."""
    if "phase" not in frame:
        return pd.DataFrame(columns=[*SHAPE, *COLUMNS, "metric_values", "curves"])
    rows = frame[(frame["phase"] == QUALITY_PHASE) & (frame["status"] == "ok")].copy()
    needed = [*SHAPE, *COLUMNS, *OLD_NAMES, *OLD_NAMES.values(), "curves"]
    rows = rows.reindex(
        columns=list(dict.fromkeys([*rows.columns, *needed]))
    )  # absent measures read as missing
    old = rows["metric"].isna()
    for new, previous in OLD_NAMES.items():
        if previous in rows:
            rows[new] = [
                then if is_old else now for now, then, is_old in zip(rows[new], rows[previous], old)
            ]
    rows.loc[old, "metric"] = "accuracy"
    rows["task"] = (
        rows["task"].astype(object).replace({"recall-first": "recall"}).fillna("recall")
    )  # measures.task of old records
    rows["match"] = rows["match"].astype(object).fillna("hidden")
    rows["trained_hidden_size"] = rows["trained_hidden_size"].fillna(rows["hidden_size"])
    rows["config"] = rows.apply(config, axis=1) if not rows.empty else pd.Series(dtype=str)
    return rows


def accuracy_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per trained configuration: final metric "mean ± std" over seeds and its parts.

    `frame` is `rnnbench.results.store.load_frame(...)`; rows of other phases are ignored, so a
    frame with no quality records gives an empty table (a report then says "not measured").
    """
    rows = quality_rows(frame)
    if rows.empty:
        return pd.DataFrame(columns=SHAPE + COLUMNS)
    latest = rows.sort_values("run_id").drop_duplicates(SHAPE, keep="last").copy()
    latest["final"] = [
        f"{m:.3f} ± {s:.3f}" if metric == "accuracy" else f"{m:.3g} ± {s:.2g}"
        for m, s, metric in zip(latest["metric_mean"], latest["metric_std"], latest["metric"])
    ]
    latest["reached_target"] = [
        f"{int(n)}/{int(s)}" for n, s in zip(latest["reached_target"], latest["seeds"])
    ]
    order = latest.assign(fb=latest["forget_bias"].fillna(-np.inf))
    order = order.sort_values(
        ["task", "seq_len", "cell", "match", "fb"], ascending=[True, True, False, True, True]
    )
    return order[SHAPE + COLUMNS].reset_index(drop=True)


def accuracy_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The accuracy summary's columns a reader compares (the report's accuracy section)."""
    shown = [
        "task",
        "seq_len",
        "config",
        "metric",
        "final",
        "baseline",
        "target",
        "reached_target",
        "steps_to_target",
        "time_to_target_s",
        "params",
        "machine",
    ]
    return accuracy_summary(frame)[shown]


def welch_p(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided Welch t-test p-value; equal constant samples give 1, unequal ones 0."""
    if a.std() == 0 and b.std() == 0:
        return 1.0 if a.mean() == b.mean() else 0.0
    with (
        warnings.catch_warnings()
    ):  # near-constant samples (every seed at 1.0) warn of precision loss
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(stats.ttest_ind(a, b, equal_var=False).pvalue)


def accuracy_pairs(frame: pd.DataFrame) -> pd.DataFrame:
    """Every GRU configuration against every LSTM configuration trained on the same task and shape.

    `difference` is GRU's mean skill minus LSTM's (skill: 0 = baseline, 1 = perfect), `p` the
    Welch t-test of the per-seed skills, `comparable` whether the means are within ACCURACY_TIE.
    """
    rows = quality_rows(frame)
    if rows.empty:
        return pd.DataFrame()
    rows = rows.sort_values("run_id").drop_duplicates(SHAPE, keep="last")
    pairs = []
    for key, shape in rows.groupby(PAIRED, dropna=False):
        for _, gru in shape[shape["cell"] == "gru"].iterrows():
            for _, lstm in shape[shape["cell"] == "lstm"].iterrows():
                a = skill(gru["metric_values"], gru["metric"], gru["baseline"])
                b = skill(lstm["metric_values"], lstm["metric"], lstm["baseline"])
                pairs.append(
                    {
                        **dict(zip(PAIRED, key)),
                        "gru": gru["config"],
                        "lstm": lstm["config"],
                        "metric": gru["metric"],
                        "gru_mean": gru["metric_mean"],
                        "gru_std": gru["metric_std"],
                        "lstm_mean": lstm["metric_mean"],
                        "lstm_std": lstm["metric_std"],
                        "seeds": min(len(a), len(b)),
                        "difference": float(a.mean() - b.mean()),
                        "p": welch_p(a, b),
                    }
                )
    table = pd.DataFrame(pairs)
    if not table.empty:
        table["comparable"] = table["difference"].abs() <= ACCURACY_TIE
    return table


def accuracy_row(measured: pd.DataFrame) -> tuple[str, str]:
    """(measured, verdict) of "accuracy is comparable" from the quality records in `measured`."""
    table = accuracy_pairs(measured)
    if table.empty:
        return f"{NOT_MEASURED} (run the quality suite: rnnbench run --suite quality)", NOT_MEASURED
    summary = accuracy_summary(measured)
    shown = [
        f"{task} T={seq_len} ({rows['metric'].iloc[0]}): "
        + ", ".join(f"{r.config} {r.final}" for r in rows.itertuples())
        for (task, seq_len), rows in summary.groupby(["task", "seq_len"], sort=False)
    ]
    measured_text = (
        f"final held-out metric, mean ± std over {table['seeds'].min()}+ seeds: "
        + "; ".join(shown)
        + f". Comparable = mean skill within {ACCURACY_TIE:g} (skill: 0 = baseline, 1 = perfect); Welch t-test per pair"
    )
    holds = table["comparable"]
    if holds.all():
        return measured_text, "confirmed"
    if not holds.any():
        return measured_text, "refuted"
    no = "; ".join(
        f"{r.task} T={r.seq_len} {r.gru} vs {r.lstm} (skill {r.difference:+.2f}, p={r.p:.2g})"
        for r in table[~holds].itertuples()
    )
    return (
        measured_text,
        f"depends: comparable on {int(holds.sum())} of {len(holds)} pairs; not on {no}",
    )
