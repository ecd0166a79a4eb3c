"""Efficiency in the report: the table holds the records' measures; the roofline draws each
device's measured GEMM ceiling as a line."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from rnnbench.reports.inputs import load_inputs
from rnnbench.reports.roofline import NO_CEILING, ceilings, roofline
from rnnbench.results import store


def test_efficiency_table_holds_the_record_measures(
    profiled_results: Path, profiled_report: Path
) -> None:
    table = pd.read_csv(profiled_report / "tables" / "efficiency.csv").set_index("id")
    timed = [
        r for doc in store.load([profiled_results]) for r in doc["records"] if r["status"] == "ok"
    ]
    assert sorted(table.index) == sorted(r["id"] for r in timed)
    for record in timed:
        row = table.loc[record["id"]]
        assert row["efficiency_pct"] == pytest.approx(
            100 * record["measures"]["efficiency"], rel=1e-12
        )
        assert row["gflops_per_s"] == pytest.approx(record["measures"]["gflops_per_s"], rel=1e-12)
        assert row["median_s"] == pytest.approx(record["stats"]["median"], rel=1e-12)
    assert table["efficiency_pct"].is_monotonic_increasing  # lowest efficiency first
    page = (profiled_report / "report.html").read_text()
    assert (
        'id="table-efficiency"' in page
        and 'alt="Roofline: achieved GFLOP/s vs the GEMM ceiling: ' in page
    )


def test_roofline_ceiling_is_the_runs_measured_gemm_rate(
    profiled_results: Path, profiled_report: Path
) -> None:
    (doc,) = store.load([profiled_results])
    measured = doc["env"]["gemm_gflops"]["cpu/float32"]
    ok = load_inputs([profiled_results]).ok
    assert ceilings(ok).tolist() == pytest.approx([measured], rel=1e-9)
    svg = (profiled_report / "plots" / "roofline.svg").read_text()
    assert f"GEMM ceiling cpu/float32: {measured:.3g} GFLOP/s" in svg
    with Image.open(profiled_report / "plots" / "roofline.png") as image:
        image.verify()
        assert image.format == "PNG" and image.size[0] > 100


def test_roofline_says_why_it_is_not_drawn(profiled_results: Path) -> None:
    ok = load_inputs([profiled_results]).ok
    assert roofline(ok.assign(efficiency=None)) == NO_CEILING
