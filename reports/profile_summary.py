"""The "why" behind timings, from stored records only: op breakdowns side by side, efficiency.

Reports call these pure functions on loaded documents (`rnnbench.results.store.load`) or on the frame
(`rnnbench.results.store.to_frame`); nothing here runs or imports the runner.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from rnnbench.cases.case import AXES, AXIS_DEFAULTS
from rnnbench.results import atomic
from rnnbench.results.schema import LoadedDocument, Record

OP_COLUMNS = ("name", "calls", "self_cpu_s", "self_cuda_s", "share")


class ProfiledRecord(Record):
    """A profiled record labelled with its run's id."""

    run_id: str | None


def profiled_records(documents: list[LoadedDocument]) -> list[ProfiledRecord]:
    """Every ok record that carries an op summary, labelled with its run id."""
    return [
        {**record, "run_id": doc["run"].get("id")}
        for doc in documents
        for record in doc["records"]
        if record["status"] == "ok" and has_top_ops(record)
    ]


def has_top_ops(record: Record) -> bool:
    profile = record.get("profile")
    return bool(profile and profile.get("top_ops"))


def axis_value(record: Record, axis: str) -> object:
    """The record's value of the axis named `axis` (a `KeyError` when its case lacks it)."""
    case: Mapping[str, object] = record["case"]
    return case[axis]


def ops_frame(record: Record, top: int | None = None) -> pd.DataFrame:
    """A record's top ops as a frame ranked from 1 (largest share first)."""
    ops = pd.DataFrame(record["profile"]["top_ops"], columns=list(OP_COLUMNS))
    if top is not None:
        ops = ops.head(top)
    ops.index = pd.RangeIndex(1, len(ops) + 1, name="rank")
    return ops


def pairs(documents: list[LoadedDocument], vary: str) -> list[tuple[Record, Record]]:
    """Profiled records that differ only in the axis `vary` (e.g. `cell`: LSTM vs GRU at one shape
    and phase; `cudnn`: on vs off), in the same run, as (first, second) in sorted `vary` order."""
    if vary not in AXES:
        raise ValueError(f"vary: unknown axis {vary!r} (expected one of: {', '.join(AXES)})")
    groups: dict[tuple[Any, ...], list[Record]] = {}
    for record in profiled_records(documents):
        same = tuple(
            record["case"].get(axis, AXIS_DEFAULTS.get(axis)) for axis in AXES if axis != vary
        )
        groups.setdefault((record["run_id"], *same), []).append(record)
    found = []
    for members in groups.values():
        members.sort(key=lambda r: str(axis_value(r, vary)))
        found += [(a, b) for i, a in enumerate(members) for b in members[i + 1 :]]
    return found


def label(record: Record, vary: str) -> str:
    """A column label for a record in a pair, e.g. `cell=lstm`."""
    return f"{vary}={axis_value(record, vary)}"


def top_ops_side_by_side(a: Record, b: Record, vary: str = "cell", top: int = 3) -> pd.DataFrame:
    """The top ops of two records next to each other: one row per rank, column groups per record."""
    frames = {label(record, vary): ops_frame(record, top) for record in (a, b)}
    return pd.concat(frames, axis=1)


def why_tables(
    documents: list[LoadedDocument], vary: str = "cell", top: int = 3
) -> list[dict[str, Any]]:
    """For every pair differing in `vary`: a title, trace dirs, op calls per round, side-by-side table."""
    return [
        {
            "title": f"{label(a, vary)} vs {label(b, vary)}: {a['id']}",
            "trace_dirs": [a["profile"]["trace_dir"], b["profile"]["trace_dir"]],
            "op_calls": [a["profile"].get("op_calls"), b["profile"].get("op_calls")],
            "table": top_ops_side_by_side(a, b, vary, top),
        }
        for a, b in pairs(documents, vary)
    ]


def efficiency_table(frame: pd.DataFrame) -> pd.DataFrame:
    """ok rows with achieved GFLOP/s and % of the GEMM ceiling, lowest efficiency first."""
    ok = frame[(frame["status"] == "ok") & frame["efficiency"].notna()]
    varying = [axis for axis in AXES if ok[axis].astype(str).nunique() > 1]
    table = ok[["id", *varying, "median_s", "gflops_per_s"]].copy()
    table["efficiency_pct"] = 100 * ok["efficiency"]
    return table.sort_values("efficiency_pct", ignore_index=True)


def efficiency_figure(frame: pd.DataFrame, x: str) -> Figure:
    """Efficiency (% of the GEMM ceiling) against `x` (e.g. batch, hidden_size): one panel per
    phase, one line per cell and device (median over the other axes), every case as a dot."""
    ok = frame[(frame["status"] == "ok") & frame["efficiency"].notna()].copy()
    if ok.empty:
        raise ValueError("no ok records with an efficiency to plot")
    ok["pct"] = 100 * ok["efficiency"].astype(float)
    ok["series"] = (
        ok["cell"]
        + " "
        + ok["device"]
        + ok["cudnn"].map({True: " cudnn", False: " native"}).fillna("")
    )
    phases = sorted(ok["phase"].unique())
    fig = Figure(figsize=(4 * len(phases), 3.2), layout="constrained")
    axes = fig.subplots(1, len(phases), sharey=True, squeeze=False)
    for ax, phase in zip(axes[0], phases):
        data = ok[ok["phase"] == phase]
        for series, points in data.groupby("series"):
            line = points.groupby(x)["pct"].median()
            (drawn,) = ax.plot(line.index, line.values, marker="o", label=series)
            ax.scatter(points[x], points["pct"], color=drawn.get_color(), alpha=0.35, s=12)
        ax.set(title=phase, xlabel=x, xscale="log" if data[x].nunique() > 2 else "linear")
        ax.set_xticks(sorted(data[x].unique()), [str(v) for v in sorted(data[x].unique())])
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("% of GEMM ceiling")
    axes[0][-1].legend(fontsize="small")
    return fig


def plot_efficiency(frame: pd.DataFrame, x: str, path: Path) -> Path:
    """`efficiency_figure` saved to `path` (format from its suffix)."""
    atomic.make_directory(path.parent)
    with atomic.replacing(path) as tmp:
        efficiency_figure(frame, x).savefig(tmp, dpi=100)
    return path
