"""The report's plots (matplotlib's object API, no pyplot state): each function takes timed
records and returns a figure, or the reason it has nothing to draw. Titles name what is fixed;
axes carry units; colours, line styles and log ticks come from `rnnbench.reports.style`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from rnnbench.cases.case import PHASES
from rnnbench.reports import memory_report, style, tables
from rnnbench.reports.claims import pairs
from rnnbench.reports.inputs import KEY
from rnnbench.reports.roofline import roofline
from rnnbench.reports.sweeps import LABELS, SERIES, SWEEPABLE, best_slice, fixed_text
from rnnbench.reports.units import format_time
from rnnbench.reports.verdict import shape_ratios

Drawn = Figure | str  # a figure, or why there is none


@dataclass(frozen=True)
class PlotSpec:
    """A plot of the Plots section: its title, what it shows (the image's alt text) and how to draw it."""

    title: str
    shows: str
    draw: Callable[[pd.DataFrame], Drawn]


def series_label(cell: str, device: str, name: str, rows: pd.DataFrame) -> str:
    """`GRU`, `GRU cuda-cudnn`, `GRU (input 2)`: only what tells the lines apart."""
    inputs = list(dict.fromkeys(rows["input"]))
    return " ".join(
        [cell.upper()]
        + ([device] if rows["device_label"].nunique() > 1 else [])
        + ([f"(input {inputs.index(name) + 1})"] if len(inputs) > 1 else [])
    )


def sweep_lines(ax: Axes, rows: pd.DataFrame, x: str, y: str, band: tuple[str, str] | None) -> None:
    """One line per cell (colour), input and device (line style and marker), with the IQR as a
    shaded band; noisy points drawn hollow."""
    series = list(dict.fromkeys(zip(rows["input"], rows["device_label"])))
    for (cell, name, device), line in rows.groupby(["cell", *SERIES]):
        line = line.sort_values(x)
        dash, marker = style.series_style(series.index((name, device)))
        color = style.CELL_COLORS.get(str(cell), style.NEUTRAL)
        label = series_label(str(cell), str(device), str(name), rows)
        ax.plot(line[x], line[y], dash, color=color, label=label)
        noisy = (
            line["noisy"].fillna(False).astype(bool)
            if "noisy" in line
            else pd.Series(False, index=line.index)
        )
        ax.scatter(line[x][~noisy], line[y][~noisy], marker=marker, color=color, zorder=3)
        ax.scatter(
            line[x][noisy],
            line[y][noisy],
            marker=marker,
            facecolors="white",
            edgecolors=color,
            zorder=3,
        )
        if band is not None:
            ax.fill_between(
                line[x], line[band[0]], line[band[1]], color=color, alpha=0.2, linewidth=0
            )
    style.log_if_wide(ax, rows[x], "x", style.SWEEP_SPAN)
    style.log_if_wide(ax, pd.concat([rows[y], *(rows[b] for b in band or ())]), "y")
    style.data_ticks(ax, rows[x])
    ax.set_xlabel(LABELS[x])
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")


def time_vs(x: str) -> Callable[[pd.DataFrame], Drawn]:
    """Median time against `x`, LSTM and GRU on the same axes, one panel per phase."""

    def draw(ok: pd.DataFrame) -> Drawn:
        picked = best_slice(ok, [x])
        if picked is None:
            return f"{x} takes one value per shape"
        rows, fixed = picked
        phases = tables.ordered(rows["phase"], PHASES)
        fig = Figure(figsize=(max(6.5, 3.4 * len(phases)), 3.6), layout="constrained")
        axes = fig.subplots(1, len(phases), squeeze=False)
        for ax, phase in zip(axes[0], phases):
            sweep_lines(ax, rows[rows["phase"] == phase], x, "median_s", ("q1_s", "q3_s"))
            ax.set_title(phase.replace("_", "+"))
            style.unit_axis(ax.yaxis, format_time)
        axes[0][0].set_ylabel("median time per call")
        fig.suptitle(f"Time vs {LABELS[x]} (band: IQR; {style.NOISY_NOTE})\n{fixed_text(fixed)}")
        return fig

    return draw


def full_grid(ratios: pd.DataFrame) -> tuple[str, str, pd.DataFrame, dict[str, object]] | None:
    """The pair of axes whose slice is a complete 2-D grid (every combination measured, >= 2 x 2)
    with the most cells; None when the records hold no such grid (one-axis sweeps only)."""
    best = None
    for y, x in itertools.combinations(SWEEPABLE, 2):
        picked = best_slice(ratios, [y, x])
        if picked is None:
            continue
        rows, fixed = picked
        complete = rows[y].nunique() >= 2 and rows[x].nunique() >= 2
        complete = (
            complete and len(rows.drop_duplicates([y, x])) == rows[y].nunique() * rows[x].nunique()
        )
        if complete and (best is None or len(rows) > len(best[2])):
            best = (y, x, rows, fixed)
    return best


def ratio_heat_map(ok: pd.DataFrame) -> Drawn:
    """GRU/LSTM median-time ratio over a real 2-D grid of two axes, one panel per phase."""
    ratios = pd.concat([pairs(ok, "median_s", phase).assign(phase=phase) for phase in PHASES])
    if ratios.empty:
        return "no shape has both cells measured"
    ratios = ratios.astype({"ratio": float})
    most = ratios.groupby(list(SERIES)).size().idxmax()  # the input and device with most pairs
    assert isinstance(most, tuple)  # grouped by both: a MultiIndex
    name, device = most
    ratios = ratios[(ratios["input"] == name) & (ratios["device_label"] == device)]
    found = full_grid(ratios.drop(columns="phase").drop_duplicates(list(KEY)))
    if found is None:
        return "no two axes form a complete grid (the sweeps vary one axis at a time); see the verdict's ratio plot"
    y, x, _, fixed = found
    mask = pd.concat([ok[key] == value for key, value in fixed.items()], axis=1).all(axis=1)
    rows = shape_ratios(ok[mask & (ok["input"] == name) & (ok["device_label"] == device)])
    phases = tables.ordered(rows["phase"], PHASES)
    reach = max(rows["ratio"].max(), 1 / rows["ratio"].min(), 1.1)
    norm = LogNorm(vmin=1 / reach, vmax=reach)  # symmetric in log space: 1.0 sits in the middle
    fig = Figure(figsize=(max(6.5, 3.4 * len(phases)), 3.4), layout="constrained")
    axes = fig.subplots(1, len(phases), squeeze=False)
    for ax, phase in zip(axes[0], phases):
        mine = rows[rows["phase"] == phase]
        grid, low, high = (
            mine.pivot_table(index=y, columns=x, values=v) for v in ("ratio", "ci_low", "ci_high")
        )
        image = ax.imshow(grid.to_numpy(), cmap="RdBu_r", norm=norm, origin="lower", aspect="auto")
        ax.set_xticks(range(len(grid.columns)), [style.label_value(v) for v in grid.columns])
        ax.set_yticks(range(len(grid.index)), [style.label_value(v) for v in grid.index])
        cells = pd.DataFrame(grid.to_numpy()).stack()
        assert isinstance(cells, pd.Series)  # one column level: stacked into a Series
        lows, highs = low.to_numpy(), high.to_numpy()
        for key, value in cells.items():
            assert isinstance(key, tuple)  # (row, column)
            i, j = key
            dark = abs(math.log(value)) > 0.6 * math.log(
                reach
            )  # deep colour: white text reads better
            ci = f"({lows[i, j]:.2g}–{highs[i, j]:.2g})"
            ax.text(
                j,
                i,
                f"{value:.2g}×\n{ci}",
                ha="center",
                va="center",
                fontsize=8,
                color="white" if dark else "black",
            )
        ax.set(xlabel=LABELS[x], ylabel=LABELS[y], title=phase.replace("_", "+"))
    bar = fig.colorbar(image, ax=axes[0].tolist(), label="GRU time / LSTM time")
    bar.ax.axhline(1.0, color="black", linewidth=2)
    vmin, vmax = norm.vmin, norm.vmax
    assert vmin is not None and vmax is not None  # given above
    bar.set_ticks([vmin, 1.0, vmax], labels=[f"{vmin:.2g}×", "1×", f"{vmax:.3g}×"])
    bar.minorticks_off()
    fig.suptitle(
        f"GRU/LSTM time ratio, bootstrap 95% CI in brackets (<1, blue: GRU faster)\n"
        f"{fixed_text(fixed)} {device}"
    )
    return fig


def cudnn_bars(ok: pd.DataFrame) -> Drawn:
    """cuDNN speed-up (time with cuDNN off / on) per shape, LSTM and GRU side by side; error bars
    span the IQRs (off q1 / on q3 to off q3 / on q1)."""
    speedups = tables.cudnn_speedup(ok, spread=True)
    if speedups.empty:
        return "no CUDA results with cuDNN both on and off"
    phases = tables.ordered(speedups["phase"], PHASES)
    fig = Figure(figsize=(10, 3.2 * len(phases)), layout="constrained")
    axes = fig.subplots(len(phases), 1, squeeze=False)
    for ax, phase in zip(axes[:, 0], phases):
        rows = speedups[speedups["phase"] == phase].copy()
        keys = [key for key in KEY if key in rows.columns and rows[key].nunique() > 1] or ["model"]
        rows["shape"] = [
            fixed_text(dict(zip(keys, key))) for key in rows[keys].itertuples(index=False)
        ]
        shapes = list(dict.fromkeys(rows["shape"]))
        cells = tables.cell_order(rows["cell"])
        width = 0.8 / len(cells)
        for k, cell in enumerate(cells):
            mine = rows[rows["cell"] == cell].set_index("shape").reindex(shapes)
            value = mine["cuda-cudnn speedup"]
            low = mine["cuda-native q1_s"] / mine["cuda-cudnn q3_s"]
            high = mine["cuda-native q3_s"] / mine["cuda-cudnn q1_s"]
            positions = [i + (k - (len(cells) - 1) / 2) * width for i in range(len(shapes))]
            ax.bar(
                positions,
                value,
                width,
                color=style.CELL_COLORS.get(cell, style.NEUTRAL),
                label=cell.upper(),
                yerr=[(value - low).clip(lower=0), (high - value).clip(lower=0)],
                capsize=2,
            )
        ax.set_xticks(range(len(shapes)), shapes, rotation=30, ha="right")
        ax.axhline(1.0, color="black", linewidth=1)
        ax.set(title=phase.replace("_", "+"), ylabel="speed-up (×)")
        ax.legend(fontsize="small")
    fig.suptitle("cuDNN speed-up: time with cuDNN off / on (>1: cuDNN faster; bars: IQR range)")
    return fig


PLOTS: dict[str, PlotSpec] = {
    "time_vs_seq_len": PlotSpec(
        "Time vs sequence length",
        "median time per call of LSTM and GRU against sequence length, one panel "
        "per phase, IQR band",
        time_vs("seq_len"),
    ),
    "time_vs_batch": PlotSpec(
        "Time vs batch size",
        "median time per call of LSTM and GRU against batch size, one panel per phase, IQR band",
        time_vs("batch"),
    ),
    "time_vs_hidden_size": PlotSpec(
        "Time vs hidden size",
        "median time per call of LSTM and GRU against hidden size, one panel per phase, IQR band",
        time_vs("hidden_size"),
    ),
    "roofline": PlotSpec(
        "Roofline: achieved GFLOP/s vs the GEMM ceiling",
        "achieved GFLOP/s of every timed case against its "
        "FLOPs per call, with the measured GEMM ceiling of each device as a line and IQR error bars",
        roofline,
    ),
    **{name: PlotSpec(*spec) for name, spec in memory_report.PLOTS.items()},
    "ratio_heat_map": PlotSpec(
        "GRU/LSTM time ratio over a 2-D grid",
        "heat map of the GRU/LSTM time ratio over two axes measured as a "
        "complete grid, one panel per phase",
        ratio_heat_map,
    ),
    "cudnn_speedup": PlotSpec(
        "cuDNN speed-up",
        "bars of the cuDNN-off over cuDNN-on time ratio per shape for LSTM and GRU, with the "
        "IQR range",
        cudnn_bars,
    ),
}
