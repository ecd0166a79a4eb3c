"""The report's "Why" section: top ops of two profiled cases side by side, from stored records.

Pairs are LSTM vs GRU at one shape and phase, and cuDNN on vs off (CUDA only), as
`rnnbench.reports.profile_summary.why_tables` finds them within one run. Each pair keeps its op calls per
round and the trace directories, linked by a path relative to the report so the page opens from
disk and fetches nothing (a link is only followed when clicked).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from rnnbench.reports import profile_summary
from rnnbench.results.schema import LoadedDocument

TOP = 5
VARY = {"cell": "LSTM vs GRU at one shape and phase", "cudnn": "cuDNN off vs on at one case (CUDA)"}
HOW = "No profiled records in these results: run `pytest bench --profile [DIR]` to record op summaries and traces."


@dataclass(frozen=True)
class Side:
    """One case of a pair: its label (`cell=gru`), op calls per round and trace directory."""

    label: str
    op_calls: int | None
    trace_dir: str
    href: str | None  # relative to the report directory; None when the directory is not here


@dataclass(frozen=True)
class Pair:
    title: str
    vary: str
    sides: list[Side]
    table: pd.DataFrame  # one row per rank; columns `<label> <field>`


@dataclass(frozen=True)
class Why:
    """Every pair, by the axis that varies; `profiled` counts records with an op summary."""

    profiled: int
    pairs: dict[str, list[Pair]]


def locate(trace_dir: str, sources: list[str]) -> Path | None:
    """The trace directory on this machine: as stored (absolute, or relative to the current
    directory, where `pytest bench` usually ran), else beside one of the results files."""
    for candidate in [Path(trace_dir)] + [Path(source).parent / trace_dir for source in sources]:
        if candidate.is_dir():
            return candidate.resolve()
    return None


def link(trace_dir: str, sources: list[str], out: Path) -> str | None:
    found = locate(trace_dir, sources)
    return None if found is None else Path(os.path.relpath(found, out.resolve())).as_posix()


def pair(entry: dict[str, Any], vary: str, sources: list[str], out: Path) -> Pair:
    """One `why_tables` entry with flat column names and located traces."""
    table = entry["table"]
    labels = list(dict.fromkeys(table.columns.get_level_values(0)))
    table = table.set_axis(
        [f"{label} {field}" for label, field in table.columns], axis=1
    ).reset_index()
    sides = [
        Side(label, calls, trace, link(trace, sources, out))
        for label, calls, trace in zip(labels, entry["op_calls"], entry["trace_dirs"])
    ]
    return Pair(entry["title"], vary, sides, table)


def collect(documents: list[LoadedDocument], out: Path) -> Why:
    """The Why section of a report written to `out`."""
    sources = [str(doc["source"]) for doc in documents]
    pairs = {
        vary: [
            pair(entry, vary, sources, out)
            for entry in profile_summary.why_tables(documents, vary, TOP)
        ]
        for vary in VARY
    }
    return Why(len(profile_summary.profiled_records(documents)), pairs)


def long_table(section: Why) -> pd.DataFrame:
    """Every pair's top ops in one long table (one row per pair, side and rank) for CSV/Markdown."""
    rows = [
        {
            "pair": p.title,
            "case": side.label,
            "rank": ops["rank"],
            "op_calls": side.op_calls,
            "trace_dir": side.trace_dir,
            **{field: ops[f"{side.label} {field}"] for field in profile_summary.OP_COLUMNS},
        }
        for pairs in section.pairs.values()
        for p in pairs
        for side in p.sides
        for ops in p.table.to_dict("records")
    ]
    return pd.DataFrame(rows)
