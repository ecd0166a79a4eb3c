"""The verdict: LSTM or GRU, here, at these shapes — computed from timed records of one input.

Per device and phase: how many shapes each cell wins (a ratio within ±5% of 1 is a tie, as in
the claims table), the median over shapes of the GRU/LSTM ratio of medians with a bootstrap 95%
CI over those shapes, and where the ratio crosses 1.0 along each swept axis. Each shape's ratio
carries the gate's bootstrap CI from the raw round times (`rnnbench.gate.significance.ratio_interval`).
Those are `rnnbench.reports.ratios` with GRU as the cell and LSTM as the reference.
Memory: the GRU/LSTM ratio of `peak_bytes` where the forward+backward records have it, else of
`saved_bytes`; the verdict names the measure it used. With several devices or implementations,
which (device, implementation, cell) is fastest per shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from rnnbench.cases.case import PHASES
from rnnbench.reports import ratios
from rnnbench.reports.claims import pairs
from rnnbench.reports.inputs import KEY
from rnnbench.reports.sweeps import SWEEPABLE, fixed_text
from rnnbench.reports.units import format_ratio_ci

MEMORY_PHASE = "forward_backward"


@dataclass(frozen=True)
class Verdict:
    """The verdict of one input: per-shape ratios, a line per (device, phase), memory and fastest."""

    input: str
    shapes: (
        pd.DataFrame
    )  # one row per (device, phase, shape): medians, ratio, ci_low, ci_high, noisy
    lines: (
        pd.DataFrame
    )  # one row per (device, phase): counts, median ratio and CI, crossovers, winner
    memory: str  # one sentence naming the measure used
    fastest: pd.DataFrame  # one row per (phase, shape) when several devices/implementations ran


def shape_ratios(ok: pd.DataFrame) -> pd.DataFrame:
    """GRU/LSTM ratio of medians per shape and phase (`claims.pairs`, so any other cell's median
    rides along), with the CI and noise flag of `ratios.shape_ratios` of GRU against LSTM."""
    timed = ok[ok["median_s"].notna()]
    spread = ratios.shape_ratios(timed[timed["cell"].isin(["lstm", "gru"])], "lstm")
    spread = spread[[*KEY, "phase", "ci_low", "ci_high", "noisy"]]
    parts = []
    for phase in [p for p in PHASES if p in set(ok["phase"])]:
        table = pairs(ok, "median_s", phase)
        if not table.empty:
            table = table.rename(columns={"lstm": "lstm_median_s", "gru": "gru_median_s"})
            parts.append(table.assign(phase=phase).merge(spread, on=[*KEY, "phase"], how="left"))
    if not parts:
        return pd.DataFrame(
            columns=[*KEY, "phase", "lstm_median_s", "gru_median_s", "ratio", "ci_low", "ci_high"]
        )
    return pd.concat(parts, ignore_index=True)


def summarize(shapes: pd.DataFrame) -> pd.DataFrame:
    """One line per (device, phase): which cell wins where, by how much, and where it flips
    (`ratios.summarize` of GRU against LSTM; a tie is any shape neither cell wins)."""
    if shapes.empty:
        return pd.DataFrame()
    lines = (
        ratios.summarize(shapes.assign(cell="gru"), "lstm")
        .drop(columns="cell")
        .rename(columns={"faster": "gru_faster", "slower": "lstm_faster"})
    )
    lines["ties"] = lines["shapes"] - lines["gru_faster"] - lines["lstm_faster"]
    winner = lines["median_ratio"].map(ratios.judge("GRU", "LSTM"))
    lines.insert(list(lines).index("ci_spans_one"), "faster", winner)
    return lines


def memory_sentence(ok: pd.DataFrame) -> str:
    """GRU/LSTM memory ratio over forward+backward shapes, naming `peak_bytes` or `saved_bytes`
    (peak where the records have it, e.g. only CUDA ones) and the devices it covers."""
    for measure in ("peak_bytes", "saved_bytes"):
        table = pairs(ok, measure, MEMORY_PHASE)
        table = table[table["lstm"].astype(float) > 0] if not table.empty else table
        if not table.empty:
            ratios = table["ratio"]
            spread = (
                f"{ratios.min():.3g}–{ratios.max():.3g}×" if ratios.nunique() > 1 else "every shape"
            )
            devices = ", ".join(dict.fromkeys(table["device_label"]))
            return (
                f"Memory ({measure}, forward+backward, {devices}): GRU/LSTM median {ratios.median():.3g}× "
                f"({spread}, {len(ratios)} shape{'s' if len(ratios) != 1 else ''})."
            )
    return "Memory: not measured (no forward+backward records of both cells)."


def fastest(ok: pd.DataFrame) -> pd.DataFrame:
    """Per phase and shape, the fastest (device, implementation, cell), when more than one of
    device or implementation ran; empty otherwise."""
    if ok["device_label"].nunique() < 2 and ok["impl"].nunique() < 2:
        return pd.DataFrame()
    shape = [key for key in KEY if key not in ("device_label", "impl")] + ["phase"]
    best = ok.loc[ok.groupby(shape, dropna=False)["median_s"].idxmin()]
    contenders = ok.groupby(shape, dropna=False)["median_s"].size().rename("contenders")
    best = best.join(contenders, on=shape)
    best = best[best["contenders"] > 1]
    best["fastest"] = best["device_label"] + " " + best["impl"] + " " + best["cell"].str.upper()
    return best[[*shape, "fastest", "median_s", "contenders"]].reset_index(drop=True)


def classifier_sentences(shapes: pd.DataFrame) -> list[str]:
    """Per phase, the GRU/LSTM ratio of each classifier shape (the seed's own models), with its CI:
    `Classifier, forward+backward: GRU/LSTM b=32 t=100 i=300 h=256 l=2 bi thr=1: 0.9× (0.85–0.95); ...`."""
    rows = (
        shapes[shapes["model"] == "classifier"].sort_values("threads")
        if "model" in shapes
        else shapes.iloc[:0]
    )
    sentences = []
    for phase, group in rows.groupby("phase", sort=False):
        parts = [
            f"{fixed_text({key: row[key] for key in SWEEPABLE})} "
            f"{format_ratio_ci(row['ratio'], row['ci_low'], row['ci_high'])}"
            for row in group.to_dict("records")
        ]
        sentences.append(
            f"Classifier, {str(phase).replace('_', '+')}: GRU/LSTM time at {'; '.join(parts)}."
        )
    return sentences


def line_texts(lines: pd.DataFrame) -> list[dict[str, Any]]:
    """The verdict lines as display text, for the page and the Markdown summary alike."""
    return [
        {
            "device": row["device_label"],
            "phase": row["phase"].replace("_", "+"),
            "faster": row["faster"],
            "unsure": row["ci_spans_one"] and row["faster"] != "tie",
            "ratio": format_ratio_ci(row["median_ratio"], row["ci_low"], row["ci_high"]),
            "counts": f"{row['gru_faster']} / {row['lstm_faster']} / {row['ties']} of {row['shapes']}",
            "crossovers": row["crossovers"],
        }
        for row in lines.to_dict("records")
    ]


def main_input(ok: pd.DataFrame) -> str:
    """The input with the most timed records, the last of those when several tie."""
    counts = ok["input"].value_counts(sort=False).reindex(list(dict.fromkeys(ok["input"])))
    return str(counts[counts == counts.max()].index[-1])


def verdict(ok: pd.DataFrame) -> Verdict | None:
    """The verdict of the input with the most timed records, the last of those when several tie
    (inputs keep the order they were given in: before, after); a gate's re-measurement file,
    holding only the flagged cases, is never picked over the full run."""
    if ok.empty:
        return None
    name = main_input(ok)
    rows = ok[ok["input"] == name]
    shapes = shape_ratios(rows)
    return Verdict(
        name,
        shapes,
        summarize(shapes),
        memory_sentence(rows),
        fastest(rows),
    )
