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

from reports import units
from reports.tables import constant_keys

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
        "Parameter count and bytes; bytes autograd saves for backward (largest over phases); CUDA peak where measured.",
        "no timed records",
    ),
    "throughput": (
        "Throughput",
        "Every timed case: median, IQR, noisy (IQR above 10% of the median), tokens/s, GFLOP/s (analytic FLOPs / median).",
        "no timed records",
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
    return "text" if column in ("input", "id", "reason", "claim", "measured", "aspect", "field", "status") else ""


def section(name: str, table: pd.DataFrame) -> dict[str, object]:
    """One table section: constant key columns become a caption, the rest display text."""
    title, note, empty = SECTIONS[name]
    constants = constant_keys(table)
    shown = units.humanize(table.drop(columns=list(constants)))
    rows = [
        [{"text": text, "css": cell_css(column, text)} for column, text in zip(shown.columns, values)]
        for values in shown.itertuples(index=False)
    ]
    return {"name": name, "title": title, "note": note, "empty": empty, "constants": constants,
            "columns": list(shown.columns), "rows": rows}  # fmt: skip


def inline_png(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode("ascii")


def render(title: str, summary: str, tables: dict[str, pd.DataFrame], plots: list[Plot]) -> str:
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
        plots=[
            {"name": p.name, "title": p.title, "png": inline_png(p.png) if p.png else None, "reason": p.reason}
            for p in plots
        ],
    )
