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
def two_runs(
    tiny_results: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, float]]:
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
def compared(
    two_runs: tuple[Path, dict[str, float]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    work, _ = two_runs
    out = tmp_path_factory.mktemp("compared")
    assert (
        reports_main(
            [
                str(work / "a-before.json"),
                str(work / "b-after.json"),
                "-o",
                str(out / "report"),
                "--summary-md",
                str(out / "summary.md"),
                "--quiet",
            ]
        )
        == 0
    )
    return out


def test_before_after_ratios_marks_and_order(
    two_runs: tuple[Path, dict[str, float]], compared: Path
) -> None:
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
    assert (
        moves[marked].is_monotonic_decreasing and moves[~marked].is_monotonic_decreasing
    )  # each biggest first
    page = (compared / "report" / "report.html").read_text()
    assert 'id="plot-before_after"' in page and "slower ▲" in page


def test_summary_markdown_is_short_and_answers_first(
    two_runs: tuple[Path, dict[str, float]], compared: Path
) -> None:
    _, factors = two_runs
    text = (compared / "summary.md").read_text()
    lines = text.splitlines()
    assert len(lines) <= MAX_LINES
    assert lines[0] == "## rnnbench: LSTM or GRU?"
    assert (
        "| device | phase | faster |" in text
        and "Memory (peak_bytes, forward+backward, cpu)" in text
    )
    table = pd.read_csv(compared / "report" / "tables" / "before_after.csv")
    assert f"`{table['id'].iloc[0]}`" in text  # the biggest mover is listed
    slower = sum(f == 1.3 for f in factors.values())
    assert f"{slower} slower ▲" in text


def test_one_input_has_no_before_after(tiny_report: Path) -> None:
    page = (tiny_report / "report.html").read_text()
    assert "One input: give two or more results" in page
    assert not (tiny_report / "tables" / "before_after.csv").exists()


def test_what_grew_lists_the_functions_whose_instructions_grew(
    two_runs: tuple[Path, dict[str, float]], tmp_path: Path
) -> None:
    """Both inputs counted (`--counts`): a case whose instructions grew gets its function delta."""
    work, factors = two_runs
    before, after = (
        json.loads((work / name).read_text()) for name in ("a-before.json", "b-after.json")
    )
    grown, same = [case for case, factor in factors.items() if factor == 1.0][:2]
    for doc, extra in ((before, 0), (after, 40)):
        for record in doc["records"]:
            if record["id"] in (grown, same):
                more = extra if record["id"] == grown else 0
                record["counts"] = {
                    "status": "ok",
                    "instructions": [1000 + more] * 3,
                    "functions": {"aten::mm": 600 + more, "aten::add": 200, "python": 100},
                }
                record["measures"]["instructions"] = 1000 + more
    (tmp_path / "a.json").write_text(json.dumps(before))
    (tmp_path / "b.json").write_text(json.dumps(after))
    assert (
        reports_main(
            [
                str(tmp_path / "a.json"),
                str(tmp_path / "b.json"),
                "-o",
                str(tmp_path / "r"),
                "--quiet",
            ]
        )
        == 0
    )
    page = (tmp_path / "r" / "report.html").read_text()
    assert (
        f"What grew in {grown}: 1.0400× instructions" in page and f"What grew in {same}" not in page
    )
    grew = pd.read_csv(tmp_path / "r" / "tables" / "what_grew-1.csv")
    assert next(iter(grew["function"])) == "aten::mm" and list(grew["delta"])[:2] == [40, 0]
