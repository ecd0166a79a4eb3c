"""The verdict for N cells: each cell against a reference cell, the fastest cell per shape, and
where the winner flips — from the timed records of one input (the one `verdict.main_input` picks).

Per device, phase and cell: the median over shapes of the cell/reference ratio of medians with a
bootstrap 95% CI over shapes, and how many shapes the cell is faster, slower or tied (±5%, as in
the claims table) on (`rnnbench.reports.ratios`, which the two-cell verdict shares). Each shape's
ratio carries the gate's bootstrap CI from the raw round times.
The reference is `lstm` when present, else the first cell (`rnnbench report --reference CELL`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from rnnbench.cases.case import PHASES
from rnnbench.errors import UserError
from rnnbench.reports import tables
from rnnbench.reports.claims import TIE
from rnnbench.reports.inputs import KEY
from rnnbench.reports.ratios import ROUND, crossovers, shape_ratios, summarize
from rnnbench.reports.units import format_ratio_ci
from rnnbench.reports.verdict import main_input


@dataclass(frozen=True)
class CellsVerdict:
    """The N-cell verdict of one input."""

    input: str
    reference: str
    cells: list[str]  # reference first, then the others (built-ins first, then by name)
    shapes: pd.DataFrame  # one row per (shape, device, phase, cell ≠ reference): medians, ratio, CI
    lines: pd.DataFrame  # one row per (device, phase, cell ≠ reference)
    winners: pd.DataFrame  # one row per (shape, device, phase): the fastest cell and its lead
    flips: (
        pd.DataFrame
    )  # one row per (device, phase): the fastest cell's counts and where it changes


def pick_reference(cells: list[str], requested: str | None) -> str:
    """The reference cell: `requested` (a `UserError` naming --reference when absent), else `lstm`
    when present, else the first cell."""
    if requested is not None:
        if requested not in cells:
            raise UserError(
                f"--reference: no timed records of cell {requested!r} (cells: {', '.join(cells)})"
            )
        return requested
    return "lstm" if "lstm" in cells else cells[0]


def winners(ok: pd.DataFrame) -> pd.DataFrame:
    """Per shape, device and phase with two or more cells timed: the fastest cell, its median and
    `lead` = the runner-up's median over the winner's (> 1)."""
    group = [*KEY, "phase"]
    ranked = ok.drop_duplicates([*group, "cell"], keep="last").sort_values("median_s")
    firsts = ranked.groupby(group, sort=False, dropna=False).nth(0).set_index(group)
    seconds = ranked.groupby(group, sort=False, dropna=False).nth(1).set_index(group)
    firsts = firsts.loc[seconds.index]
    return pd.DataFrame(
        {
            "fastest": firsts["cell"],
            "median_s": firsts["median_s"],
            "runner_up": seconds["cell"],
            "lead": seconds["median_s"] / firsts["median_s"],
            "contenders": ranked.groupby(group, dropna=False)["cell"].size().loc[seconds.index],
        },
        index=seconds.index,
    ).reset_index()


def winner_flips(best: pd.DataFrame) -> pd.DataFrame:
    """Per device and phase: shapes won by each cell and where the fastest cell changes along each swept axis."""
    lines = []
    for (device, phase), rows in best.groupby(ROUND, sort=False):
        counts = rows["fastest"].value_counts()
        flips = crossovers(rows, column="fastest", judge=str)
        lines.append(
            {
                "device_label": device,
                "phase": phase,
                "shapes": len(rows),
                "wins": ", ".join(f"{cell} {n}" for cell, n in counts.items()),
                "winner_flips": "; ".join(flips) or "none",
            }
        )
    return pd.DataFrame(lines)


def cells_verdict(ok: pd.DataFrame, reference: str | None = None) -> CellsVerdict | None:
    """The N-cell verdict of the input `main_input` picks; None with fewer than two cells timed."""
    if ok.empty:
        return None
    name = main_input(ok)
    rows = ok[ok["input"] == name]
    cells = tables.cell_order(rows["cell"])
    if not cells and reference is None:  # no record names a cell (e.g. pytest-benchmark JSON)
        return None
    chosen = pick_reference(cells, reference)
    if len(cells) < 2:
        return None
    shapes = shape_ratios(rows, chosen)
    lines = summarize(shapes, chosen) if not shapes.empty else pd.DataFrame()
    best = winners(rows)
    return CellsVerdict(
        name,
        chosen,
        [chosen, *(c for c in cells if c != chosen)],
        shapes,
        lines,
        best,
        winner_flips(best) if not best.empty else pd.DataFrame(),
    )


def line_texts(found: CellsVerdict) -> list[dict[str, Any]]:
    """The per-cell lines as display text (page and Markdown summary), in phase order."""
    lines = found.lines
    if lines.empty:
        return []
    order = {phase: n for n, phase in enumerate(PHASES)}
    lines = lines.sort_values(
        ["device_label", "phase"],
        key=lambda s: s.map(order) if s.name == "phase" else s,
        kind="stable",
    )
    texts = []
    for row in lines.to_dict("records"):
        ratio, cell = float(row["median_ratio"]), str(row["cell"])
        texts.append(
            {
                "device": row["device_label"],
                "phase": str(row["phase"]).replace("_", "+"),
                "cell": cell,
                "ratio": format_ratio_ci(ratio, row["ci_low"], row["ci_high"]),
                "faster": "tie"
                if abs(ratio - 1) <= TIE
                else cell
                if ratio < 1
                else found.reference,
                "unsure": bool(row["ci_spans_one"] and abs(ratio - 1) > TIE),
                "counts": f"{row['faster']} / {row['slower']} / {row['ties']} of {row['shapes']}",
                "crossovers": row["crossovers"],
            }
        )
    return texts
