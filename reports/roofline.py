"""Roofline view: achieved GFLOP/s of every timed case against the device's measured GEMM ceiling.

The ceiling is what the run measured on the device (`env.gemm_gflops`); each record carries it
as `gflops_per_s / efficiency`, so the plot needs no environment lookup. x is the case's analytic
FLOPs per call (how much work one call offers), y its achieved rate with the IQR as error bars
(FLOPs / q3 to FLOPs / q1): a point far below the line is a case the hardware could run faster.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from rnnbench.cases.case import PHASES
from rnnbench.reports import style, tables
from rnnbench.reports.units import format_si

NO_CEILING = "no record has an efficiency (results from before the GEMM ceiling was measured)"


def ceilings(rows: pd.DataFrame) -> pd.Series:
    """The GEMM ceiling (GFLOP/s) per (input, device label, dtype)."""
    rate = rows["gflops_per_s"].astype(float) / rows["efficiency"].astype(float)
    return rate.groupby([rows["input"], rows["device_label"], rows["dtype"]]).median()


def roofline(ok: pd.DataFrame) -> Figure | str:
    """One panel per phase: achieved GFLOP/s against FLOPs per call, ceilings as lines."""
    rows = ok[ok["efficiency"].notna() & ok["flops"].notna() & (ok["efficiency"].astype(float) > 0)]
    if rows.empty:
        return NO_CEILING
    rows = rows.assign(
        flops=rows["flops"].astype(float),
        rate=rows["gflops_per_s"].astype(float),
        low=rows["flops"].astype(float) / rows["q3_s"] / 1e9,
        high=rows["flops"].astype(float) / rows["q1_s"] / 1e9,
        noisy=rows["noisy"].fillna(False).astype(bool),
    )
    limits = ceilings(rows)
    series = list(dict.fromkeys(zip(rows["input"], rows["device_label"])))
    phases = tables.ordered(rows["phase"], PHASES)
    fig = Figure(figsize=(max(6.5, 3.4 * len(phases)), 3.6), layout="constrained")
    axes = fig.subplots(1, len(phases), squeeze=False, sharey=True)
    for ax, phase in zip(axes[0], phases):
        data = rows[rows["phase"] == phase]
        for (cell, name, device), points in data.groupby(["cell", "input", "device_label"]):
            dash, marker = style.series_style(series.index((name, device)))
            color = style.CELL_COLORS.get(str(cell), style.NEUTRAL)
            errors = [
                (points["rate"] - points["low"]).clip(lower=0),
                (points["high"] - points["rate"]).clip(lower=0),
            ]
            ax.errorbar(
                points["flops"], points["rate"], yerr=errors, fmt="none", ecolor=color, alpha=0.6
            )
            for noisy, face in ((False, color), (True, "white")):
                mine = points[points["noisy"] == noisy]
                ax.scatter(
                    mine["flops"],
                    mine["rate"],
                    marker=marker,
                    facecolors=face,
                    edgecolors=color,
                    label=None if noisy else f"{str(cell).upper()} {device}",
                    zorder=3,
                )
        for key, ceiling in limits.items():
            assert isinstance(key, tuple)  # a MultiIndex: (input, device, dtype)
            name, device, dtype = key
            dash, _ = style.series_style(
                series.index((name, device)) if (name, device) in series else 0
            )
            ax.axhline(
                ceiling,
                color=style.NEUTRAL,
                linestyle=dash,
                linewidth=1.5,
                label=f"GEMM ceiling {device}/{dtype}: {ceiling:.3g} GFLOP/s",
            )
        ax.set(xscale="log", yscale="log", title=phase.replace("_", "+"), xlabel="FLOPs per call")
        low = min(data["low"].min(), limits.min())
        ax.set_ylim(low / 1.5, max(data["high"].max(), limits.max()) * 1.5)
        style.unit_axis(ax.xaxis, lambda v: f"{format_si(v)}FLOP", most=4)
        style.unit_axis(ax.yaxis, lambda v: f"{v:g}")
        ax.grid(True, which="both", alpha=0.3)
    axes[0][0].set_ylabel("achieved GFLOP/s")
    fig.legend(
        *axes[0][-1].get_legend_handles_labels(), loc="outside right center", fontsize="x-small"
    )
    fig.suptitle(
        f"Roofline: achieved GFLOP/s (error bars: IQR; {style.NOISY_NOTE})\n"
        "vs the GEMM ceiling the run measured on the device (line)"
    )
    return fig
