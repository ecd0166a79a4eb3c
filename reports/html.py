"""The self-contained HTML page: tables as text, plots inlined as base64 PNG data URIs.

Rendered with jinja2 and autoescape on, so names from result files (suite names, reasons,
machine names) cannot inject markup; a Content-Security-Policy meta tag forbids every network
fetch and allows one script, the table sorter/filter (`templates/tables.js`), by its hash, so the
page opens from disk and never reaches out. Each section is a template `sections/<name>.html.j2`
rendered with the view its builder returned (`rnnbench.reports.sections`).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from rnnbench.cases.case import PHASES
from rnnbench.reports import units
from rnnbench.reports.tables import constant_keys

TEMPLATES = Path(__file__).resolve().parent / "templates"
SCRIPT = (TEMPLATES / "tables.js").read_text(encoding="utf-8")
SCRIPT_HASH = "sha256-" + base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode(
    "ascii"
)
TEXT_COLUMNS = (
    "input",
    "id",
    "reason",
    "claim",
    "measured",
    "aspect",
    "field",
    "status",
    "name",
    "fastest",
    "significance",
    "crossovers",
    "device_label",
    "cell",
    "phase",
    "impl",
    "layout",
    "model",
    "dtype",
)


@dataclass(frozen=True)
class Plot:
    """A plot for the page: its PNG path and size, or why it was not drawn; `alt` describes it."""

    name: str
    title: str
    png: Path | None = None
    reason: str | None = None
    alt: str = ""
    size: tuple[int, int] = (0, 0)


def cell_css(column: str, text: str) -> str:
    """Left-align text columns; colour verdicts."""
    if column == "verdict":
        return "text verdict-" + text.split(":")[0]
    return "text" if column.split(" ")[-1] in TEXT_COLUMNS else ""


def sort_key(value: object) -> object:
    """The raw number a numeric cell sorts by (None: sort by its text)."""
    if isinstance(value, bool) or units.missing(value) or not isinstance(value, (int, float)):
        return None
    return f"{float(value):.6g}"


def display(table: pd.DataFrame) -> dict[str, object]:
    """A table as header and rows of display text, raw sort keys and CSS classes (noisy rows marked)."""
    shown = units.humanize(table)
    noisy = [c for c in table.columns if str(c).split(" ")[-1] == "noisy"]
    flags = (
        table[noisy].fillna(False).astype(bool).any(axis=1).tolist()
        if noisy
        else [False] * len(table)
    )
    rows = [
        {
            "css": "noisy" if flag else "",
            "cells": [
                {"text": text, "css": cell_css(column, text), "sort": sort_key(raw)}
                for column, text, raw in zip(shown.columns, values, raws)
            ],
        }
        for values, raws, flag in zip(
            shown.itertuples(index=False), table.itertuples(index=False), flags
        )
    ]
    return {"columns": list(shown.columns), "rows": rows}


def dropping(word: str) -> Callable[[str], str]:
    """A column renamer that drops the word `word` from a column's name."""
    return lambda column: " ".join(w for w in column.split(" ") if w != word)


def phase_parts(table: pd.DataFrame) -> list[dict[str, object]]:
    """A wide table split per phase: the columns naming a phase go to that phase's part, with the
    phase left out of their headers; a table without phase columns is one part."""
    phases = [p for p in PHASES if any(f" {p} " in f" {c} " for c in table.columns)]
    if len(phases) < 2:
        return [{"caption": "", **display(table)}]
    tagged = {p: [c for c in table.columns if f" {p} " in f" {c} "] for p in phases}
    common = [c for c in table.columns if not any(c in cols for cols in tagged.values())]
    parts = []
    for phase in phases:
        part = table[common + tagged[phase]].rename(columns=dropping(phase))
        part = part.dropna(how="all", subset=[c for c in part.columns if c not in common])
        parts.append({"caption": phase.replace("_", "+"), **display(part)})
    return parts


def table_view(
    name: str, title: str, note: str, empty: str, table: pd.DataFrame
) -> dict[str, object]:
    """One collapsible table: constant key columns become a caption; wide tables split per phase."""
    constants = constant_keys(table)
    return {
        "name": name,
        "title": title,
        "note": note,
        "empty": empty,
        "constants": constants,
        "count": len(table),
        "parts": phase_parts(table.drop(columns=list(constants))),
    }


def plot_view(plot: Plot) -> dict[str, object]:
    png = base64.b64encode(plot.png.read_bytes()).decode("ascii") if plot.png else None
    return {
        "name": plot.name,
        "title": plot.title,
        "png": png,
        "reason": plot.reason,
        "alt": plot.alt or plot.title,
        "width": plot.size[0],
        "height": plot.size[1],
    }


def render(title: str, summary: str, sections: list[dict[str, Any]]) -> str:
    """The whole page as one string; `sections`: name, title and view of each, in page order."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    template = env.get_template("report.html.j2")
    return template.render(
        title=title, summary=summary, sections=sections, script=SCRIPT, script_hash=SCRIPT_HASH
    )
