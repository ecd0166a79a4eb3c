"""A short Markdown summary of a report (at most 60 lines): the verdict and the biggest movers,
for a CI job summary (`$GITHUB_STEP_SUMMARY`) or a pull-request comment."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rnnbench.reports.units import format_time
from rnnbench.reports.verdict import classifier_sentences, line_texts

if TYPE_CHECKING:
    from rnnbench.reports.sections import Context

MAX_LINES = 60
MOVERS = 10  # per comparison, fewer when the line budget runs out


def markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + [
        "| " + " | ".join(r) + " |" for r in rows
    ]


def verdict_lines(ctx: Context) -> list[str]:
    found = ctx.verdict
    if found is None or found.lines.empty:
        return ["No verdict: no shape has both LSTM and GRU timed."]
    rows = [
        [
            line["device"],
            line["phase"],
            f"**{line['faster']}**" + (" (CI spans 1)" if line["unsure"] else ""),
            line["ratio"],
            line["counts"],
            line["crossovers"],
        ]
        for line in line_texts(found.lines)
    ]
    header = [
        "device",
        "phase",
        "faster",
        "GRU/LSTM (median, 95% CI)",
        "GRU / LSTM / tie",
        "winner flips along",
    ]
    return [
        f"Input: {found.input}",
        "",
        *markdown_table(header, rows),
        "",
        *classifier_sentences(found.shapes),
        found.memory,
    ]


def mover_lines(ctx: Context, budget: int) -> list[str]:
    lines: list[str] = []
    for moved in ctx.movers:
        lines += ["", f"### Before/after: {moved.after} vs {moved.before}", "", moved.counts()]
        table = moved.table
        shown = max(0, min(MOVERS, budget - len(lines) - 4))
        rows = [
            [
                f"`{r['id']}`",
                format_time(r["before_s"]),
                format_time(r["after_s"]),
                f"{r['ratio']:.3g}×",
                f"{r['ci_low']:.3g}–{r['ci_high']:.3g}",
                r["significance"] + (" (noisy)" if r["noisy"] else ""),
            ]
            for r in table.head(shown).to_dict("records")
        ]
        if rows:
            lines += [
                "",
                *markdown_table(["case", "before", "after", "ratio", "95% CI", "mark"], rows),
            ]
    return lines


def summary_markdown(ctx: Context, page: Path) -> str:
    """The summary as Markdown text, at most `MAX_LINES` lines."""
    lines = ["## rnnbench: LSTM or GRU?", "", *verdict_lines(ctx)]
    footer = ["", f"Full report: `{page}` (tables, plots, every case)."]
    lines += mover_lines(ctx, MAX_LINES - len(lines) - len(footer))
    return "\n".join(lines[: MAX_LINES - len(footer)] + footer) + "\n"
