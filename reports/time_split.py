"""Where each cell's time goes, in words, from the op summaries of profiled records (`--profile`).

One sentence per (cell, phase) over the profiled records given: the top op by self time, its share and calls per
round, and the op calls per round, at the largest profiled shape (longest sequence, then batch),
with the range of op calls over the other profiled shapes, e.g. "lstm, forward+backward
(b8 t256 h64): top op aten::mkldnn_rnn_layer, 81% of self time, 1 call per round; 14 op calls
per round (12–14 over 2 shapes)".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rnnbench.reports import profile_summary
from rnnbench.reports.sweeps import fixed_text
from rnnbench.results.schema import LoadedDocument, Record


def shape_text(case: Mapping[str, Any]) -> str:
    """`b8 t256 h64`: the sizes a reader needs to place the sentence."""
    return fixed_text({key: case[key] for key in ("batch", "seq_len", "hidden_size")}).replace(
        "=", ""
    )


def sentence(cell: str, phase: str, records: list[Record]) -> str:
    """The sentence for one cell and phase from its profiled records."""
    largest = max(
        records, key=lambda r: (r["case"]["seq_len"], r["case"]["batch"], r["case"]["hidden_size"])
    )
    profile = largest["profile"]
    top = profile["top_ops"][0]
    calls = sorted({r["profile"]["op_calls"] for r in records})
    spread = f" ({calls[0]}–{calls[-1]} over {len(records)} shapes)" if len(calls) > 1 else ""
    plural = "s" if top["calls"] != 1 else ""
    return (
        f"{cell}, {phase.replace('_', '+')} ({shape_text(largest['case'])}): top op {top['name']}, "
        f"{top['share']:.0%} of self time, {top['calls']} call{plural} per round; "
        f"{profile['op_calls']} op calls per round{spread}."
    )


def where_time_goes(documents: list[LoadedDocument]) -> list[str]:
    """A sentence per (cell, phase) with profiled records, in the order they were recorded."""
    groups: dict[tuple[str, str], list[Record]] = {}
    for record in profile_summary.profiled_records(documents):
        groups.setdefault((record["case"]["cell"], record["case"]["phase"]), []).append(record)
    return [sentence(cell, phase, records) for (cell, phase), records in groups.items()]
