"""A run gathered from shards on several kinds of node: the gate compares machine by machine, never pooled."""

from __future__ import annotations

from pathlib import Path

import pytest
from gate_docs import document, machine, record, times, write

from rnnbench.cli import main
from rnnbench.errors import UserError
from rnnbench.gate.compare import compare
from rnnbench.gate.table import render
from rnnbench.results import history

A = machine()
B = machine(cpu_model="Big CPU", cpu_count=64)


def on(env: dict, cases: dict[str, float], seed: int = 0, run_id: str = "run") -> dict:
    """One machine's document: each case measured around its median (seconds)."""
    return document(
        [record(i, times(m, seed=seed + n)) for n, (i, m) in enumerate(cases.items())], env, run_id
    )


def test_each_case_is_compared_with_its_own_machine() -> None:
    # a ran on both machines before: B is twice as slow. Pooled, A's unchanged 1 ms would look 'faster'.
    baseline = [on(A, {"a": 1e-3, "b": 1e-3}), on(B, {"a": 2e-3, "c": 2e-3}, seed=5)]
    current = [on(A, {"a": 1e-3, "b": 1e-3}, seed=20), on(B, {"c": 2e-3}, seed=30)]
    result = compare(baseline, current)
    assert result.foreign == []
    assert {(row.id, row.machine[:8], row.mark) for row in result.rows} == {
        ("a", A["fingerprint"][:8], "no change"),
        ("b", A["fingerprint"][:8], "no change"),
        ("c", B["fingerprint"][:8], "no change"),
    }
    assert "machine" in result.frame() and B["fingerprint"][:8] in render(result)


def test_a_case_that_moved_to_another_machine_is_not_compared() -> None:
    baseline = [on(A, {"a": 1e-3, "b": 1e-3}), on(B, {"c": 2e-3})]
    current = [
        on(A, {"b": 1e-3}),
        on(B, {"a": 3e-3, "c": 2e-3}, seed=9),
    ]  # a: on B now, on A before
    (row,) = [row for row in compare(baseline, current).rows if row.id == "a"]
    assert row.mark == "new" and "no baseline on this machine" in row.note


def test_a_machine_the_baseline_never_saw_is_refused() -> None:
    other = machine(cpu_model="Odd CPU")
    with pytest.raises(UserError, match=r"cpu_model: 'Test CPU' != 'Odd CPU'.*--allow-foreign"):
        compare([on(A, {"a": 1e-3})], [on(A, {"a": 1e-3}), on(other, {"b": 1e-3})])


def test_history_baseline_per_machine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "history.db"
    for run in range(3):  # 3 runs a machine: a history baseline, not a single run (drift-blind)
        history.append(
            db,
            [
                on(A, {"a": 1e-3}, seed=10 * run, run_id=f"old-a{run}"),
                on(B, {"c": 2e-3}, seed=10 * run + 1, run_id=f"old-b{run}"),
            ],
        )
    current = tmp_path / "cur"
    current.mkdir()
    write(current / "a.json", on(A, {"a": 1e-3}, seed=7, run_id="new-a"))
    write(current / "b.json", on(B, {"c": 2.6e-3}, seed=8, run_id="new-b"))  # c is 30% slower on B
    assert main(["compare", "--history", str(db), str(current)]) == 1
    out = capsys.readouterr().out
    assert "regression" in out and "1 no change, 1 regression" in out
