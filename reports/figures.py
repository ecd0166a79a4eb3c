"""Writing a drawn plot: PNG (inlined in the page) and SVG (text kept as text, so it is searchable)."""

from __future__ import annotations

from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from rnnbench.reports.html import Plot
from rnnbench.results import atomic

PNG_DPI = 100


def write_plot(out: Path, name: str, title: str, shows: str, drawn: Figure | str) -> Plot:
    """Save `drawn` as `out/name`.png and .svg, or record why there is nothing to draw. The alt
    text says what the plot shows and what its title holds fixed."""
    if isinstance(drawn, str):
        return Plot(name, title, reason=drawn)
    heading = drawn.get_suptitle().replace("\n", "; ")
    png = out / f"{name}.png"
    with atomic.replacing(png) as tmp:
        drawn.savefig(tmp, dpi=PNG_DPI)
    drawn.set_layout_engine("none")  # keep the layout the PNG got: laying out again costs as much as drawing
    with matplotlib.rc_context({"svg.fonttype": "none"}), atomic.replacing(out / f"{name}.svg") as tmp:
        drawn.savefig(tmp)
    width, height = (round(v * PNG_DPI) for v in drawn.get_size_inches())
    return Plot(name, title, png=png, alt=f"{title}: {shows}. {heading}", size=(width, height))
