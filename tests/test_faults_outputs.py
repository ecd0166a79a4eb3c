"""Fault tests of everything rnnbench writes: concurrent runs, interrupts, full disks, unusable
locations, file modes. Nothing finished is lost, nothing empty or half-written is left behind."""

from __future__ import annotations

import json
import os
import signal
import stat
import tempfile
from pathlib import Path

import pytest
from fault_runs import (
    empty_then_enospc,
    enospc,
    records_in,
    run_bench,
    start_bench,
    tiny_suite,
    visible_files,
    wait_for_records,
)
from gate_docs import run_doc, write

from rnnbench.cli import main
from rnnbench.errors import EXIT_USAGE, UserError
from rnnbench.reports.build import build
from rnnbench.results import atomic, history, store

CASES = 4  # the tiny suite's cases


@pytest.mark.slow
def test_two_concurrent_runs_into_one_folder_both_survive(tmp_path: Path) -> None:
    suite, results = tiny_suite(tmp_path), tmp_path / "results"
    runs = [start_bench(suite, results, "--shard", f"{k}/2") for k in (1, 2)] + [
        start_bench(suite, results)
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert all(run.returncode in (0, 5) for run in runs), outputs  # 5: a shard that holds no case
    files = sorted(results.glob("*.json"))
    assert len(files) == sum(run.returncode == 0 for run in runs), [p.name for p in files]
    assert len(records_in(results)) == 2 * CASES  # both shards' records and the whole run's
    assert not [p for p in visible_files(results) if p.name.startswith(".")]


def test_run_ids_are_unique_and_a_results_file_is_never_replaced(tmp_path: Path) -> None:
    env = {"fingerprint": "f" * 16, "commit": "c"}
    first, second = (store.ResultsFile.new_run(tmp_path, {"suite": "t"}, env) for _ in range(2))
    first.add(run_doc()["records"][0] | {"id": "a"})
    second.add(run_doc()["records"][0] | {"id": "b"})
    assert first.path != second.path and first.run["id"] != second.run["id"]
    taken = store.ResultsFile(first.path, {"id": "again", "suite": "t"}, env)
    with pytest.raises(UserError, match="already exists"):
        taken.add(run_doc()["records"][0])
    assert json.loads(first.path.read_text())["records"][0]["id"] == "a"
    clash = store.ResultsFile.new_run(tmp_path, {"suite": "t"}, env)
    clash.path = first.path  # a name another run took meanwhile: the new run picks another
    clash.add(run_doc()["records"][0])
    assert clash.path != first.path and len(list(tmp_path.glob("*.json"))) == 3


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_an_interrupted_run_keeps_every_finished_record_in_a_valid_file(
    tmp_path: Path, sig: int
) -> None:
    suite, results = tiny_suite(tmp_path, rounds=100, seq_len=1000), tmp_path / "results"
    run = start_bench(suite, results)
    wait_for_records(results, 1, run)
    run.send_signal(sig)
    output = run.communicate(timeout=60)[0]
    (path,) = results.glob("*.json")
    doc = store.read_document(path)  # complete, valid JSON
    assert 1 <= len(doc["records"]) <= CASES and doc["run"]["complete"] is False, output
    assert all(record["status"] == "ok" for record in doc["records"])
    if sig == signal.SIGINT:
        assert run.returncode == 2 and doc["run"]["finished"] is not None


def test_disk_full_while_storing_a_record_keeps_the_earlier_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = store.ResultsFile.new_run(tmp_path, {"suite": "t"}, {"fingerprint": "f" * 16})
    records = run_doc()["records"]
    results.add(records[0])
    monkeypatch.setattr(os, "fsync", enospc)
    with pytest.raises(UserError, match="No space left on device"):
        results.add(records[1])
    monkeypatch.undo()
    assert [r["id"] for r in store.read_document(results.path)["records"]] == [records[0]["id"]]
    assert visible_files(tmp_path) == [results.path]


def test_disk_full_during_a_report_leaves_no_empty_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write(tmp_path / "r.json", run_doc())
    out = tmp_path / "report"
    monkeypatch.setattr(Path, "write_text", empty_then_enospc(Path.open))
    with pytest.raises(UserError, match="cannot write: No space left on device"):
        build([source], out, progress=False)
    monkeypatch.undo()
    assert [p for p in visible_files(out) if p.stat().st_size == 0 or p.name.startswith(".")] == []


def test_disk_full_while_saving_a_baseline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "r.json", run_doc())
    saved = tmp_path / "baselines"
    assert main(["baseline", "save", "main", "--from", str(source), "--dir", str(saved)]) == 0
    before = (saved / "main.json").read_text()
    monkeypatch.setattr(os, "fsync", enospc)
    assert (
        main(["baseline", "save", "main", "--from", str(source), "--dir", str(saved)]) == EXIT_USAGE
    )
    assert "main.json: cannot write: No space left on device" in capsys.readouterr().err
    assert (saved / "main.json").read_text() == before and visible_files(saved) == [
        saved / "main.json"
    ]


def full_disk(max_pages: int):
    real = history.sqlite3.connect

    def connect(*args: object, **kwargs: object) -> object:
        db = real(*args, **kwargs)
        db.execute(
            f"PRAGMA max_page_count = {max_pages}"
        )  # SQLite's own "database or disk is full"
        return db

    return connect


def test_disk_full_during_history_append(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "h.db"
    monkeypatch.setattr(history.sqlite3, "connect", full_disk(1))
    with pytest.raises(UserError, match=r"h.db: cannot write: database or disk is full"):
        history.append(db, [run_doc(run_id="one")])
    assert visible_files(tmp_path) == []  # no empty or half-made h.db
    monkeypatch.undo()
    history.append(db, [run_doc(run_id="one")])
    pages = history.sqlite3.connect(db).execute("PRAGMA page_count").fetchone()[0]
    monkeypatch.setattr(history.sqlite3, "connect", full_disk(pages))
    big = run_doc(run_id="two", ids=tuple(f"case-{n}" for n in range(200)))
    with pytest.raises(UserError, match="cannot write"):
        history.append(db, [big])
    monkeypatch.undo()
    assert list(history.runs(db)["run_id"]) == ["one"]


def read_only_folder(tmp_path: Path) -> Path:
    """A folder this process cannot write to (root writes anywhere: then a read-only sysfs folder)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    for candidate in (folder, Path("/sys/kernel")):
        try:
            with tempfile.TemporaryFile(dir=candidate):
                pass
        except OSError:
            return candidate
    pytest.skip("no folder here refuses this process's writes")


@pytest.mark.slow
@pytest.mark.parametrize("where", ["file", "read-only", "under-a-file"])
@pytest.mark.parametrize("option", ["--results", "--profile", "--history"])
def test_an_unusable_output_location_stops_the_run_before_the_first_case(
    tmp_path: Path, where: str, option: str
) -> None:
    suite = tiny_suite(tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    folder = {"file": blocker, "read-only": None, "under-a-file": blocker / "sub"}[where]
    folder = folder if folder is not None else read_only_folder(tmp_path)
    target = {"--results": folder, "--profile": folder, "--history": folder / "h.db"}[option]
    results = folder if option == "--results" else tmp_path / "results"
    extra = () if option == "--results" else (f"{option}={target}",)
    done = run_bench(suite, results, *extra)
    assert done.returncode == EXIT_USAGE, done.stdout + done.stderr
    assert option in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "passed" not in done.stdout and "Traceback" not in done.stdout + done.stderr
    assert blocker.read_text() == "not a folder\n"


def test_report_and_baseline_refuse_a_file_as_their_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "r.json", run_doc())
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert main(["report", str(source), "-o", str(blocker), "--quiet"]) == EXIT_USAGE
    assert main(["baseline", "save", "--from", str(source), "--dir", str(blocker)]) == EXIT_USAGE
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 2 and all(
        "a-file is a file" in line or "a-file: not a directory" in line for line in errors
    ), errors
    assert blocker.read_text() == "x"


def test_files_respect_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        results = store.ResultsFile.new_run(tmp_path, {"suite": "t"}, {"fingerprint": "f" * 16})
        results.add(run_doc()["records"][0])
        results.close(complete=True)
        atomic.write_text(tmp_path / "page.html", "<p>")
    finally:
        os.umask(old)
    assert {stat.S_IMODE(p.stat().st_mode) for p in (results.path, tmp_path / "page.html")} == {
        0o640
    }
