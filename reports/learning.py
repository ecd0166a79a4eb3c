"""Learning-curve plots from stored `train_quality` records: the metric against training steps and
against training seconds ("which reaches the target first on this machine"), one panel per task
and sequence length, one line per configuration (cell, forget-gate bias, size matching).

Lines are the mean over seeds, bands span min to max over seeds. Seeds share one grid: a seed that
stopped early (target reached and saturated) holds its last value to the end of the grid, and on
the seconds axis each seed's curve is interpolated linearly between its evaluations.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from rnnbench.reports.accuracy import quality_rows
from rnnbench.reports.plots import PlotSpec
from rnnbench.reports.style import CELL_COLORS, NEUTRAL, SERIES_STYLES

METRIC_LABELS = {"accuracy": "held-out accuracy", "mse": "held-out MSE (log)"}
X_LABELS = {"step": "training step", "seconds": "training seconds (evaluations excluded)"}
GRID_POINTS = 200
Drawn = Figure | str


def seed_band(
    curves: list[dict[str, list[float]]], x: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(grid, mean, low, high) of the seeds' curves on one x grid (last values held)."""
    end = max(curve[x][-1] for curve in curves)
    grid = (
        np.linspace(0, end, GRID_POINTS)
        if x == "seconds"
        else np.unique(np.concatenate([c[x] for c in curves]))
    )
    values = np.array([np.interp(grid, curve[x], curve["value"]) for curve in curves])
    return grid, values.mean(0), values.min(0), values.max(0)


def draw_panel(ax: Axes, rows: pd.DataFrame, x: str) -> None:
    """One task x sequence length: every configuration's seed band, the target and the baseline."""
    configs = sorted(rows["config"].unique(), key=lambda c: (not c.startswith("LSTM"), c))
    for index, (name, row) in enumerate((c, rows[rows["config"] == c].iloc[-1]) for c in configs):
        grid, mean, low, high = seed_band(row["curves"], x)
        color = CELL_COLORS.get(row["cell"], NEUTRAL)
        style = SERIES_STYLES[index % len(SERIES_STYLES)][0]
        ax.plot(grid, mean, style, color=color, label=f"{name} ({len(row['curves'])} seeds)")
        ax.fill_between(grid, low, high, color=color, alpha=0.15)
    first = rows.iloc[0]
    ax.axhline(
        first["target"],
        color="#009E73",
        linewidth=0.8,
        linestyle=":",
        label=f"target {first['target']:g}",
    )
    ax.axhline(
        first["baseline"],
        color=NEUTRAL,
        linewidth=0.8,
        linestyle=":",
        label=f"baseline {first['baseline']:.3g}",
    )
    if first["metric"] == "mse":
        ax.set_yscale("log")
    ax.set_title(f"{first['task']}, seq_len {first['seq_len']}")
    ax.set_xlabel(X_LABELS[x])
    ax.set_ylabel(METRIC_LABELS.get(first["metric"], str(first["metric"])))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")


def learning_curves(x: str) -> Callable[[pd.DataFrame], Drawn]:
    """The metric against `x` ("step" or "seconds"), one panel per (task, seq_len)."""

    def draw(measured: pd.DataFrame) -> Drawn:
        rows = quality_rows(measured)
        if "curves" not in rows:
            return "no quality record has learning curves (run: rnnbench run --suite quality)"
        rows = rows[rows["curves"].map(lambda c: isinstance(c, list) and len(c) > 0)]
        if rows.empty:
            return "no quality record has learning curves (run: rnnbench run --suite quality)"
        rows = rows.sort_values("run_id").drop_duplicates(
            ["task", "seq_len", "config"], keep="last"
        )
        panels = list(rows.groupby(["task", "seq_len"]))
        columns = min(3, len(panels))
        lines = -(-len(panels) // columns)
        fig = Figure(figsize=(5.2 * columns, 4.0 * lines), layout="constrained")
        axes = fig.subplots(lines, columns, squeeze=False).ravel()
        for ax, (_, panel) in zip(axes, panels):
            draw_panel(ax, panel, x)
        for ax in axes[len(panels) :]:
            ax.set_visible(False)
        machine = ", ".join(dict.fromkeys(str(m) for m in rows["machine"]))
        what = "steps" if x == "step" else "wall seconds (shared machines: seconds vary with load)"
        fig.suptitle(f"Learning curves vs {what}: mean over seeds, band min-max\n{machine}")
        return fig

    return draw


SHOWS = "mean over seeds with a min-max band per configuration (cell, forget-gate bias, size matching), target and baseline lines"
PLOTS: dict[str, PlotSpec] = {
    "learning-curves-steps": PlotSpec(
        "Learning curves: metric vs training step", SHOWS, learning_curves("step")
    ),
    "learning-curves-seconds": PlotSpec(
        "Accuracy vs wall time: which reaches the target first here",
        SHOWS,
        learning_curves("seconds"),
    ),
}
