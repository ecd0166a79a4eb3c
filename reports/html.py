"""The self-contained HTML page: tables as text, plots inlined as base64 PNG data URIs.

Rendered with jinja2 and autoescape on, so names from result files (suite names, reasons,
machine names) cannot inject markup; a Content-Security-Policy meta tag forbids every network
fetch, so the page opens from disk and never reaches out.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pandas as pd

from rnnbench.reports import units
from rnnbench.reports.tables import constant_keys
from rnnbench.reports.trend import MAX_CASES, Trend
from rnnbench.reports.why import HOW, VARY, Why

TEMPLATES = Path(__file__).resolve().parent / "templates"
SECTIONS = {  # name: (title, what it shows, why it may be empty)
    "claims": (
        "LSTM vs GRU: claim vs measured",
        "Each claim checked on GRU/LSTM pairs of one shape and input; ratios within ±5% of 1 are ties.",
        "no timed records",
    ),
    "comparison": (
        "Main comparison",
        "Median and IQR per cell and phase (timed records only); gru/lstm is the ratio of medians (< 1: GRU faster).",
        "no timed records",
    ),
    "cudnn_speedup": (
        "cuDNN speed-up",
        "Median time with cuDNN off divided by time with cuDNN on (> 1: cuDNN faster), within one input.",
        "no CUDA results with cuDNN both on and off",
    ),
    "cpu_vs_cuda": (
        "CPU vs CUDA",
        "CPU median divided by CUDA median (> 1: CUDA faster), within one input.",
        "no input measured the same case on CPU and CUDA",
    ),
    "memory": (
        "Parameters and memory",
        "Parameter count and bytes; bytes autograd saves for backward and peak bytes of one round"
        " (largest over phases).",
        "no timed records",
    ),
    "memory_model": (
        "Memory model vs measured",
        "Peak bytes of one round's timed call above what was live before it, measured and by the memory model"
        " (rnnbench.measurement.analytic), per case.",
        "no record has both a measured and a modelled peak (results from before they were recorded)",
    ),
    "throughput": (
        "Throughput",
        "Every timed case: median, IQR, noisy (IQR above 10% of the median), tokens/s, GFLOP/s (analytic FLOPs / median).",
        "no timed records",
    ),
    "efficiency": (
        "Efficiency",
        "Achieved GFLOP/s (analytic FLOPs / median) and its % of the GEMM ceiling the run measured on the device.",
        "no record has an efficiency (results from before the GEMM ceiling was measured)",
    ),
    "not_ok": ("Failed and skipped cases", "Cases recorded without timings, with the reason.", "every case was timed"),
    "environment": (
        "Environment",
        "One column per input (results file): machine, software and run.",
        "no inputs",
    ),
}


@dataclass(frozen=True)
class Plot:
    """A plot for the page: its PNG path, or why it was not drawn."""

    name: str
    title: str
    png: Path | None = None
    reason: str | None = None


def cell_css(column: str, text: str) -> str:
    """Left-align text columns; colour verdicts."""
    if column == "verdict":
        return "text verdict-" + text.split(":")[0]
    texts = ("input", "id", "reason", "claim", "measured", "aspect", "field", "status", "name")
    return "text" if column.split(" ")[-1] in texts else ""


def display(table: pd.DataFrame) -> dict[str, object]:
    """A table as header and rows of display text with their CSS classes."""
    shown = units.humanize(table)
    rows = [
        [{"text": text, "css": cell_css(column, text)} for column, text in zip(shown.columns, values)]
        for values in shown.itertuples(index=False)
    ]
    return {"columns": list(shown.columns), "rows": rows}


def section(name: str, table: pd.DataFrame) -> dict[str, object]:
    """One table section: constant key columns become a caption, the rest display text."""
    title, note, empty = SECTIONS[name]
    constants = constant_keys(table)
    return {"name": name, "title": title, "note": note, "empty": empty, "constants": constants,
            **display(table.drop(columns=list(constants)))}  # fmt: skip


def why_view(why: Why) -> dict[str, object]:
    """The Why section: pairs grouped by what varies, or how to get profiles."""
    groups = [
        {"title": title, "pairs": [
            {"title": p.title, "sides": p.sides, **display(p.table)} for p in why.pairs[vary]
        ]}
        for vary, title in VARY.items()
    ]  # fmt: skip
    return {"profiled": why.profiled, "how": HOW, "groups": groups}


def trend_view(trend: Trend | None, plots: list[Plot]) -> dict[str, object] | None:
    """The trend section: which cases of which history file, and their plots."""
    if trend is None:
        return None
    cases = trend.cases
    more = f"; the first {MAX_CASES} are drawn (narrow --trend to see others)" if len(cases) > MAX_CASES else ""
    runs = trend.rows["run_id"].nunique()
    plural = "s" if runs != 1 else ""
    note = f"{trend.db}: {len(cases)} cases matching {trend.pattern!r} over {runs} run{plural}{more}."
    return {"note": note, "plots": [plot_view(p) for p in plots]}


def inline_png(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode("ascii")


def plot_view(plot: Plot) -> dict[str, object]:
    return {"name": plot.name, "title": plot.title, "png": inline_png(plot.png) if plot.png else None,
            "reason": plot.reason}  # fmt: skip


def render(
    title: str, summary: str, tables: dict[str, pd.DataFrame], plots: list[Plot], why: Why,
    trend: tuple[Trend | None, list[Plot]] = (None, []),
) -> str:  # fmt: skip
    """The whole page as one string."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    template = env.get_template("report.html.j2")
    return template.render(
        title=title,
        summary=summary,
        sections=[section(name, tables[name]) for name in SECTIONS if name in tables],
        why=why_view(why),
        plots=[plot_view(p) for p in plots],
        trend=trend_view(*trend),
    )
