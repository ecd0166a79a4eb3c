"""The report's plots (matplotlib's object API, no pyplot state): each function takes timed
records and returns a figure, or the reason it has nothing to draw. Titles name what is fixed;
axes carry units.

A sweep plot needs an axis that varies while the others stay fixed: it picks the slice of the
grid (all other axes fixed) where the swept axis takes the most values.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogFormatterSciNotation, NullFormatter

from rnnbench.cases.case import CELLS, PHASES
from rnnbench.reports import tables
from rnnbench.reports.claims import pairs
from rnnbench.reports.inputs import KEY
from rnnbench.reports.profile_summary import efficiency_figure
from rnnbench.reports.units import format_time

LABELS = {"seq_len": "sequence length (steps)", "batch": "batch size", "hidden_size": "hidden size",
          "input_size": "input size", "num_layers": "layers", "bidirectional": "bidirectional"}  # fmt: skip
SHORT = {"batch": "b", "seq_len": "t", "input_size": "i", "hidden_size": "h", "num_layers": "l"}
COLORS = {"lstm": "tab:blue", "gru": "tab:orange"}
STYLES = ("-", "--", ":", "-.")
SERIES = ("input", "device_label")  # one line each in sweep plots
DECADE = 10  # log scale once values span this factor
Drawn = Figure | str  # a figure, or why there is none


def fixed_text(fixed: dict[str, object]) -> str:
    """`b=8 t=32 l=1 uni cpu`: the axes a plot holds fixed (one input's label left out)."""
    parts = []
    for key, value in fixed.items():
        if key in SHORT:
            parts.append(f"{SHORT[key]}={value}")
        elif key == "bidirectional":
            parts.append("bi" if value else "uni")
        elif key in ("device_label", "dtype", "model"):
            parts.append(str(value))
    return " ".join(parts)


def best_slice(rows: pd.DataFrame, swept: list[str]) -> tuple[pd.DataFrame, dict[str, object]] | None:
    """Rows of the slice (all other shape axes fixed) where `swept` take the most distinct values (>= 2).

    Inputs and devices are not fixed: each becomes its own line, so a GPU run shows CPU and CUDA.
    """
    if rows.empty:
        return None
    others = [key for key in KEY if key not in (*swept, *SERIES)]
    counts = rows.groupby(others)[swept].apply(lambda g: len(g.drop_duplicates()))
    if counts.max() < 2:
        return None
    fixed = dict(zip(others, counts.idxmax()))
    mask = pd.concat([rows[key] == value for key, value in fixed.items()], axis=1).all(axis=1)
    return rows[mask], fixed


def scale_axis(ax: Axes, values: pd.Series, which: str) -> None:
    """Log scale when the values span a decade or more."""
    low, high = values.min(), values.max()
    if low > 0 and high / low >= DECADE:
        (ax.set_xscale if which == "x" else ax.set_yscale)("log")


class UnitLogFormatter(LogFormatterSciNotation):
    """matplotlib's choice of which log ticks to label, written in human units (ms, MiB)."""

    def __init__(self, fmt: Callable[[float], str], labelOnlyBase: bool = False) -> None:
        super().__init__(labelOnlyBase=labelOnlyBase)
        self.fmt = fmt

    def __call__(self, x: float, pos: int | None = None) -> str:
        return self.fmt(x) if super().__call__(x, pos) else ""


def label_in_units(axis: Axis, fmt: Callable[[float], str]) -> None:
    """Tick labels in human units on a linear or log axis (log: the same ticks matplotlib labels)."""
    if axis.get_scale() == "log":
        axis.set_major_formatter(UnitLogFormatter(fmt))
        axis.set_minor_formatter(UnitLogFormatter(fmt))
    else:
        axis.set_major_formatter(FuncFormatter(lambda v, _: fmt(v)))


def sweep_lines(ax: Axes, rows: pd.DataFrame, x: str, y: str, band: tuple[str, str] | None) -> None:
    """One line per cell, input and device (line style), with the IQR as a shaded band."""
    series = list(dict.fromkeys(zip(rows["input"], rows["device_label"])))
    inputs = list(dict.fromkeys(rows["input"]))
    for (cell, *key), line in rows.groupby(["cell", *SERIES]):
        line = line.sort_values(x)
        name, device = key
        label = " ".join(
            [cell.upper()]
            + ([device] if rows["device_label"].nunique() > 1 else [])
            + ([f"(input {inputs.index(name) + 1})"] if len(inputs) > 1 else [])
        )
        style = STYLES[series.index((name, device)) % len(STYLES)]
        ax.plot(line[x], line[y], style, marker="o", color=COLORS[cell], label=label)
        if band is not None:
            ax.fill_between(line[x], line[band[0]], line[band[1]], color=COLORS[cell], alpha=0.2)
    scale_axis(ax, rows[x], "x")
    scale_axis(ax, rows[y], "y")
    ax.set_xticks(sorted(rows[x].unique()), [str(v) for v in sorted(rows[x].unique())])
    ax.xaxis.set_minor_formatter(NullFormatter())  # the data values are the labels
    ax.set_xlabel(LABELS[x])
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()


def time_vs(x: str) -> Callable[[pd.DataFrame], Drawn]:
    """Median time against `x`, LSTM and GRU on the same axes, one panel per phase."""

    def draw(ok: pd.DataFrame) -> Drawn:
        picked = best_slice(ok, [x])
        if picked is None:
            return f"{x} takes one value per shape"
        rows, fixed = picked
        phases = tables.ordered(rows["phase"], PHASES)
        fig = Figure(figsize=(max(6.5, 4.2 * len(phases)), 4.2), layout="constrained")
        axes = fig.subplots(1, len(phases), squeeze=False)
        for ax, phase in zip(axes[0], phases):
            sweep_lines(ax, rows[rows["phase"] == phase], x, "median_s", ("q1_s", "q3_s"))
            ax.set_title(phase.replace("_", "+"))
            ax.set_ylabel("median time per call (band: IQR)")
            label_in_units(ax.yaxis, format_time)
        fig.suptitle(f"Time vs {LABELS[x]}\n{fixed_text(fixed)}")
        return fig

    return draw


def heat_axes(ratios: pd.DataFrame) -> tuple[list[str], pd.DataFrame, dict[str, object]] | None:
    """The pair of axes (and slice) with the most GRU/LSTM ratio cells."""
    best = None
    for pair in itertools.combinations(
        ["batch", "seq_len", "hidden_size", "input_size", "num_layers", "bidirectional"], 2
    ):
        picked = best_slice(ratios, list(pair))
        if picked is not None and (best is None or len(picked[0]) > len(best[1])):
            best = (list(pair), *picked)
    return best


def ratio_heat_map(ok: pd.DataFrame) -> Drawn:
    """GRU/LSTM median-time ratio over two axes, one panel per phase; 1.0 (parity) marked."""
    ratios = pd.concat([pairs(ok, "median_s", phase).assign(phase=phase) for phase in PHASES])
    ratios = ratios.astype({"ratio": float})
    if ratios.empty:
        return "no shape has both cells measured"
    name, device = ratios.groupby(list(SERIES)).size().idxmax()  # the input and device with most pairs
    ratios = ratios[(ratios["input"] == name) & (ratios["device_label"] == device)]
    found = heat_axes(ratios.drop(columns="phase").drop_duplicates(list(KEY)))
    if found is None:
        return "no two axes vary together with both cells measured"
    (y, x), _, fixed = found
    mask = pd.concat([ratios[key] == value for key, value in fixed.items()], axis=1).all(axis=1)
    rows = ratios[mask]
    phases = tables.ordered(rows["phase"], PHASES)
    reach = max(rows["ratio"].max(), 1 / rows["ratio"].min(), 1.1)
    norm = LogNorm(vmin=1 / reach, vmax=reach)  # symmetric in log space: 1.0 sits in the middle
    fig = Figure(figsize=(max(6.5, 4.4 * len(phases)), 4.2), layout="constrained")
    axes = fig.subplots(1, len(phases), squeeze=False)
    for ax, phase in zip(axes[0], phases):
        grid = rows[rows["phase"] == phase].pivot_table(index=y, columns=x, values="ratio")
        image = ax.imshow(grid.to_numpy(), cmap="RdBu_r", norm=norm, origin="lower", aspect="auto")
        ax.set_xticks(range(len(grid.columns)), [str(v) for v in grid.columns])
        ax.set_yticks(range(len(grid.index)), [str(v) for v in grid.index])
        for (i, j), value in pd.DataFrame(grid.to_numpy()).stack().items():
            dark = abs(math.log(value)) > 0.6 * math.log(reach)  # deep colour: white text reads better
            ax.text(j, i, f"{value:.2g}×", ha="center", va="center", fontsize=9, color="white" if dark else "black")
        ax.set(xlabel=LABELS[x], ylabel=LABELS[y], title=phase.replace("_", "+"))
    bar = fig.colorbar(image, ax=axes[0].tolist(), label="GRU time / LSTM time")
    bar.ax.axhline(1.0, color="black", linewidth=2)
    bar.set_ticks([norm.vmin, 1.0, norm.vmax], labels=[f"{norm.vmin:.2g}", "1.0", f"{norm.vmax:.2g}"])
    bar.minorticks_off()
    fig.suptitle(f"GRU/LSTM time ratio (<1: GRU faster; black line: 1.0)\n{fixed_text(fixed)} {device}")
    return fig


def cudnn_bars(ok: pd.DataFrame) -> Drawn:
    """cuDNN speed-up (time with cuDNN off / on) per shape, LSTM and GRU side by side."""
    speedups = tables.cudnn_speedup(ok)
    if speedups.empty:
        return "no CUDA results with cuDNN both on and off"
    phases = tables.ordered(speedups["phase"], PHASES)
    fig = Figure(figsize=(10, 3.2 * len(phases)), layout="constrained")
    axes = fig.subplots(len(phases), 1, squeeze=False)
    for ax, phase in zip(axes[:, 0], phases):
        rows = speedups[speedups["phase"] == phase].copy()
        keys = [key for key in KEY if key in rows.columns and rows[key].nunique() > 1] or ["model"]
        rows["shape"] = [fixed_text(dict(zip(keys, key))) for key in rows[keys].itertuples(index=False)]
        wide = rows.pivot_table(index="shape", columns="cell", values="cuda-cudnn speedup")
        wide[tables.ordered(wide.columns, CELLS)].plot.bar(ax=ax, color=COLORS, rot=30)
        ax.axhline(1.0, color="black", linewidth=1)
        ax.set(title=phase.replace("_", "+"), ylabel="speed-up (×)", xlabel="")
    fig.suptitle("cuDNN speed-up: time with cuDNN off / time with cuDNN on (>1: cuDNN faster)")
    return fig


def efficiency(ok: pd.DataFrame) -> Drawn:
    """% of the measured GEMM ceiling against batch or hidden size (whichever takes more values)."""
    rows = ok[ok["efficiency"].notna()]
    if rows.empty:
        return "no record has an efficiency (results from before the GEMM ceiling was measured)"
    x = max(("batch", "hidden_size"), key=lambda axis: rows[axis].nunique())
    if rows[x].nunique() < 2:
        return "neither batch nor hidden size varies"
    fig = efficiency_figure(rows, x)
    fig.suptitle(f"Efficiency: achieved GFLOP/s as % of the measured GEMM ceiling, vs {LABELS[x]}")
    return fig


PLOTS: dict[str, tuple[str, Callable[[pd.DataFrame], Drawn]]] = {
    "time_vs_seq_len": ("Time vs sequence length", time_vs("seq_len")),
    "time_vs_batch": ("Time vs batch size", time_vs("batch")),
    "time_vs_hidden_size": ("Time vs hidden size", time_vs("hidden_size")),
    "ratio_heat_map": ("GRU/LSTM time ratio", ratio_heat_map),
    "cudnn_speedup": ("cuDNN speed-up", cudnn_bars),
    "efficiency": ("Efficiency vs batch or hidden size", efficiency),
}
