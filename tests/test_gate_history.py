"""The SQLite history: round trip, pooled baselines per machine, version and corruption checks."""

import json
import sqlite3
from pathlib import Path

import pytest
from gate_docs import CASE_IDS, machine, run_doc, write

from rnnbench.cli import main
from rnnbench.errors import UserError
from rnnbench.gate.compare import compare
from rnnbench.results import history, upgrade


def test_round_trip_keeps_records_and_raw_times(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    doc = run_doc(run_id="r1")
    assert history.append(db, [doc]) == len(CASE_IDS)
    assert history.append(db, [doc]) == len(CASE_IDS)  # same run again: replaced, not duplicated
    (back,) = history.last_runs(db, doc["env"]["fingerprint"], 5)
    # rows keep no schema version: they come back upgraded from the oldest (the made-up cases gain the v1 axes)
    assert (
        back["records"]
        == upgrade.upgrade(json.loads(json.dumps(doc)) | {"schema_version": 1}, "doc")["records"]
    )
    assert (
        back["records"][0]["case"]["impl"] == "fused"
        and back["records"][0]["times_s"] == doc["records"][0]["times_s"]
    )
    assert back["env"] == doc["env"]
    assert list(history.runs(db)["cases"]) == [len(CASE_IDS)]


def test_last_n_runs_of_one_machine_only(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    mine = [run_doc(seed=s, run_id=f"run{s:02d}") for s in range(4)]
    other = run_doc(run_id="other-machine-run", env=machine(cpu_model="Other"))
    history.append(db, [*mine, other])
    fingerprint = mine[0]["env"]["fingerprint"]
    pooled = history.last_runs(db, fingerprint, 2, exclude={"run03"})
    assert [doc["run"]["id"] for doc in pooled] == ["run02", "run01"]
    assert compare(pooled, [run_doc(seed=50)]).foreign == []
    with pytest.raises(UserError, match="no earlier runs on this machine"):
        history.last_runs(db, "nope", 2)


def test_trend_has_one_row_per_case_per_run(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    history.append(db, [run_doc(run_id=f"r{n}", seed=n) for n in range(3)])
    trend = history.trend(db, "lstm-a-*")
    assert list(trend["run_id"]) == ["r0", "r1", "r2"]
    assert (trend["median_s"] > 0).all()


def test_compare_against_history(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "h.db"
    history.append(db, [run_doc(run_id=f"r{n}", seed=10 * n) for n in range(3)])
    slow = write(tmp_path / "slow.json", run_doc(scale=1.2, seed=99, run_id="slow"))
    assert main(["compare", "--history", str(db), "--last", "3", str(slow)]) == 1
    assert main(["history", "append", str(db), str(slow)]) == 0
    assert main(["compare", "--history", str(db), "--last", "3", str(slow)]) == 1  # excludes itself
    assert main(["history", "list", str(db), "--case", "gru-*"]) == 0
    assert capsys.readouterr().out.count("gru-b-forward") >= 4


def test_unknown_version_and_non_database_are_refused(tmp_path: Path) -> None:
    newer = tmp_path / "newer.db"
    sqlite3.connect(newer).execute("PRAGMA user_version = 7").connection.commit()
    with pytest.raises(UserError, match="version 7"):
        history.append(newer, [run_doc()])
    junk = tmp_path / "junk.db"
    junk.write_text("this is not sqlite " * 100)
    with pytest.raises(UserError, match="not an rnnbench history file"):
        history.runs(junk)
    with pytest.raises(UserError, match="no such history file"):
        history.runs(tmp_path / "absent.db")
