"""The verdict's headline plot: GRU/LSTM time ratio against each swept axis, 1.0 marked.

One panel per swept axis (the slice where it takes the most values), one line per phase (the
phase colours of `rnnbench.reports.style`) and device (line style), the gate's bootstrap 95% CI
of each shape's ratio as a band; below 1.0 GRU is faster.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from rnnbench.cases.case import PHASES
from rnnbench.reports import style, tables
from rnnbench.reports.sweeps import LABELS, best_slice, fixed_text, swept_axes

MAX_PANELS = 5


def headline(shapes: pd.DataFrame) -> Figure | str:
    """The ratio plot of a verdict's per-shape ratios (`rnnbench.reports.verdict.shape_ratios`)."""
    if shapes.empty:
        return "no shape has both cells timed"
    axes_swept = swept_axes(shapes)[:MAX_PANELS]
    if not axes_swept:
        return "no axis takes two or more values with the others fixed"
    devices = list(dict.fromkeys(shapes["device_label"]))
    fig = Figure(figsize=(12.4, 2.9), layout="constrained")
    panels = fig.subplots(1, len(axes_swept), squeeze=False, sharey=True)[0]
    span = pd.concat([shapes["ci_low"], shapes["ci_high"], shapes["ratio"], pd.Series([0.9, 1.1])])
    for ax, axis in zip(panels, axes_swept):
        rows, fixed = best_slice(shapes, [axis])  # type: ignore[misc]
        for (device, phase), line in rows.groupby(["device_label", "phase"], sort=False):
            line = line.sort_values(axis)
            dash, marker = style.series_style(devices.index(device))
            x = line[axis].astype(int) if line[axis].dtype == bool else line[axis]
            color = style.PHASE_COLORS[str(phase)]
            label = str(phase).replace("_", "+") + (f" {device}" if len(devices) > 1 else "")
            ax.plot(x, line["ratio"], dash, marker=marker, color=color, label=label, markersize=4)
            noisy = line["noisy"].to_numpy(bool)
            ax.scatter(
                x[noisy],
                line["ratio"][noisy],
                marker=marker,
                s=16,
                facecolors="white",
                edgecolors=color,
                zorder=3,
            )
            ax.fill_between(
                x, line["ci_low"], line["ci_high"], color=color, alpha=0.15, linewidth=0
            )
        ax.axhline(1.0, color="black", linewidth=1)
        ax.set_yscale("log")
        values = rows[axis].astype(int) if rows[axis].dtype == bool else rows[axis]
        if axis != "bidirectional":
            style.log_if_wide(ax, values, "x", style.SWEEP_SPAN)
        style.data_ticks(ax, values)
        if axis == "bidirectional":
            ax.set_xticks([0, 1], ["uni", "bi"])
        ax.set_xlabel(LABELS[axis])
        ax.set_title(
            fixed_text({k: v for k, v in fixed.items() if k not in (axis, "model", "dtype")}),
            fontsize=8,
        )
        ax.grid(True, which="both", alpha=0.3)
    panels[0].set_ylim(span.min() / 1.05, span.max() * 1.05)
    style.unit_axis(panels[0].yaxis, style.format_ratio_tick)
    panels[0].set_ylabel("GRU time / LSTM time")
    panels[0].text(0.02, 0.03, "below 1: GRU faster", transform=panels[0].transAxes, fontsize=8)
    handles, labels = panels[0].get_legend_handles_labels()
    order = [
        labels.index(p.replace("_", "+"))
        for p in tables.ordered(shapes["phase"], PHASES)
        if p.replace("_", "+") in labels
    ]
    if len(devices) > 1:
        order = list(range(len(labels)))
    fig.legend(
        [handles[i] for i in order],
        [labels[i] for i in order],
        loc="outside right center",
        fontsize=8,
    )
    common = fixed_text(
        {key: shapes[key].iloc[0] for key in ("model", "dtype") if shapes[key].nunique() == 1}
    )
    fig.suptitle(
        f"GRU/LSTM time ratio per shape, {common} (band: bootstrap 95% CI; black line: 1.0; "
        f"{style.NOISY_NOTE})",
        fontsize=10,
    )
    return fig
