"""Efficiency in the report: the table holds the records' measures; the plot picks its axis."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from rnnbench.reports import plots
from rnnbench.reports.inputs import load_inputs
from rnnbench.results import store


def test_efficiency_table_holds_the_record_measures(profiled_results: Path, profiled_report: Path) -> None:
    table = pd.read_csv(profiled_report / "tables" / "efficiency.csv").set_index("id")
    timed = [r for doc in store.load([profiled_results]) for r in doc["records"] if r["status"] == "ok"]
    assert sorted(table.index) == sorted(r["id"] for r in timed)
    for record in timed:
        row = table.loc[record["id"]]
        assert row["efficiency_pct"] == pytest.approx(100 * record["measures"]["efficiency"], rel=1e-12)
        assert row["gflops_per_s"] == pytest.approx(record["measures"]["gflops_per_s"], rel=1e-12)
        assert row["median_s"] == pytest.approx(record["stats"]["median"], rel=1e-12)
    assert table["efficiency_pct"].is_monotonic_increasing  # lowest efficiency first
    page = (profiled_report / "report.html").read_text()
    assert '<section id="efficiency">' in page and 'alt="Efficiency vs batch or hidden size"' in page


def test_efficiency_plot_is_a_png_over_the_axis_that_varies(profiled_report: Path) -> None:
    with Image.open(profiled_report / "plots" / "efficiency.png") as image:
        image.verify()
        assert image.format == "PNG" and image.size[0] > 100


def test_efficiency_plot_says_why_it_is_not_drawn(profiled_results: Path) -> None:
    ok = load_inputs([profiled_results]).ok
    assert "batch" in plots.efficiency(ok).get_suptitle()
    assert plots.efficiency(ok[ok["batch"] == 1]) == "neither batch nor hidden size varies"
    assert "no record has an efficiency" in plots.efficiency(ok.assign(efficiency=None))
