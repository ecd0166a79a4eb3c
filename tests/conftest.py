"""Shared helpers for the harness tests: tiny cases and suite files; the report tests' tiny real run."""

from __future__ import annotations

import dataclasses
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from report_data import SUITE_NAME, TREND_GLOB, later_run

from rnnbench.cases.case import Case
from rnnbench.reports.build import build
from rnnbench.results import history, store

pytest_plugins = ("pytester",)

# Started in the background without job control (`nohup pytest ... &`), this process and every child
# would ignore SIGINT, and the Ctrl-C tests would wait for runs that never stop. A handled signal is
# reset to the default in each child a test starts, so the children see Ctrl-C as a user's terminal sends it.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

TINY_SETTINGS = {"warmup_rounds": 1, "min_rounds": 3, "max_rounds": 3, "max_time": 0.01}
TINY_GRID = {
    "cell": ["lstm", "gru"],
    "batch": 2,
    "seq_len": 3,
    "input_size": 4,
    "hidden_size": 5,
    "phases": ["forward", "backward"],
}


def tiny_suite_toml(**overrides: object) -> str:
    """The tiny suite file as TOML text; each override replaces (or adds) a setting or grid key."""
    settings = TINY_SETTINGS | {k: v for k, v in overrides.items() if k in TINY_SETTINGS}
    grid = TINY_GRID | {k: v for k, v in overrides.items() if k not in TINY_SETTINGS}

    def lines(table: dict[str, object]) -> str:
        return "".join(f"{key} = {json.dumps(value)}\n" for key, value in table.items())

    return f'[suite]\nname = "tiny"\n\n[settings]\n{lines(settings)}\n[[grid]]\n{lines(grid)}'


def tiny_case(**changes: object) -> Case:
    """A CPU case small enough to run in milliseconds."""
    base = Case(
        cell="lstm",
        model="layer",
        batch=2,
        seq_len=3,
        input_size=4,
        hidden_size=5,
        num_layers=1,
        bidirectional=False,
        dtype="float32",
        device="cpu",
        cudnn=None,
        phase="forward",
    )
    return dataclasses.replace(base, **changes)


@pytest.fixture(scope="session")
def torch_loaded() -> None:
    """Measure one tiny case, so that torch and everything a measurement imports lazily (the profiler
    pulls in torch._dynamo) is loaded before pytester's in-process runs: each restores sys.modules
    afterwards, and torch's extensions cannot be loaded twice in one process."""
    import rnnbench

    rnnbench.measure(
        tiny_case(phase="backward"),
        rnnbench.TimingPolicy(warmup_rounds=1, min_rounds=1, max_time=0.001),
    )


@pytest.fixture
def in_process_bench(torch_loaded: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ready for an in-process `pytest bench` run (pytester): torch loaded, and no xdist worker marker
    in the environment, which would make pytest-benchmark disable itself under `pytest -n 2`."""
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)


@pytest.fixture
def tiny_suite(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(tiny_suite_toml())
    return path


ROOT = Path(__file__).resolve().parent.parent
# The report tests build from a real `pytest bench` run at tiny shapes, once per session (seconds).
REPORT_SUITE = f"""
[suite]
name = {json.dumps(SUITE_NAME)}
[settings]
warmup_rounds = 1
min_rounds = 3
max_rounds = 3
max_time = 0.001
[defaults]
phases = ["forward_backward", "inference"]
device = "cpu"
[[grid]]
cell = ["lstm", "gru"]
batch = [1, 2]
seq_len = [2, 8]
input_size = 4
hidden_size = [4, 8]
[[case]]  # a CUDA case: recorded as skipped on a machine without CUDA
cell = "gru"
batch = 1
seq_len = 2
input_size = 4
hidden_size = 4
device = "cuda"
cudnn = "on"
phases = ["inference"]
"""


def run_bench(suite_text: str, work: Path, *options: str) -> Path:
    """Write the suite into `work`, run `pytest bench` on it in a subprocess; returns the results dir."""
    results = work / "results"
    suite = work / "tiny.toml"
    suite.write_text(suite_text)
    command = [
        sys.executable,
        "-m",
        "pytest",
        "bench",
        "--suite",
        str(suite),
        "--results",
        str(results),
        "-q",
        "-p",
        "no:cacheprovider",
        *options,
    ]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return results


# Fixtures that run `pytest bench` in a subprocess: a test that uses one is `slow` (see pyproject.toml).
SUBPROCESS_FIXTURES = (
    "tiny_results",
    "tiny_report",
    "profiled_results",
    "profiled_report",
    "history_db",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `slow` every test that needs a real `pytest bench` run from a SUBPROCESS_FIXTURES fixture."""
    for item in items:
        if set(getattr(item, "fixturenames", ())) & set(SUBPROCESS_FIXTURES):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def tiny_results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A results directory written by a real `pytest bench` run of a tiny suite."""
    return run_bench(REPORT_SUITE, tmp_path_factory.mktemp("tiny-run"), "--device", "all")


@pytest.fixture(scope="session")
def tiny_report(tiny_results: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report directory built from `tiny_results`."""
    out = tmp_path_factory.mktemp("tiny-report")
    build([tiny_results], out, progress=False)
    return out


@pytest.fixture(scope="session")
def profiled_results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real `pytest bench --profile` run: LSTM and GRU at two batch sizes, two phases (seconds)."""
    work = tmp_path_factory.mktemp("profiled-run")
    suite = tiny_suite_toml(
        batch=[1, 2], hidden_size=4, device="cpu", phases=["forward_backward", "inference"]
    )
    return run_bench(suite, work, "--profile", str(work / "profiles"))


@pytest.fixture(scope="session")
def history_db(profiled_results: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A history file holding the profiled run and a later run of another commit."""
    db = tmp_path_factory.mktemp("history") / "history.db"
    (doc,) = store.load([profiled_results])
    history.append(db, [doc, later_run(doc)])
    return db


@pytest.fixture(scope="session")
def profiled_report(
    profiled_results: Path, history_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The report of the profiled run, with trend plots of its batch-1 cases from `history_db`."""
    out = tmp_path_factory.mktemp("profiled-report")
    build([profiled_results], out, progress=False, history=history_db, pattern=TREND_GLOB)
    return out
