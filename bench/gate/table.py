"""Print a `Comparison` for people: a table per case, a loud banner when machines differ.

Presentation only: every decision was made in rnnbench.gate.compare / rnnbench.gate.significance.
"""

from __future__ import annotations

import math

import pandas as pd

from rnnbench.gate import counts_delta, single_run
from rnnbench.gate.compare import Comparison

BANNER_WIDTH = 78


def foreign_banner(differences: list[str]) -> str:
    """A box that cannot be missed: these numbers come from different machines."""
    lines = [
        "FOREIGN COMPARISON (--allow-foreign): baseline and current ran on different machines.",
        "Differences in timing are NOT evidence about the code. Differing facts:",
    ]
    lines += [f"  {difference}" for difference in differences]
    bar = "!" * BANNER_WIDTH
    return "\n".join([bar, *(f"!! {line}" for line in lines), bar])


def _ms(value: float) -> str:
    return (
        ""
        if value is None or (isinstance(value, float) and math.isnan(value))
        else f"{value * 1e3:.4g}"
    )


def _minstr(value: float) -> str:
    return (
        ""
        if value is None or (isinstance(value, float) and math.isnan(value))
        else f"{value / 1e6:.6g}"
    )


def table(comparison: Comparison) -> str:
    """The per-case table: medians (or the chosen quantile, ms), ratio with its 95% CI, p, threshold, mark."""
    frame = comparison.frame()
    if frame.empty:
        return "(no cases to compare)"
    shown = pd.DataFrame({"case": frame["id"].str.ljust(frame["id"].str.len().max())})
    if "machine" in frame:  # cases measured on several machines: one row per case and machine
        shown["machine"] = frame["machine"].str[:8]
    if "ratio" in frame:
        quantile = frame["quantile"].dropna().iloc[0]
        label = "median" if quantile == 0.5 else f"p{quantile * 100:g}"
        unit, scale = ("M instr", _minstr) if comparison.metric == "instructions" else ("ms", _ms)
        label = "median" if comparison.metric == "instructions" else label
        shown[f"base {label} {unit}"] = frame["baseline_s"].map(scale)
        shown[f"now {label} {unit}"] = frame["current_s"].map(scale)
        shown["ratio"] = frame["ratio"].map(lambda v: "" if pd.isna(v) else f"{v:.3f}")
        shown["95% CI"] = [
            "" if pd.isna(low) else f"[{low:.3f}, {high:.3f}]"
            for low, high in zip(frame["ci_low"], frame["ci_high"])
        ]
        shown["p"] = frame["p_value"].map(lambda v: "" if pd.isna(v) else f"{v:.2g}")
        shown["test"] = [
            f"{method} ({runs} runs)" if method.startswith("drift") else method
            for method, runs in zip(frame["method"].fillna(""), frame["runs"].fillna(0).astype(int))
        ]
        shown["limit"] = frame["threshold"].map(lambda v: "" if pd.isna(v) else f"{v:.0%}")
    shown["mark"] = frame["mark"]
    shown["note"] = frame["note"]
    return shown.to_string(index=False, justify="left")


def summary(comparison: Comparison, allow_missing: bool = False) -> str:
    """One line: counts per mark and whether the gate passes."""
    marks = [row.mark for row in comparison.rows]
    counts = ", ".join(f"{marks.count(m)} {m}" for m in dict.fromkeys(marks))
    failing = comparison.failing(allow_missing)
    verdict = f"FAIL: {len(failing)} case(s) regressed, missing or failed" if failing else "PASS"
    return f"rnnbench gate: {counts or 'nothing compared'} -> {verdict}"


def deltas(comparison: Comparison) -> list[str]:
    """For each counted regression, the functions whose inclusive counts grew most."""
    out: list[str] = []
    for case_id in comparison.flagged():
        out += counts_delta.lines(case_id, *comparison.functions(case_id))
    return out


def render(comparison: Comparison, allow_missing: bool = False) -> str:
    """Banner (if foreign), table, function deltas, summary line, banner again: the full gate report."""
    notes = [note for note in (comparison.drift_note(), single_run.note(comparison)) if note]
    parts = [table(comparison), *deltas(comparison), *notes, summary(comparison, allow_missing)]
    if comparison.foreign:
        banner = foreign_banner(comparison.foreign)
        parts = [banner, *parts, banner]
    return "\n".join(parts)
