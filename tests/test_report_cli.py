"""`rnnbench report` and `python -m rnnbench.reports`: outputs, and one-line errors for bad inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rnnbench import cli
from rnnbench.errors import EXIT_USAGE
from rnnbench.reports.__main__ import main as reports_main


def one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert cli.main(["report", *argv]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


def test_cli_writes_the_report(
    tiny_results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["report", str(tiny_results), "-o", str(tmp_path / "out"), "--quiet"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "out" / "report.html")
    assert (tmp_path / "out" / "report.html").stat().st_size > 0


def test_python_m_reports(tiny_results: Path, tmp_path: Path) -> None:
    assert reports_main([str(tiny_results), "-o", str(tmp_path), "--quiet"]) == 0
    assert (tmp_path / "tables" / "comparison.csv").exists()
    assert reports_main([str(tmp_path / "missing.json")]) == EXIT_USAGE


def test_missing_empty_and_foreign_inputs_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "no such file or directory" in one_line_error(capsys, [str(tmp_path / "nope.json")])
    (tmp_path / "empty").mkdir()
    assert "no result files" in one_line_error(capsys, [str(tmp_path / "empty")])
    (tmp_path / "other.json").write_text(json.dumps({"hello": 1}))
    assert "not an rnnbench results file" in one_line_error(capsys, [str(tmp_path / "other.json")])
    (tmp_path / "blank.json").write_text("")
    assert "corrupt or truncated JSON" in one_line_error(capsys, [str(tmp_path / "blank.json")])
    norecords = {
        "schema": "rnnbench-results",
        "schema_version": 1,
        "run": {},
        "env": {},
        "records": [],
    }
    (tmp_path / "norecords.json").write_text(json.dumps(norecords))
    assert "holds no records" in one_line_error(capsys, [str(tmp_path / "norecords.json")])
