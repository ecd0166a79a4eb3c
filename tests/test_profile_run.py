"""`pytest bench --profile`: traces per case, op summaries in the records, timings untouched."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import torch

from conftest import tiny_suite_toml
from rnnbench.cases.case import Case
from rnnbench.measurement import ceiling, runner, workload
from rnnbench.measurement.profiling import ProfileSchedule
from rnnbench.measurement.session import BenchSession
from rnnbench.measurement.timing import Workload, run_rounds
from rnnbench.results.store import load, to_frame

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 3
TINY_SUITE = tiny_suite_toml(
    min_rounds=ROUNDS, max_rounds=ROUNDS, hidden_size=4, device="cpu", phases=["forward_backward"]
)


@pytest.fixture
def tiny_suite(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY_SUITE)
    return path


@pytest.fixture
def quick_ceiling(monkeypatch: pytest.MonkeyPatch) -> None:
    """A small (still measured) GEMM, to keep the session tests fast."""
    real = ceiling.measure_ceiling
    monkeypatch.setattr(
        ceiling, "measure_ceiling", lambda d, t: real(d, t, start=128, max_size=256)
    )


@pytest.mark.slow
def test_profile_option_writes_traces_and_op_summaries(tmp_path: Path, tiny_suite: Path) -> None:
    """Run from another directory: bare `--profile` puts the traces in ./profiles."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(ROOT / "bench"),
        "--suite",
        str(tiny_suite),
        "--results",
        str(tmp_path / "results"),
        "-q",
        "-p",
        "no:cacheprovider",
        "--profile",
    ]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (doc,) = load([tmp_path / "results"])
    assert doc["env"]["gemm_gflops"]["cpu/float32"] > 0
    assert [record["status"] for record in doc["records"]] == ["ok", "ok"]
    for record in doc["records"]:
        profile = record["profile"]
        assert profile["trace_dir"] == str(
            Path("profiles") / record["id"]
        )  # as given: relative to the run's cwd
        (trace,) = (tmp_path / profile["trace_dir"]).glob("*.pt.trace.json")
        assert json.loads(trace.read_text())["traceEvents"]
        assert profile["top_ops"] and 0 < sum(op["share"] for op in profile["top_ops"]) <= 1
        assert len(record["times_s"]) == record["stats"]["rounds"] == ROUNDS
        assert 0 < record["measures"]["efficiency"] <= 1
    frame = to_frame([doc])
    assert frame["efficiency"].between(0, 1).all() and frame["trace_dir"].notna().all()


def spy_targets(monkeypatch: pytest.MonkeyPatch, calls: list[bool]) -> None:
    """Log, for every timed-target call of any workload, whether the profiler was recording."""
    real = workload.build_workload

    def build(*args: Any) -> Workload:
        work = real(*args)

        def target() -> object:
            calls.append(torch.autograd._profiler_enabled())
            return work.target()

        return Workload(setup=work.setup, target=target)

    monkeypatch.setattr(workload, "build_workload", build)


@pytest.mark.parametrize("profiled", [False, True])
def test_profiling_rounds_never_enter_the_timings(
    tmp_path: Path,
    tiny_suite: Path,
    monkeypatch: pytest.MonkeyPatch,
    quick_ceiling: None,
    profiled: bool,
) -> None:
    calls: list[bool] = []
    spy_targets(monkeypatch, calls)
    window: list[int] = []
    timed: list[float] = []

    def round_runner(work: Workload, rounds: int) -> list[float]:
        window.append(len(calls))
        timed.extend(run_rounds(work, rounds))
        window.append(len(calls))
        return list(timed)

    profile_dir = tmp_path / "profiles" if profiled else None
    session = BenchSession(
        suite_name=str(tiny_suite), results_dir=tmp_path, profile_dir=profile_dir
    )
    record, error = session.run(session.cases[0], round_runner)
    assert error is None and record["times_s"] == timed and len(timed) == ROUNDS
    start, end = window
    assert calls[start:end] == [False] * ROUNDS  # the timed rounds: profiler off
    assert calls[:start].count(True) == 1  # before: the first round, the warm-up, and one untimed
    assert not any(
        calls[calls.index(True) + 1 : start]
    )  # memory round (peak bytes) under the profiler
    steps = ProfileSchedule()
    profiling_rounds = [False] * (steps.wait + steps.warmup) + [
        True
    ] * steps.active  # recording when active
    # after the timing only: the FLOP-counting round (rnnbench.measurement.flops), then the profile
    assert calls[end:] == [False] + (profiling_rounds if profiled else [])
    assert ("profile" in record) is profiled


def test_a_failed_profile_keeps_the_timing(
    tmp_path: Path, tiny_suite: Path, monkeypatch: pytest.MonkeyPatch, quick_ceiling: None
) -> None:
    def broken(case: Case, trace_dir: Path) -> dict[str, Any]:
        raise RuntimeError("no profiler here")

    monkeypatch.setattr(runner, "profile_case", broken)
    session = BenchSession(
        suite_name=str(tiny_suite), results_dir=tmp_path, profile_dir=tmp_path / "p"
    )
    with pytest.warns(UserWarning, match="profiling failed: RuntimeError: no profiler here"):
        record, error = session.run(session.cases[0], run_rounds)
    assert error is None and record["status"] == "ok" and len(record["times_s"]) == ROUNDS
    assert record["profile"] == {
        "trace_dir": str(tmp_path / "p" / record["id"]),
        "error": "RuntimeError: no profiler here",
        "top_ops": [],
    }
    session.close(complete=True)
    (doc,) = load([tmp_path])
    assert doc["records"][0]["profile"]["error"]
