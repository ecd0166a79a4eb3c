"""Before/after: two inputs give the gate's per-case comparison, biggest movers first, and a
short Markdown summary for CI."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from rnnbench.reports.__main__ import main as reports_main
from rnnbench.reports.summary_md import MAX_LINES
from rnnbench.results import store

FACTORS = (1.0, 1.3, 0.7)  # after / before per record, in turn: unchanged, slower, faster
ROUNDS = 12  # enough rounds for Mann-Whitney U to reach alpha 0.01 when the samples separate


def with_times(doc: dict, factor_of: dict[str, float]) -> dict:
    """`doc` with ROUNDS rounds 1% apart around each ok record's median times its factor."""
    doc = copy.deepcopy(doc)
    for record in doc["records"]:
        if record["status"] == "ok":
            median = record["stats"]["median"] * factor_of.get(record["id"], 1.0)
            record["times_s"] = [median * (1 + 0.01 * (k - ROUNDS // 2)) for k in range(ROUNDS)]
            record["stats"].update(median=median, q1=median * 0.97, q3=median * 1.03)
    return doc


@pytest.fixture(scope="module")
def two_runs(tiny_results: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, float]]:
    """A before and an after results file and the after/before factor of each ok case."""
    (doc,) = store.load([tiny_results])
    ids = [r["id"] for r in doc["records"] if r["status"] == "ok"]
    factors = {case: FACTORS[i % len(FACTORS)] for i, case in enumerate(ids)}
    work = tmp_path_factory.mktemp("two-runs")
    before = with_times(doc, {})
    after = with_times(doc, factors)
    after["run"]["id"] = "after-run"
    (work / "a-before.json").write_text(json.dumps(before))
    (work / "b-after.json").write_text(json.dumps(after))
    return work, factors


@pytest.fixture(scope="module")
def compared(two_runs: tuple[Path, dict[str, float]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    work, _ = two_runs
    out = tmp_path_factory.mktemp("compared")
    assert reports_main([str(work / "a-before.json"), str(work / "b-after.json"), "-o", str(out / "report"),
                         "--summary-md", str(out / "summary.md"), "--quiet"]) == 0  # fmt: skip
    return out


def test_before_after_ratios_marks_and_order(two_runs: tuple[Path, dict[str, float]], compared: Path) -> None:
    _, factors = two_runs
    table = pd.read_csv(compared / "report" / "tables" / "before_after.csv").set_index("id")
    assert sorted(table.index) == sorted(factors)
    marks = {1.0: "–", 1.3: "slower ▲", 0.7: "faster ▼"}
    for case, factor in factors.items():
        assert table.loc[case, "ratio"] == pytest.approx(factor, rel=1e-9)
        assert table.loc[case, "ci_low"] <= table.loc[case, "ratio"] <= table.loc[case, "ci_high"]
        assert table.loc[case, "significance"] == marks[factor]
    moves = table["ratio"].map(lambda r: abs(math.log(r)))
    marked = table["significance"] != "–"
    assert not (marked.astype(int).diff() > 0).any()  # marked changes first,
    assert moves[marked].is_monotonic_decreasing and moves[~marked].is_monotonic_decreasing  # each biggest first
    page = (compared / "report" / "report.html").read_text()
    assert 'id="plot-before_after"' in page and "slower ▲" in page


def test_summary_markdown_is_short_and_answers_first(two_runs: tuple[Path, dict[str, float]], compared: Path) -> None:
    _, factors = two_runs
    text = (compared / "summary.md").read_text()
    lines = text.splitlines()
    assert len(lines) <= MAX_LINES
    assert lines[0] == "## rnnbench: LSTM or GRU?"
    assert "| device | phase | faster |" in text and "Memory (peak_bytes, forward+backward, cpu)" in text
    table = pd.read_csv(compared / "report" / "tables" / "before_after.csv")
    assert f"`{table['id'].iloc[0]}`" in text  # the biggest mover is listed
    slower = sum(f == 1.3 for f in factors.values())
    assert f"{slower} slower ▲" in text


def test_one_input_has_no_before_after(tiny_report: Path) -> None:
    page = (tiny_report / "report.html").read_text()
    assert "One input: give two or more results" in page
    assert not (tiny_report / "tables" / "before_after.csv").exists()
