"""The pytest plugin: options, case parametrization, and the `rnnbench` fixture.

Timing goes through pytest-benchmark's `benchmark.pedantic`, so its options
(`--benchmark-json`, `--benchmark-autosave`, `--benchmark-compare`, ...) keep working.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.case import Case
from bench.errors import UserError
from bench.runner import is_case_limit
from bench.session import CUDNN_CHOICES, DEVICE_CHOICES, BenchSession, describe_selection
from bench.timing import RoundRunner, Workload

SESSION_KEY = pytest.StashKey[BenchSession]()


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("rnnbench", "rnnbench: LSTM/GRU benchmarks")
    group.addoption("--suite", default="smoke", help="suite name in suites/ or a TOML path (default: smoke)")
    group.addoption("--device", choices=DEVICE_CHOICES, default=None, help="default: every device present")
    group.addoption("--cudnn", choices=CUDNN_CHOICES, default="both", help="CUDA cases: cuDNN on, off or both")
    group.addoption("--threads", type=_positive_int, default=None, help="torch intra-op threads (default: torch's)")
    group.addoption("--results", default="results", metavar="DIR", help="where results files go (default: results/)")


def pytest_configure(config: pytest.Config) -> None:
    config.stash[SESSION_KEY] = BenchSession(
        suite_name=config.getoption("suite"),
        device=config.getoption("device"),
        cudnn=config.getoption("cudnn"),
        threads=config.getoption("threads"),
        results_dir=Path(config.getoption("results")),
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "rnn_case" not in metafunc.fixturenames:
        return
    session = metafunc.config.stash[SESSION_KEY]
    try:
        cases = session.cases
        if not cases:
            selection = describe_selection(session.device, session.cudnn)
            raise UserError(f"suite {session.suite.name!r} selects no cases with {selection}")
    except UserError as exc:
        session.usage_error, cases = str(exc), []  # reported once collection ends, as one line
    metafunc.parametrize("rnn_case", cases, ids=[case.id for case in cases])


def pytest_collection_finish(session: pytest.Session) -> None:
    error = session.config.stash[SESSION_KEY].usage_error
    if error is not None:
        raise pytest.UsageError(error)


def pedantic_runner(benchmark: Any) -> RoundRunner:
    """Run timed rounds through pytest-benchmark and read back its raw per-round times."""

    def run(workload: Workload, rounds: int) -> list[float]:
        benchmark.pedantic(workload.target, setup=workload.setup, rounds=rounds, warmup_rounds=0)
        return list(benchmark.stats.stats.data)

    return run


@pytest.fixture
def rnnbench(request: pytest.FixtureRequest, benchmark: Any) -> Any:
    """Call with a `Case`: measures it through `benchmark` and stores its record."""
    session = request.config.stash[SESSION_KEY]

    def measure(case: Case) -> dict[str, Any]:
        if benchmark.disabled:
            pytest.skip("timing disabled (--benchmark-disable)")
        benchmark.group = case.id.removeprefix(f"{case.cell}-")
        record, error = session.run(case, pedantic_runner(benchmark))
        benchmark.extra_info.update(case.to_dict(), status=record["status"], **record["measures"])
        if record["status"] == "skipped":
            pytest.skip(record["reason"])
        if error is not None:
            if is_case_limit(error):
                pytest.skip(f"recorded as failed: {record['reason']}")
            raise error
        return record

    return measure


def pytest_benchmark_update_machine_info(config: pytest.Config, machine_info: dict[str, Any]) -> None:
    session = config.stash.get(SESSION_KEY, None)
    if session is not None and "env" in vars(session):
        machine_info["rnnbench"] = session.env


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    bench_session = session.config.stash.get(SESSION_KEY, None)
    if bench_session is not None:
        bench_session.close(complete=exitstatus != pytest.ExitCode.INTERRUPTED)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    session = config.stash.get(SESSION_KEY, None)
    if session is None or session.results is None:
        return
    statuses = [record["status"] for record in session.results.records]
    counts = ", ".join(f"{statuses.count(s)} {s}" for s in ("ok", "failed", "skipped") if s in statuses)
    terminalreporter.write_line(f"rnnbench: {len(statuses)} records ({counts}) -> {session.results.path}")
