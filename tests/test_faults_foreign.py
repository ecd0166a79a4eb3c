"""The last gaps a hostile-input probe found: another program's SQLite file given as the history,
and a report built from pytest-benchmark's JSON (titled with its suite, or "unknown suite")."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from gate_docs import write
from test_gate_cli import pytest_benchmark_file

from rnnbench.cli import main
from rnnbench.errors import EXIT_USAGE
from rnnbench.results import history


def foreign_databases(folder: Path) -> dict[str, Path]:
    """SQLite files that are not histories: tables missing (at the history's version), others' tables."""
    made = {}
    for name, script in {
        "missing": "PRAGMA user_version = 1; CREATE TABLE notes (text TEXT);",
        "other": "CREATE TABLE runs (id INTEGER, name TEXT);",
        "no-results": history.DDL.split("CREATE TABLE IF NOT EXISTS results")[0]
        + f"PRAGMA user_version = {history.VERSION};",
    }.items():
        made[name] = folder / f"{name}.db"
        sqlite3.connect(made[name]).executescript(script).close()
    return made


@pytest.mark.parametrize("name", ["missing", "other", "no-results"])
def test_a_foreign_sqlite_file_as_history_is_one_line(
    name: str, tmp_path: Path, tiny_results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = foreign_databases(tmp_path)[name]
    before = db.read_bytes()
    for argv in (
        ["history", "list", str(db)],
        ["history", "list", str(db), "--case", "*"],
        ["report", str(tiny_results), "-o", str(tmp_path / "report"), "--history", str(db)],
    ):
        assert main(argv) == EXIT_USAGE
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and f"{db}: not an rnnbench history file" in err
        assert "Traceback" not in err
    assert db.read_bytes() == before  # refused, never altered
    assert not (tmp_path / "report").exists()


@pytest.mark.parametrize(("suite", "title"), [(None, "unknown suite"), ("smoke", "smoke")])
def test_a_report_from_pytest_benchmark_json_is_titled_with_its_suite(
    suite: str | None, title: str, tmp_path: Path
) -> None:
    source = pytest_benchmark_file(tmp_path / "pb.json", 1.0)
    if suite is not None:  # our plugin writes it (tests/test_plugin.py checks that)
        doc = json.loads(source.read_text())
        write(source, doc | {"machine_info": doc["machine_info"] | {"rnnbench_suite": suite}})
    assert main(["report", str(source), "-o", str(tmp_path / "report")]) == 0
    page = (tmp_path / "report" / "report.html").read_text()
    assert (
        f"<title>rnnbench report: {title}</title>" in page and "None" not in page.split("</h1>")[0]
    )
