"""Writing a drawn plot: PNG (inlined in the page) and SVG (text kept as text, so it is searchable)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from rnnbench.reports.html import Plot
from rnnbench.results import atomic

PNG_DPI = 100
CHAR_WIDTH = 0.6  # an average character's width in units of the font size


def fit_title(figure: Figure) -> None:
    """Wrap the figure's title to its width, so a narrow (one- or two-panel) figure does not clip it."""
    text = figure.get_suptitle()
    # the title's Text is private: matplotlib has no public getter, and its stub no attribute
    title = getattr(figure, "_suptitle", None)
    if not text or title is None:
        return
    size = title.get_fontsize()
    width = max(20, int(figure.get_figwidth() * 72 / (size * CHAR_WIDTH)))
    figure.suptitle(
        "\n".join(textwrap.fill(line, width) for line in text.split("\n")), fontsize=size
    )


def write_plot(out: Path, name: str, title: str, shows: str, drawn: Figure | str) -> Plot:
    """Save `drawn` as `out/name`.png and .svg, or record why there is nothing to draw. The alt
    text says what the plot shows and what its title holds fixed."""
    if isinstance(drawn, str):
        return Plot(name, title, reason=drawn)
    heading = drawn.get_suptitle().replace("\n", "; ")
    fit_title(drawn)
    png = out / f"{name}.png"
    with atomic.replacing(png) as tmp:
        drawn.savefig(tmp, dpi=PNG_DPI)
    drawn.set_layout_engine(
        "none"
    )  # keep the layout the PNG got: laying out again costs as much as drawing
    with (
        matplotlib.rc_context({"svg.fonttype": "none"}),
        atomic.replacing(out / f"{name}.svg") as tmp,
    ):
        drawn.savefig(tmp)
    width, height = (round(v * PNG_DPI) for v in drawn.get_size_inches())
    return Plot(name, title, png=png, alt=f"{title}: {shows}. {heading}", size=(width, height))
