"""The report's Why section, from a tiny real `pytest bench --profile` run."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from markupsafe import escape

from rnnbench.cases.case import Case
from rnnbench.reports import why
from rnnbench.results import store


def profiled(results: Path) -> list[dict[str, Any]]:
    records = [r for doc in store.load([results]) for r in doc["records"] if r["status"] == "ok"]
    assert records and all(r["profile"]["top_ops"] for r in records)
    return records


def test_why_shows_the_records_top_ops_side_by_side(
    profiled_results: Path, profiled_report: Path
) -> None:
    records = profiled(profiled_results)
    table = pd.read_csv(profiled_report / "tables" / "why.csv")
    page = (profiled_report / "report.html").read_text()
    pairs = len(records) // 2  # LSTM vs GRU at each shape and phase
    section = page.split('<section id="why">')[1].split("</section>")[0]
    assert table["pair"].nunique() == section.count("<details") == pairs
    for record in records:
        side = table[table["trace_dir"] == record["profile"]["trace_dir"]].sort_values("rank")
        expected = [op["name"] for op in record["profile"]["top_ops"][: why.TOP]]
        assert side["name"].tolist() == expected, record["id"]
        assert side["case"].unique().tolist() == [f"cell={record['case']['cell']}"]
        assert side["op_calls"].unique().tolist() == [record["profile"]["op_calls"]]
        assert side["share"].tolist() == pytest.approx(
            [op["share"] for op in record["profile"]["top_ops"][: why.TOP]]
        )
        assert f"{record['profile']['op_calls']} op calls per round" in page
        for name in expected:
            assert f">{escape(name)}</td>" in page
    assert (profiled_report / "tables" / "why.md").read_text().startswith("|")


def test_trace_links_are_relative_and_lead_to_the_traces(profiled_report: Path) -> None:
    page = (profiled_report / "report.html").read_text()
    links = [href for href in re.findall(r'href="([^"]*)"', page) if not href.startswith("#")]
    assert (
        links and re.findall(r'(?:src|href)="(?!data:|#|\.\./)', page) == []
    )  # no scheme, nothing to fetch
    for href in links:
        assert list((profiled_report / html.unescape(href)).glob("*.pt.trace.json")), href


def test_without_profiles_the_section_says_how_to_get_them(tiny_report: Path) -> None:
    page = (tiny_report / "report.html").read_text()
    assert "<h2>Why: top ops side by side</h2>" in page
    assert escape(why.HOW) in page
    assert not (tiny_report / "tables" / "why.csv").exists()


def test_a_stored_relative_trace_dir_resolves_from_here_or_beside_the_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "run" / "profiles" / "case").mkdir(parents=True)
    sources = [str(tmp_path / "run" / "results.json")]
    out = tmp_path / "report"
    assert (
        why.link("profiles/case", sources, out) == "../run/profiles/case"
    )  # beside the results file
    monkeypatch.chdir(tmp_path / "run")
    assert why.locate("profiles/case", []) == tmp_path / "run" / "profiles" / "case"  # from the cwd
    assert why.link("profiles/missing", sources, out) is None


def cuda_record(cudnn: bool, ops: list[str]) -> dict[str, Any]:
    case = Case(
        cell="gru",
        model="layer",
        batch=8,
        seq_len=32,
        input_size=64,
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dtype="float32",
        device="cuda",
        cudnn=cudnn,
        phase="forward",
    )
    top = [
        {"name": n, "calls": 1, "self_cpu_s": 1e-5, "self_cuda_s": 1e-4, "share": 0.2} for n in ops
    ]
    return {
        "id": case.id,
        "case": case.to_dict(),
        "status": "ok",
        "times_s": [0.01],
        "stats": {"median": 0.01},
        "measures": {},
        "profile": {"trace_dir": f"p/{case.id}", "op_calls": 7 * len(ops), "top_ops": top},
    }


def test_cudnn_on_and_off_pair_up(tmp_path: Path) -> None:
    """CUDA logic on CPU: two hand-made records of one case with cuDNN on and off."""
    records = [cuda_record(True, ["cudnn_rnn"]), cuda_record(False, ["aten::gru_cell", "aten::mm"])]
    doc = {"run": {"id": "r"}, "source": str(tmp_path / "r.json"), "records": records}
    section = why.collect([doc], tmp_path)
    assert section.profiled == 2 and section.pairs["cell"] == []
    (pair,) = section.pairs["cudnn"]
    assert [side.label for side in pair.sides] == ["cudnn=False", "cudnn=True"]
    assert [side.op_calls for side in pair.sides] == [14, 7] and all(
        side.href is None for side in pair.sides
    )
    assert len(pair.table) == 2 and pair.table["cudnn=True name"].dropna().tolist() == ["cudnn_rnn"]
    long = why.long_table(section)
    assert long.groupby("case")["name"].apply(lambda names: names.dropna().tolist()).to_dict() == {
        "cudnn=False": ["aten::gru_cell", "aten::mm"],
        "cudnn=True": ["cudnn_rnn"],
    }
