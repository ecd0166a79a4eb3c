"""The report's one visual language: colours, line styles, log ticks and axis labels.

Colour means the cell everywhere (LSTM blue, GRU vermillion: Okabe-Ito, safe for the common
colour-vision deficiencies); a device or implementation is a line style and marker, the same in
every plot; phases, where they are the series, take the palette's other colours. Log axes carry
1-2-5 ticks written in units (`2 ms`, `500 KiB`, `20 GFLOP/s`), so a reader never decodes `10^-3`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import cast

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.colors import ListedColormap, to_hex
from matplotlib.ticker import FuncFormatter, Locator, NullFormatter, NullLocator
from matplotlib.typing import ColorType


class CellColors(dict[str, str]):
    """Each cell's one colour in every plot: LSTM and GRU fixed, other cells take the next free
    colour the first time they are asked for (`seed_cell_colors` fixes that order for a report).
    Okabe-Ito has 8 colours; the phases hold 4 of them, so after LSTM and GRU two more cells get
    Okabe-Ito sky blue and yellow, and cells beyond those take matplotlib's tab20 colours in order."""

    def __missing__(self, cell: str) -> str:
        spare = [c for c in CELL_PALETTE if c not in self.values()]
        self[cell] = spare[0] if spare else CELL_PALETTE[len(self) % len(CELL_PALETTE)]
        return self[cell]

    def get(self, cell: str, default: str | None = None) -> str:  # type: ignore[override]
        """Like `self[cell]`: every cell has a colour (`default` is never needed)."""
        return self[cell]


def listed_colors(name: str) -> tuple[str, ...]:
    """The colours of a listed (qualitative) colormap, as hex."""
    colormap = colormaps[name]
    assert isinstance(colormap, ListedColormap)  # the stub types every colormap as `Colormap`
    # the stub types `colors` as any ArrayLike; a listed colormap's is a sequence of colours
    return tuple(to_hex(c) for c in cast("Sequence[ColorType]", colormap.colors))


CELL_PALETTE = (
    "#0072B2",
    "#D55E00",
    "#56B4E9",
    "#F0E442",
    *listed_colors("tab20"),
)
CELL_COLORS = CellColors(
    {"lstm": CELL_PALETTE[0], "gru": CELL_PALETTE[1]}
)  # Okabe-Ito blue, vermillion
PHASE_COLORS = {
    "forward": "#E69F00",
    "backward": "#009E73",
    "forward_backward": "#CC79A7",
    "inference": "#000000",
}
NEUTRAL = "#555555"  # parity lines, ceilings, anything that is not a cell
SERIES_STYLES = (
    ("-", "o"),
    ("--", "s"),
    (":", "^"),
    ("-.", "D"),
)  # per device/implementation/input, in order
NOISY_NOTE = "hollow marker: noisy (IQR above 10% of the median)"
STEPS = (1.0, 2.0, 5.0)
BINARY = 1024.0
MAX_TICKS = 9
SWEEP_SPAN = 4.0  # a swept axis (x) goes log from this factor: sweeps double or quadruple


def seed_cell_colors(cells: list[str]) -> None:
    """Give `cells` their colours in this order (a report's cells, `tables.cell_order`), so the same
    results always draw each cell in the same colour whatever plot asks first."""
    for cell in cells:
        CELL_COLORS[cell]


def series_style(index: int) -> tuple[str, str]:
    """(line style, marker) of the `index`-th device/implementation/input series."""
    return SERIES_STYLES[index % len(SERIES_STYLES)]


def one_two_five(low: float, high: float, base: float = 1.0, most: int = MAX_TICKS) -> list[float]:
    """Ticks m x 10^k (m in 1, 2, 5) inside [low, high]; with `base` 1024 (bytes) m x 10^k x 1024^u
    for k < 3 (1 KiB, 2 KiB, ... 500 KiB, 1 MiB). Thinned to decades when too many, 1..9 when too few."""
    if not (math.isfinite(low) and math.isfinite(high)) or min(low, high) <= 0:
        return []
    low, high = min(low, high), max(low, high)
    decimal = base == 1.0
    exponents = range(-15, 16) if decimal else range(3)
    units = [1.0] if decimal else [base**power for power in range(6)]

    def ticks(steps: tuple[float, ...]) -> list[float]:
        values = {
            float(f"{step * 10.0**power * unit:.12g}")
            for step in steps
            for power in exponents
            for unit in units
        }
        return sorted(v for v in values if low * (1 - 1e-9) <= v <= high * (1 + 1e-9))

    found = ticks(STEPS)
    if len(found) > most:
        found = ticks((1.0,))
    if len(found) < 2:
        found = ticks(tuple(float(m) for m in range(1, 10)))
    if len(found) < 2:  # less than one 1..9 step wide: three ticks at 2 significant figures
        found = sorted({float(f"{v:.2g}") for v in np.geomspace(low, high, 3)})
    return found


class OneTwoFive(Locator):
    """A log axis's ticks at 1-2-5 steps (binary units for bytes)."""

    def __init__(self, base: float = 1.0, most: int = MAX_TICKS) -> None:
        self.base = base
        self.most = most

    def __call__(self) -> list[float]:
        assert self.axis is not None  # matplotlib sets it before asking for ticks
        low, high = self.axis.get_view_interval()
        return self.tick_values(low, high)

    def tick_values(self, vmin: float, vmax: float) -> list[float]:
        return one_two_five(vmin, vmax, self.base, self.most)


def unit_axis(
    axis: Axis, fmt: Callable[[float], str], binary: bool = False, most: int = MAX_TICKS
) -> None:
    """Tick labels in units; on a log axis 1-2-5 ticks (decades when more than `most`) and no
    unlabelled minor ticks."""
    axis.set_major_formatter(FuncFormatter(lambda value, _: fmt(value)))
    if axis.get_scale() == "log":
        axis.set_major_locator(OneTwoFive(BINARY if binary else 1.0, most))
        axis.set_minor_locator(NullLocator())
        axis.set_minor_formatter(NullFormatter())


def log_if_wide(ax: Axes, values: object, which: str, decade: float = 10.0) -> None:
    """Log scale when the (positive) values span `decade` or more (sweeps: SWEEP_SPAN)."""
    array = np.asarray(values, dtype=float)
    array = array[np.isfinite(array)]
    if array.size and array.min() > 0 and array.max() / array.min() >= decade:
        (ax.set_xscale if which == "x" else ax.set_yscale)("log")


def data_ticks(ax: Axes, values: object) -> None:
    """x ticks at exactly the measured values (a sweep's grid), labelled as they are."""
    shown = sorted(set(np.asarray(values).tolist()))
    ax.set_xticks(shown, [label_value(v) for v in shown])
    ax.xaxis.set_minor_locator(NullLocator())


def label_value(value: object) -> str:
    """`True` -> `bi`, `False` -> `uni`, numbers as written."""
    if isinstance(value, (bool, np.bool_)):
        return "bi" if value else "uni"
    return f"{value:g}" if isinstance(value, float) else str(value)


def format_ratio_tick(value: float) -> str:
    return f"{value:g}×"
