"""History trend plots: one per selected case, its median time with the IQR band across runs.

Reads the history store through `rnnbench.results.history.trend` only. The x axis is the run's date,
labelled with the run's short commit; a case measured on several machines gets one line per
machine fingerprint (never one line across machines).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from rnnbench.errors import UserError
from rnnbench.reports import style
from rnnbench.reports.inputs import short_commit
from rnnbench.reports.units import format_time
from rnnbench.results import history

MAX_CASES = 12  # more plots would bury the page; narrow --trend to see others


@dataclass(frozen=True)
class Trend:
    """Timed history rows of the selected cases (oldest first), and what selected them."""

    db: Path
    pattern: str
    rows: pd.DataFrame

    @property
    def cases(self) -> list[str]:
        """Every selected case id, in order of first appearance."""
        return list(dict.fromkeys(self.rows["id"]))

    @property
    def drawn(self) -> list[str]:
        return self.cases[:MAX_CASES]


def load_trend(db: Path, pattern: str) -> Trend:
    """The timed rows of cases matching `pattern` in `db`; none at all is a `UserError`."""
    rows = history.trend(db, pattern)
    rows = rows[(rows["status"] == "ok") & rows["median_s"].notna()]
    if rows.empty:
        raise UserError(f"{db}: no timed results of a case matching --trend {pattern!r}")
    rows = rows.assign(when=pd.to_datetime(rows["date"], utc=True, format="ISO8601"))
    return Trend(db, pattern, rows.reset_index(drop=True))


def trend_figure(rows: pd.DataFrame, case_id: str) -> Figure:
    """Median time per run of one case (band: IQR) against the run's date, ticks by commit."""
    rows = rows[rows["id"] == case_id].sort_values("when")
    fig = Figure(figsize=(7.5, 3.6), layout="constrained")
    ax = fig.subplots()
    machines = rows["fingerprint"].fillna("unknown").astype(str)
    color = style.CELL_COLORS.get(
        case_id.split("-")[0], style.NEUTRAL
    )  # case ids start with the cell
    for index, (machine, line) in enumerate(rows.groupby(machines, sort=False)):
        dash, marker = style.series_style(index)
        ax.plot(
            line["when"],
            line["median_s"],
            dash,
            marker=marker,
            color=color,
            label=f"machine {machine[:8]}",
        )
        ax.fill_between(
            line["when"], line["q1_s"], line["q3_s"], color=color, alpha=0.2, linewidth=0
        )
    ax.set_xticks(
        rows["when"].tolist(), [short_commit(c) for c in rows["commit"]], rotation=30, ha="right"
    )
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_time(v)))
    ax.set(xlabel="run (by date; label: commit)", ylabel="median time per call (band: IQR)")
    ax.grid(True, alpha=0.3)
    if machines.nunique() > 1:
        ax.legend()
    first, last = rows["when"].iloc[0], rows["when"].iloc[-1]
    fig.suptitle(f"{case_id}\n{len(rows)} runs, {first:%Y-%m-%d} to {last:%Y-%m-%d}")
    return fig
