"""History trends in the report: one plot per selected case, and one-line errors for a bad DB."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest
from PIL import Image
from report_data import LATER, TREND_GLOB

from rnnbench import cli
from rnnbench.errors import EXIT_USAGE
from rnnbench.reports import trend
from rnnbench.reports.__main__ import main as reports_main
from rnnbench.results import history, store


def test_a_trend_plot_per_selected_case(profiled_results: Path, profiled_report: Path) -> None:
    (doc,) = store.load([profiled_results])
    selected = [r["id"] for r in doc["records"] if r["status"] == "ok" and r["case"]["batch"] == 1]
    assert selected and len(selected) < len(doc["records"])
    for case in selected:
        with Image.open(profiled_report / "plots" / f"trend-{case}.png") as image:
            image.verify()
            assert image.format == "PNG" and image.size[0] > 100 and image.size[1] > 100
    assert len(list((profiled_report / "plots").glob("trend-*.png"))) == len(selected)
    page = (profiled_report / "report.html").read_text()
    assert f"{len(selected)} cases matching &#39;{TREND_GLOB}&#39; over 2 runs" in page


def test_trend_rows_follow_the_history(history_db: Path) -> None:
    found = trend.load_trend(history_db, TREND_GLOB)
    runs = found.rows.groupby("id")["commit"].apply(list)
    assert all(
        commits[-1] == LATER["commit"] for commits in runs
    )  # oldest first: the later run last
    medians = found.rows.pivot(index="id", columns="run_id", values="median_s")
    ratios = medians[LATER["id"]] / medians.drop(columns=LATER["id"]).iloc[:, 0]
    assert ratios.tolist() == pytest.approx([LATER["slower"]] * len(medians))
    figure = trend.trend_figure(found.rows, found.cases[0])
    assert [t.get_text() for t in figure.axes[0].get_xticklabels()][-1] == LATER["commit"][:8]


def test_only_the_first_cases_are_drawn(history_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trend, "MAX_CASES", 2)
    found = trend.load_trend(history_db, "*")
    assert len(found.cases) > 2 and found.drawn == found.cases[:2]


def test_bad_history_is_a_one_line_error(
    profiled_results: Path, history_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "corrupt.db").write_text("not sqlite at all\n" * 100)
    old = tmp_path / "old.db"
    with contextlib.closing(sqlite3.connect(old)) as db:
        db.execute(f"PRAGMA user_version = {history.VERSION + 1}")
    cases = {
        "no such history file": ["--history", str(tmp_path / "missing.db")],
        "not an rnnbench history file": ["--history", str(tmp_path / "corrupt.db")],
        "is not supported": ["--history", str(old)],
        "no timed results of a case matching --trend 'no-*'": [
            "--history",
            str(history_db),
            "--trend",
            "no-*",
        ],
        "--trend: needs --history DB": ["--trend", "*"],
    }
    for message, options in cases.items():
        assert (
            cli.main(
                ["report", str(profiled_results), "-o", str(tmp_path / "out"), "--quiet", *options]
            )
            == EXIT_USAGE
        )
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1 and "Traceback" not in err, err
    assert not (tmp_path / "out").exists()  # checked before anything is written


def test_python_m_reports_takes_history(
    profiled_results: Path, history_db: Path, tmp_path: Path
) -> None:
    assert (
        reports_main(
            [
                str(profiled_results),
                "-o",
                str(tmp_path),
                "--quiet",
                "--history",
                str(history_db),
                "--trend",
                "gru-*-b1-*-inference",
            ]
        )
        == 0
    )
    assert [p.name for p in (tmp_path / "plots").glob("trend-*.png")] == [
        "trend-gru-layer-b1-t3-i4-h4-l1-uni-cpu-fp32-inference.png"
    ]
