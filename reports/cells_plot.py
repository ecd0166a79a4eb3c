"""The N-cell verdict's plot: each cell's time ratio to the reference against each swept axis.

One panel per swept axis (the slice where it takes the most values), one line per cell (its
colour in every plot, `rnnbench.reports.style.CELL_COLORS`) and phase (line style and marker),
each shape's bootstrap 95% CI as a band; the reference is the line at 1.0, below it a cell is faster.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from rnnbench.cases.case import PHASES
from rnnbench.reports import style
from rnnbench.reports.cells_verdict import CellsVerdict
from rnnbench.reports.sweeps import LABELS, best_slice, fixed_text, swept_axes

MAX_PANELS = 4


def cells_figure(found: CellsVerdict) -> Figure | str:
    """The ratio plot of an N-cell verdict, or why there is none."""
    shapes = found.shapes
    if shapes.empty:
        return f"no shape has another cell timed beside {found.reference}"
    axes_swept = [axis for axis in swept_axes(shapes) if axis != "bidirectional"][:MAX_PANELS]
    if not axes_swept:
        return "no axis takes two or more values with the others fixed"
    phases = [phase for phase in PHASES if phase in set(shapes["phase"])]
    fig = Figure(figsize=(4.2 * len(axes_swept) + 2.2, 3.2), layout="constrained")
    panels = fig.subplots(1, len(axes_swept), squeeze=False, sharey=True)[0]
    for ax, axis in zip(panels, axes_swept):
        rows, fixed = best_slice(shapes, [axis])  # type: ignore[misc]
        for (cell, phase), line in rows.groupby(["cell", "phase"], sort=False):
            line = line.sort_values(axis)
            dash, marker = style.series_style(phases.index(str(phase)))
            color = style.CELL_COLORS[str(cell)]
            ax.plot(
                line[axis],
                line["ratio"],
                dash,
                marker=marker,
                color=color,
                markersize=4,
                label=f"{cell} {str(phase).replace('_', '+')}",
            )
            ax.fill_between(
                line[axis], line["ci_low"], line["ci_high"], color=color, alpha=0.15, linewidth=0
            )
        ax.axhline(1.0, color=style.CELL_COLORS[found.reference], linewidth=1.5)
        ax.set_yscale("log")
        style.log_if_wide(ax, rows[axis], "x", style.SWEEP_SPAN)
        style.data_ticks(ax, rows[axis])
        ax.set_xlabel(LABELS[axis])
        ax.set_title(
            fixed_text({k: v for k, v in fixed.items() if k not in (axis, "model", "dtype")}),
            fontsize=8,
        )
        ax.grid(True, which="both", alpha=0.3)
    span = pd.concat([shapes["ci_low"], shapes["ci_high"], pd.Series([0.9, 1.1])])
    panels[0].set_ylim(span.min() / 1.1, span.max() * 1.1)
    style.unit_axis(panels[0].yaxis, style.format_ratio_tick)
    panels[0].set_ylabel(f"time / {found.reference} time")
    panels[0].text(
        0.02,
        0.03,
        f"below 1: faster than {found.reference}",
        transform=panels[0].transAxes,
        fontsize=8,
    )
    fig.legend(*panels[0].get_legend_handles_labels(), loc="outside right center", fontsize=8)
    fig.suptitle(
        f"Each cell's time ratio to {found.reference} per shape (band: bootstrap 95% CI; "
        f"line at 1.0: {found.reference})",
        fontsize=10,
    )
    return fig
