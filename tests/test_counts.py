"""Instruction counts: the record entry, the counts gate, the function delta, valgrind discovery."""

import subprocess
import sys

import pytest
from gate_docs import CASE_IDS, document, machine, record, times

from conftest import tiny_case
from rnnbench.errors import UserError
from rnnbench.gate import counts_delta, significance
from rnnbench.gate.compare import Thresholds, compare
from rnnbench.gate.table import render
from rnnbench.measurement import callgrind, counts
from rnnbench.measurement import env as envmod

COUNTED = machine(valgrind="3.19.0")
ONE_PERCENT = Thresholds.parse("1%")


def counted_doc(
    instructions: dict[str, list[int]],
    functions: dict[str, dict[str, int]] | None = None,
    env: dict | None = None,
) -> dict:
    records = []
    for n, (case_id, values) in enumerate(instructions.items()):
        rec = record(case_id, times(seed=n))
        counts.add_to_record(rec, counts.summary(values, (functions or {}).get(case_id, {})))
        records.append(rec)
    return document(records, env or COUNTED)


BASE = {case_id: [1_000_000 + 900 * n, 1_001_000, 999_500] for n, case_id in enumerate(CASE_IDS)}


def test_record_entry_and_median_measure() -> None:
    rec = record("a", times())
    counts.add_to_record(rec, counts.summary([30, 10, 20], {"f": 5}))
    assert rec["measures"]["instructions"] == 20
    assert rec["counts"]["instructions"] == [30, 10, 20] and rec["counts"]["threads"] == 1


def test_cuda_and_training_cases_are_not_applicable_without_starting_valgrind() -> None:
    counter = counts.Counter.__new__(counts.Counter)  # no worker, no valgrind needed for these
    counter.error = None
    cuda = counter.count(tiny_case(device="cuda", cudnn=True))
    assert cuda == {"status": "not applicable", "reason": counts.CUDA_REASON}
    assert (
        counts.not_applicable(tiny_case(model="classifier", phase="train_quality"))
        == counts.QUALITY_REASON
    )
    assert counts.not_applicable(tiny_case()) is None


def test_counts_gate_flags_two_percent_and_passes_noise() -> None:
    slowed = {k: [round(v * 1.02) for v in vs] for k, vs in BASE.items()}
    noisy = {
        k: [v + 700 for v in vs] for k, vs in BASE.items()
    }  # +0.07%: inside the repeats' spread
    flagged = compare(
        [counted_doc(BASE)], [counted_doc(slowed)], ONE_PERCENT, metric="instructions"
    )
    assert {row.mark for row in flagged.rows} == {"regression"}
    assert {row.verdict.method for row in flagged.rows} == {significance.COUNTS}
    quiet = compare([counted_doc(BASE)], [counted_doc(noisy)], ONE_PERCENT, metric="instructions")
    assert {row.mark for row in quiet.rows} == {"no change"}


def test_counts_gate_needs_counted_runs_on_both_sides() -> None:
    plain = document([record(i, times()) for i in CASE_IDS])
    with pytest.raises(UserError, match=r"current has no instruction counts.*--counts"):
        compare([counted_doc(BASE)], [plain], metric="instructions", allow_foreign=True)
    with pytest.raises(UserError, match="--metric: expected one of time, instructions"):
        compare([plain], [plain], metric="cycles")


def test_counts_gate_refuses_another_valgrind_or_torch() -> None:
    with pytest.raises(UserError, match=r"valgrind: '3.19.0' != '3.22.0'"):
        compare(
            [counted_doc(BASE)],
            [counted_doc(BASE, env=machine(valgrind="3.22.0"))],
            ONE_PERCENT,
            metric="instructions",
        )
    with pytest.raises(UserError, match=r"torch: '2.13.0' != '2.14.0'"):
        compare(
            [counted_doc(BASE)],
            [counted_doc(BASE, env=machine(valgrind="3.19.0", torch="2.14.0"))],
            ONE_PERCENT,
            metric="instructions",
        )


def test_uncounted_fingerprints_do_not_change() -> None:
    facts = machine()
    assert envmod.fingerprint(facts) == envmod.fingerprint(facts | {"valgrind": None})
    assert envmod.fingerprint(facts) != envmod.fingerprint(facts | {"valgrind": "3.19.0"})


def test_flagged_case_shows_the_functions_that_grew() -> None:
    functions = {
        CASE_IDS[0]: {"at::native::lstm (libtorch_cpu.so)": 900_000, "PyObject_Call": 990_000}
    }
    grown = {
        CASE_IDS[0]: {
            "at::native::lstm (libtorch_cpu.so)": 900_000,
            "PyObject_Call": 1_010_000,
            "at::native::mm (libtorch_cpu.so)": 20_000,
        }
    }
    slowed = dict(BASE, **{CASE_IDS[0]: [round(v * 1.02) for v in BASE[CASE_IDS[0]]]})
    result = compare(
        [counted_doc(BASE, functions)],
        [counted_doc(slowed, grown)],
        ONE_PERCENT,
        metric="instructions",
    )
    assert result.flagged() == [CASE_IDS[0]]
    text = render(result)
    assert f"what grew in {CASE_IDS[0]}" in text and "M instr" in text
    frame = counts_delta.delta(*result.functions(CASE_IDS[0]))
    assert list(frame["function"][:2]) == ["PyObject_Call", "at::native::mm (libtorch_cpu.so)"]
    assert list(frame["delta"][:2]) == [20_000, 20_000]


def test_missing_valgrind_names_the_debian_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(
        UserError, match=r"^--counts: valgrind, .* not found: install the Debian package 'valgrind'"
    ):
        callgrind.require()


@pytest.mark.slow
def test_pytest_counts_without_valgrind_is_one_usage_line(tmp_path, tiny_suite) -> None:
    env = {"PATH": str(tmp_path), "PYTHONPATH": ":".join(sys.path)}
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "bench", "--suite", str(tiny_suite), "--counts", "-q"],
        capture_output=True,
        text=True,
        env=env,
        cwd=counts.__file__.rsplit("/bench/", 1)[0],
    )
    assert out.returncode == 4
    assert "install the Debian package 'valgrind'" in out.stderr


@pytest.mark.slow
def test_pytest_metric_instructions_needs_counts(tiny_suite) -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "bench",
            "--suite",
            str(tiny_suite),
            "--metric",
            "instructions",
            "-q",
        ],
        capture_output=True,
        text=True,
        cwd=counts.__file__.rsplit("/bench/", 1)[0],
    )
    assert out.returncode == 4
    assert "--metric instructions: needs --counts" in out.stderr
