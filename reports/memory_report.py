"""Memory in the report: measured peak bytes against shape, beside the memory model's figure and
the bytes saved for backward, one panel per device (rows) and phase (columns); and a table of
measured against modelled peaks.

`peak_bytes` is one round's target above what was live before it (rnnbench.measurement.memory);
`model_peak_bytes` is the memory model's figure for the same quantity (measurement.analytic).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from rnnbench.cases.case import PHASES
from rnnbench.reports import style, tables
from rnnbench.reports.inputs import KEY
from rnnbench.reports.sweeps import LABELS, best_slice, fixed_text
from rnnbench.reports.units import format_bytes

Drawn = Figure | str  # a figure, or why there is none

SWEEPS = ("seq_len", "batch", "hidden_size")
LINES = {  # measure: (line style, marker, legend word)
    "peak_bytes": ("-", "o", "peak"),
    "model_peak_bytes": (":", None, "model"),
    "saved_bytes": ("--", "s", "saved"),
}
SHOWS = {  # each plot's alt text
    x: f"measured peak bytes of one round, the memory model's figure and bytes saved for backward of LSTM"
    f" and GRU against {LABELS[x]}, one panel per device and phase"
    for x in SWEEPS
}


def with_peaks(ok: pd.DataFrame) -> pd.DataFrame:
    """Records with a measured peak, from the one input that has the most of them."""
    rows = ok[pd.to_numeric(ok["peak_bytes"]).notna()] if "peak_bytes" in ok else ok.iloc[0:0]
    if rows.empty:
        return rows
    return rows[rows["input"] == rows["input"].value_counts().idxmax()]


def draw_panel(ax: Axes, rows: pd.DataFrame, x: str, phase: str) -> None:
    """Measured peak, model peak and (training phases) saved bytes of LSTM and GRU against `x`."""
    shown = [
        m
        for m in LINES
        if m in rows and rows[m].notna().any() and (m != "saved_bytes" or phase != "inference")
    ]
    for cell, line in rows.groupby("cell"):
        line = line.sort_values(x)
        for measure in shown:
            dash, marker, word = LINES[measure]
            ax.plot(
                line[x],
                line[measure].astype(float),
                dash,
                marker=marker,
                color=style.CELL_COLORS.get(str(cell), style.NEUTRAL),
                label=f"{str(cell).upper()} {word}",
            )
    values = pd.concat([rows[m].astype(float) for m in shown])
    style.log_if_wide(ax, rows[x], "x", style.SWEEP_SPAN)
    style.log_if_wide(ax, values[values > 0], "y")
    style.data_ticks(ax, rows[x])
    ax.set(xlabel=LABELS[x], ylabel="bytes")
    style.unit_axis(ax.yaxis, format_bytes, binary=True)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)


def memory_vs(x: str) -> Callable[[pd.DataFrame], Drawn]:
    """Peak bytes of one round against `x`: one row of panels per device, one column per phase."""

    def draw(ok: pd.DataFrame) -> Drawn:
        picked = best_slice(with_peaks(ok), [x])
        if picked is None:
            return f"no records with a measured peak that sweep {x}"
        rows, fixed = picked
        devices = sorted(rows["device_label"].unique())
        phases = tables.ordered(rows["phase"], PHASES)
        fig = Figure(
            figsize=(max(6.5, 4.2 * len(phases)), 3.8 * len(devices)), layout="constrained"
        )
        axes = fig.subplots(len(devices), len(phases), squeeze=False)
        for row, device in enumerate(devices):
            for col, phase in enumerate(phases):
                panel = rows[(rows["device_label"] == device) & (rows["phase"] == phase)]
                if panel.empty:
                    axes[row][col].set_axis_off()
                    continue
                draw_panel(axes[row][col], panel, x, phase)
                axes[row][col].set_title(f"{device} {phase.replace('_', '+')}")
        fig.suptitle(
            f"Peak memory of one round vs {LABELS[x]}\n(solid: measured, dotted: memory model, dashed: saved"
            f" for backward)\n{fixed_text(fixed)}"
        )
        return fig

    return draw


PLOTS: dict[str, tuple[str, str, Callable[[pd.DataFrame], Drawn]]] = {  # name: (title, shows, draw)
    f"memory_vs_{x}": (f"Peak memory vs {LABELS[x]}", SHOWS[x], memory_vs(x)) for x in SWEEPS
}


def model_check(ok: pd.DataFrame) -> pd.DataFrame:
    """Per case with both figures: measured peak, the model's peak, and measured / model."""
    if "model_peak_bytes" not in ok:
        return pd.DataFrame()
    measured, model = pd.to_numeric(ok["peak_bytes"]), pd.to_numeric(ok["model_peak_bytes"])
    rows = ok[measured.notna() & model.notna()]
    table = rows[[*KEY, "cell", "phase", "peak_bytes", "model_peak_bytes"]].astype(
        {"peak_bytes": float, "model_peak_bytes": float}
    )
    table["measured/model peak"] = table["peak_bytes"] / table["model_peak_bytes"]
    return table.reset_index(drop=True)
