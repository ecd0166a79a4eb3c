"""Build a report directory from stored results: tables (CSV, Markdown), plots (PNG, SVG), HTML.

DIR/report.html            self-contained page (images inlined, no network)
DIR/tables/<name>.csv      raw numbers, unit-suffixed columns (seconds, bytes)
DIR/tables/<name>.md       the same table in human units
DIR/plots/<name>.png|svg   each plot that has data to draw
DIR/tables/why.csv|md      top ops of profiled pairs (only when records carry op summaries)
DIR/plots/trend-<case id>.png|svg   with a history file: one trend plot per selected case
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from rnnbench.reports import html, memory_report, tables, units, why
from rnnbench.reports.claims import claims
from rnnbench.reports.inputs import Inputs, load_inputs
from rnnbench.reports.plots import PLOTS, Drawn
from rnnbench.reports.trend import Trend, load_trend, trend_figure

PNG_DPI = 110
ALL_PLOTS = PLOTS | memory_report.PLOTS


def write_table(out: Path, name: str, table: pd.DataFrame) -> None:
    """`name`.csv with raw numbers and `name`.md in human units; nothing for an empty table."""
    if table.empty:
        return
    table.drop(columns="times_s", errors="ignore").to_csv(out / f"{name}.csv", index=False)
    (out / f"{name}.md").write_text(units.humanize(table).to_markdown(index=False) + "\n")


def write_plot(out: Path, name: str, title: str, draw: Callable[[pd.DataFrame], Drawn], ok: pd.DataFrame) -> html.Plot:
    """Draw one plot into PNG and SVG, or record why there is nothing to draw."""
    drawn = draw(ok)
    if isinstance(drawn, str):
        return html.Plot(name, title, reason=drawn)
    png = out / f"{name}.png"
    drawn.savefig(png, dpi=PNG_DPI)
    drawn.savefig(out / f"{name}.svg")
    return html.Plot(name, title, png=png)


def describe(inputs: Inputs) -> tuple[str, str]:
    """Page title (the suites) and a one-line summary of the inputs and statuses."""
    frame = inputs.frame
    suites = ", ".join(dict.fromkeys(str(s) for s in frame["suite"]))
    counts = frame["status"].value_counts()
    statuses = ", ".join(f"{counts[s]} {s}" for s in ("ok", "failed", "skipped") if s in counts)
    n = len(inputs.environments)
    noisy = int(inputs.ok["noisy"].fillna(False).astype(bool).sum())
    return suites, (
        f"{n} input{'s' if n != 1 else ''}, {len(frame)} records ({statuses}); "
        f"{noisy} of {len(inputs.ok)} timed records are noisy (IQR above 10% of the median)."
    )


def write_trends(out: Path, trend: Trend) -> list[html.Plot]:
    """One trend plot per drawn case (`trend-<case id>`)."""
    return [
        write_plot(out, f"trend-{case}", case, lambda rows, case=case: trend_figure(rows, case), trend.rows)
        for case in trend.drawn
    ]


def build(
    paths: list[str | Path], out: Path, progress: bool = True, history: Path | None = None, pattern: str = "*"
) -> Path:
    """Write the report for result files/directories `paths` into `out`; returns report.html.

    With `history` (a SQLite history file), trend plots of the cases matching the glob `pattern`.
    Inputs and history are loaded and checked before the progress bar starts, so a bad input is one line.
    """
    inputs = load_inputs(paths)
    trend = load_trend(history, pattern) if history is not None else None
    steps_total = 3 + len(ALL_PLOTS) + (trend is not None)
    with tqdm(total=steps_total, desc="report", unit="step", file=sys.stderr, disable=not progress) as steps:
        steps.set_postfix_str("tables")
        results = {"claims": claims(inputs.measured), **tables.all_tables(inputs)}
        results["memory_model"] = memory_report.model_check(inputs.ok)
        for folder in ("tables", "plots"):
            (out / folder).mkdir(parents=True, exist_ok=True)
        for name, table in results.items():
            write_table(out / "tables", name, table)
        steps.update()
        steps.set_postfix_str("why")
        section = why.collect(inputs.documents, out)
        write_table(out / "tables", "why", why.long_table(section))
        steps.update()
        drawn = []
        for name, (title, draw) in ALL_PLOTS.items():
            steps.set_postfix_str(f"plot {name}")
            drawn.append(write_plot(out / "plots", name, title, draw, inputs.ok))
            steps.update()
        trends: list[html.Plot] = []
        if trend is not None:
            steps.set_postfix_str("trend")
            trends = write_trends(out / "plots", trend)
            steps.update()
        steps.set_postfix_str("html")
        page = out / "report.html"
        page.write_text(html.render(*describe(inputs), results, drawn, section, (trend, trends)), encoding="utf-8")
        steps.update()
    return page
