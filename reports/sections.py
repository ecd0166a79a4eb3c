"""The report's sections, in page order: each is a builder function returning the view its
template `templates/sections/<name>.html.j2` renders. A new section is one builder here, one
template and one `Section` line in `SECTIONS`.

Builders share a `Context`: the loaded inputs, the report directory (tables and plots are written
as they are built) and what several sections read (tables, verdict, before/after), computed once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from rnnbench.reports import learning, memory_report, paper_claims, tables, time_split, units, why
from rnnbench.reports.accuracy import accuracy_table
from rnnbench.reports.cells_plot import cells_figure
from rnnbench.reports.cells_verdict import CellsVerdict, cells_verdict
from rnnbench.reports.cells_verdict import line_texts as cells_lines
from rnnbench.reports.claims import claims
from rnnbench.reports.figures import write_plot
from rnnbench.reports.headline import headline
from rnnbench.reports.html import display, plot_view, table_view
from rnnbench.reports.inputs import Inputs
from rnnbench.reports.movers import Movers, movers, movers_figure
from rnnbench.reports.plots import PLOTS
from rnnbench.reports.table_notes import TABLES
from rnnbench.reports.trend import MAX_CASES, Trend, trend_figure
from rnnbench.reports.verdict import Verdict, classifier_sentences, line_texts, verdict
from rnnbench.results import atomic


@dataclass
class Context:
    """What the builders read and where they write."""

    inputs: Inputs
    out: Path
    trend: Trend | None = None
    reference: str | None = (
        None  # the N-cell verdict's reference cell (`--reference`); None: lstm or the first
    )

    @cached_property
    def tables(self) -> dict[str, pd.DataFrame]:
        found = {
            "claims": claims(self.inputs.measured),
            **tables.all_tables(self.inputs),
            "memory_model": memory_report.model_check(self.inputs.ok),
        }
        return found | ({"minrnn_claims": self.minrnn} if not self.minrnn.empty else {})

    @cached_property
    def minrnn(self) -> pd.DataFrame:
        """minGRU / minLSTM against the traditional cells and the paper's claims (empty without them)."""
        return paper_claims.minrnn_table(self.inputs.ok)

    @cached_property
    def verdict(self) -> Verdict | None:
        return verdict(self.inputs.ok)

    @cached_property
    def cells(self) -> CellsVerdict | None:
        return cells_verdict(self.inputs.ok, self.reference)

    @cached_property
    def movers(self) -> list[Movers]:
        return movers(self.inputs)

    def plot(self, name: str, title: str, shows: str, drawn: Figure | str) -> dict[str, object]:
        (self.out / "plots").mkdir(parents=True, exist_ok=True)
        return plot_view(write_plot(self.out / "plots", name, title, shows, drawn))

    def table(self, name: str, table: pd.DataFrame) -> dict[str, object]:
        """Write `name`.csv (raw numbers) and .md (human units); return its collapsible view."""
        folder = self.out / "tables"
        folder.mkdir(parents=True, exist_ok=True)
        table = table.drop(columns="times_s", errors="ignore")
        if not table.empty:
            with atomic.replacing(folder / f"{name}.csv") as tmp:
                table.to_csv(tmp, index=False)
            atomic.write_text(
                folder / f"{name}.md", units.humanize(table).to_markdown(index=False) + "\n"
            )
        title, note, empty = TABLES.get(name.split("-")[0], (name, "", "no rows"))
        return table_view(name, title, note, empty, table)


@dataclass(frozen=True)
class Section:
    """One section of the page: its anchor and template name, its title, and its builder."""

    name: str
    title: str
    build: Callable[[Context], dict[str, Any]]


def fastest_sentences(best: pd.DataFrame) -> list[str]:
    """`Fastest per shape, inference: cpu fused GRU on 8 of 13 shapes, ...` per phase."""
    sentences = []
    for phase, rows in best.groupby("phase", sort=False) if not best.empty else ():
        counts = rows["fastest"].value_counts()
        wins = ", ".join(f"{name} on {count}" for name, count in counts.items())
        plural = "s" if len(rows) != 1 else ""
        sentences.append(
            f"Fastest per shape, {str(phase).replace('_', '+')} ({len(rows)} shape{plural}): {wins}."
        )
    return sentences


def cells_view(ctx: Context) -> dict[str, Any] | None:
    """The N-cell part of the verdict, when cells other than LSTM and GRU were timed."""
    found = ctx.cells
    if found is None or set(found.cells) <= {"lstm", "gru"}:
        return None
    ctx.table("cells_verdict", found.lines)
    shows = f"each cell's median time over {found.reference}'s per shape against each swept axis, bootstrap CI band"
    flips = [
        f"{str(row['phase']).replace('_', '+')} ({row['device_label']}, {row['shapes']} shapes): fastest "
        f"{row['wins']}; the fastest cell changes along {row['winner_flips']}."
        for row in found.flips.to_dict("records")
    ]
    return {
        "reference": found.reference,
        "cells": ", ".join(found.cells),
        "lines": cells_lines(found),
        "flips": flips,
        "paper": paper_claims.claim_sentences(ctx.minrnn),
        "plot": ctx.plot(
            "cells_ratio", f"Every cell against {found.reference}", shows, cells_figure(found)
        ),
        "tables": [
            ctx.table("cells_shapes", found.shapes),
            ctx.table("cells_fastest", found.winners),
        ],
    }


def verdict_section(ctx: Context) -> dict[str, Any]:
    extra = {
        "cells": cells_view(ctx),
        "time_split": time_split.where_time_goes(ctx.inputs.documents),
    }
    found = ctx.verdict
    if found is None or found.lines.empty:
        return {"lines": [], "empty": "no shape has both LSTM and GRU timed", **extra}
    ctx.table("verdict", found.lines)
    n = len(ctx.inputs.environments)
    which = f" (of {n} inputs: the last with the most timed records)" if n > 1 else ""
    source = (
        f"Input: {found.input}{which}. Ratio = GRU median / LSTM median of one shape (< 1: GRU faster; "
        "within ±5% of 1: tie); CI: bootstrap over shapes."
    )
    shows = (
        "the GRU/LSTM median-time ratio of each shape against each swept axis, one line per phase, "
        "bootstrap CI band"
    )
    return {
        "source": source,
        "lines": line_texts(found.lines),
        "memory": found.memory,
        "classifiers": classifier_sentences(found.shapes),
        "fastest": fastest_sentences(found.fastest),
        "plot": ctx.plot(
            "verdict_ratio", "GRU/LSTM time ratio vs the swept axes", shows, headline(found.shapes)
        ),
        "tables": [ctx.table("verdict_shapes", found.shapes)]
        + ([ctx.table("fastest", found.fastest)] if not found.fastest.empty else []),
        **extra,
    }


def plots_section(ctx: Context) -> dict[str, Any]:
    ok = ctx.inputs.ok
    return {
        "plots": [
            ctx.plot(name, spec.title, spec.shows, spec.draw(ok)) for name, spec in PLOTS.items()
        ]
    }


def accuracy_section(ctx: Context) -> dict[str, Any]:
    """Learning curves of the quality records (metric vs steps, vs seconds) and the accuracy table."""
    measured = ctx.inputs.measured
    plots = [
        ctx.plot(name, spec.title, spec.shows, spec.draw(measured))
        for name, spec in learning.PLOTS.items()
    ]
    return {"plots": plots, "table": ctx.table("accuracy", accuracy_table(measured))}


def before_after_section(ctx: Context) -> dict[str, Any]:
    comparisons = []
    for index, moved in enumerate(ctx.movers, start=2):
        suffix = "" if len(ctx.movers) == 1 else f"-{index}"
        comparisons.append(
            {
                "before": moved.before,
                "after": moved.after,
                "foreign": "; ".join(moved.foreign),
                "counts": moved.counts(),
                "plot": ctx.plot(
                    f"before_after{suffix}",
                    "Biggest movers",
                    "after/before ratio of medians of the cases "
                    "that moved most, with bootstrap 95% CIs",
                    movers_figure(moved),
                ),
                "table": ctx.table(f"before_after{suffix}", moved.table),
                "grew": [
                    ctx.table(f"what_grew{suffix}-{n}", frame)
                    | {"title": f"What grew in {case_id}: {ratio:.4f}× instructions"}
                    for n, (case_id, ratio, frame) in enumerate(moved.grew, start=1)
                ],
            }
        )
    first = ctx.movers[0] if ctx.movers else None
    return {
        "comparisons": comparisons,
        "alpha": first.alpha if first else None,
        "threshold": f"{first.threshold:.0%}" if first else None,
    }


def tables_section(ctx: Context) -> dict[str, Any]:
    return {"tables": [ctx.table(name, table) for name, table in ctx.tables.items()]}


def why_section(ctx: Context) -> dict[str, Any]:
    found = why.collect(ctx.inputs.documents, ctx.out)
    ctx.table("why", why.long_table(found))
    groups = [
        {
            "title": title,
            "pairs": [
                {"title": p.title, "sides": p.sides, **display(p.table)} for p in found.pairs[vary]
            ],
        }
        for vary, title in why.VARY.items()
    ]
    return {"profiled": found.profiled, "how": why.HOW, "groups": groups}


def trend_section(ctx: Context) -> dict[str, Any]:
    trend = ctx.trend
    if trend is None:
        return {}
    cases = trend.cases
    more = (
        f"; the first {MAX_CASES} are drawn (narrow --trend to see others)"
        if len(cases) > MAX_CASES
        else ""
    )
    runs = trend.rows["run_id"].nunique()
    note = f"{trend.db}: {len(cases)} cases matching {trend.pattern!r} over {runs} run{'s' if runs != 1 else ''}{more}."
    shows = "median time per run with the IQR band against the run date, ticks labelled by commit"
    plots = [
        ctx.plot(f"trend-{case}", case, shows, trend_figure(trend.rows, case))
        for case in trend.drawn
    ]
    return {"note": note, "plots": plots}


SECTIONS = (
    Section("verdict", "Verdict", verdict_section),
    Section("plots", "Plots", plots_section),
    Section("accuracy", "Accuracy", accuracy_section),
    Section("before_after", "Before/after", before_after_section),
    Section("tables", "Tables", tables_section),
    Section("why", "Why", why_section),
    Section("trend", "Trend", trend_section),
)
