"""The report's visual language: 1-2-5 log ticks in units, one colour per cell."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from rnnbench.reports.style import CELL_COLORS, PHASE_COLORS, one_two_five, unit_axis
from rnnbench.reports.units import format_bytes, format_time


def test_time_ticks_step_one_two_five() -> None:
    assert one_two_five(0.0008, 0.02) == pytest.approx([0.001, 0.002, 0.005, 0.01, 0.02])
    assert [format_time(t) for t in one_two_five(0.0008, 0.02)] == [
        "1 ms",
        "2 ms",
        "5 ms",
        "10 ms",
        "20 ms",
    ]


def test_byte_ticks_step_in_binary_units() -> None:
    ticks = one_two_five(900e3, 10e6, base=1024)  # the range that once read "977 KiB, 9.54 MiB"
    assert [format_bytes(t) for t in ticks] == ["1 MiB", "2 MiB", "5 MiB"]
    assert [format_bytes(t) for t in one_two_five(1000, 30_000, base=1024)] == [
        "1 KiB",
        "2 KiB",
        "5 KiB",
        "10 KiB",
        "20 KiB",
    ]


def test_wide_ranges_thin_to_decades_and_narrow_ones_still_get_two_ticks() -> None:
    assert one_two_five(1e-6, 10) == pytest.approx([10.0**k for k in range(-6, 2)])
    assert one_two_five(1e7, 1e10, most=4) == pytest.approx([1e7, 1e8, 1e9, 1e10])
    assert len(one_two_five(1.3, 1.6)) >= 2
    assert one_two_five(0, 10) == [] and one_two_five(1, float("nan")) == []


def test_a_log_axis_gets_unit_labels_at_one_two_five() -> None:
    ax = Figure().subplots()
    ax.plot([0.0009, 0.011], [1, 2])
    ax.set_xscale("log")
    unit_axis(ax.xaxis, format_time)
    fig = ax.figure
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels == ["1 ms", "2 ms", "5 ms", "10 ms"]


def test_cells_and_phases_never_share_a_colour() -> None:
    colours = [*CELL_COLORS.values(), *PHASE_COLORS.values()]
    assert len(set(colours)) == len(colours)
