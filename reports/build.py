"""Build a report directory from stored results: tables (CSV, Markdown), plots (PNG, SVG), HTML.

DIR/report.html            self-contained page: the verdict first, then plots, before/after, tables
DIR/tables/<name>.csv      raw numbers, unit-suffixed columns (seconds, bytes)
DIR/tables/<name>.md       the same table in human units
DIR/plots/<name>.png|svg   each plot that has data to draw
DIR/tables/why.csv|md      top ops of profiled pairs (only when records carry op summaries)
DIR/plots/trend-<case id>.png|svg   with a history file: one trend plot per selected case
With `summary_md`, a short Markdown summary (verdict and biggest movers) for CI job summaries.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tqdm import tqdm

from rnnbench.reports import html, style, tables
from rnnbench.reports.inputs import Inputs, load_inputs
from rnnbench.reports.sections import SECTIONS, Context
from rnnbench.reports.summary_md import summary_markdown
from rnnbench.reports.trend import load_trend
from rnnbench.results import atomic


def describe(inputs: Inputs) -> tuple[str, str]:
    """Page title (the suites) and a one-line summary of the inputs and statuses."""
    frame = inputs.frame
    suites = ", ".join(
        dict.fromkeys(s if isinstance(s, str) and s else "unknown suite" for s in frame["suite"])
    )
    counts = frame["status"].value_counts()
    statuses = ", ".join(f"{counts[s]} {s}" for s in ("ok", "failed", "skipped") if s in counts)
    n = len(inputs.environments)
    noisy = int(inputs.ok["noisy"].fillna(False).astype(bool).sum())
    return suites, (
        f"{n} input{'s' if n != 1 else ''}, {len(frame)} records ({statuses}); "
        f"{noisy} of {len(inputs.ok)} timed records are noisy (IQR above 10% of the median)."
    )


def build(
    paths: list[str | Path],
    out: Path,
    progress: bool = True,
    history: Path | None = None,
    pattern: str = "*",
    summary_md: Path | None = None,
    reference: str | None = None,
) -> Path:
    """Write the report for result files/directories `paths` into `out`; returns report.html.

    With `history` (a SQLite history file), trend plots of the cases matching the glob `pattern`;
    with `summary_md`, the Markdown summary written there too; `reference` is the N-cell verdict's reference cell.
    Inputs and history are loaded and checked before the progress bar starts, so a bad input is one line.
    """
    inputs = load_inputs(paths)
    ctx = Context(
        inputs, out, load_trend(history, pattern) if history is not None else None, reference
    )
    style.seed_cell_colors(tables.cell_order(inputs.ok["cell"]))
    ctx.cells  # noqa: B018 - an unknown --reference is one line before anything is written
    atomic.check_directory(out, "-o")
    for folder in ("tables", "plots"):
        atomic.make_directory(out / folder, "-o ")
    sections = []
    with tqdm(
        total=len(SECTIONS) + 1, desc="report", unit="step", file=sys.stderr, disable=not progress
    ) as steps:
        for section in SECTIONS:
            steps.set_postfix_str(section.name)
            sections.append(
                {"name": section.name, "title": section.title, "view": section.build(ctx)}
            )
            steps.update()
        steps.set_postfix_str("html")
        page = out / "report.html"
        atomic.write_text(page, html.render(*describe(inputs), sections))
        if summary_md is not None:
            atomic.write_text(summary_md, summary_markdown(ctx, page))
        steps.update()
    return page
