"""Fault tests of the gate and the history: a locked database, deselected cases, a history that
holds other suites, re-measurements or only the current run."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fault_runs import run_bench, tiny_suite
from gate_docs import run_doc, write

from rnnbench.cli import main
from rnnbench.errors import EXIT_USAGE, UserError
from rnnbench.results import history


@pytest.mark.parametrize("lock", ["BEGIN EXCLUSIVE", "PRAGMA locking_mode = EXCLUSIVE"])
def test_a_locked_history_waits_then_says_it_is_locked(
    tmp_path: Path, lock: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "h.db"
    history.append(db, [run_doc(run_id="one")])
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute(lock)
    holder.execute("INSERT INTO runs (run_id, env) VALUES ('held', '{}')")  # takes the write lock
    monkeypatch.setattr(history, "LOCK_TIMEOUT_S", 0.2)
    try:
        for call in (lambda: history.append(db, [run_doc(run_id="two")]), lambda: history.runs(db)):
            with pytest.raises(
                UserError, match=r"h.db: locked by another process \(waited 0.2 s\)"
            ):
                call()
    finally:
        holder.close()
    assert "two" not in set(history.runs(db)["run_id"])


@pytest.mark.slow
def test_deselected_cases_are_not_missing_from_the_gate(tmp_path: Path) -> None:
    suite = tiny_suite(tmp_path)
    assert run_bench(suite, tmp_path / "base").returncode == 0
    done = run_bench(
        suite,
        tmp_path / "now",
        "-k",
        "lstm and forward",
        "--baseline",
        str(tmp_path / "base"),
        "--fail-on-regression",
        "50%",
        "--remeasure",
        "0",
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert " missing" not in done.stdout and "rnnbench gate: 1 " in done.stdout, done.stdout[-3000:]


def test_compare_history_pools_only_this_suite_and_never_re_measurements(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "h.db"
    earlier = run_doc(run_id="earlier", seed=1)
    other_suite = run_doc(run_id="other", seed=2, ids=("gru-z-forward",))
    other_suite["run"]["suite"] = "other"
    remeasure = run_doc(run_id="earlier-remeasure", seed=3, ids=("gru-b-forward",))
    remeasure["run"]["remeasure_of"] = "earlier"
    history.append(db, [earlier, other_suite, remeasure])
    assert sorted(history.runs(db)["run_id"]) == [
        "earlier",
        "other",
    ]  # a re-measurement is not a run
    current = write(tmp_path / "now.json", run_doc(run_id="now", seed=4))
    assert main(["compare", "--history", str(db), str(current), "--threshold", "50%"]) == 0
    assert "missing" not in capsys.readouterr().out
    alone = tmp_path / "alone.db"
    history.append(alone, [run_doc(run_id="now", seed=4)])
    assert main(["compare", "--history", str(alone), str(current)]) == EXIT_USAGE
    assert "no earlier runs of suite 'test' on this machine" in capsys.readouterr().err
