"""The pytest plugin: options, case parametrization, and the `rnnbench` fixture.

Timing goes through pytest-benchmark's `benchmark.pedantic`, so its options
(`--benchmark-json`, `--benchmark-autosave`, `--benchmark-compare`, ...) keep working.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench import gate as gatemod
from bench.case import Case
from bench.errors import UserError
from bench.runner import is_case_limit
from bench.session import CUDNN_CHOICES, DEVICE_CHOICES, BenchSession, describe_selection
from bench.timing import RoundRunner, Workload

SESSION_KEY = pytest.StashKey[BenchSession]()
GATE_KEY = pytest.StashKey[gatemod.Gate]()
SELECTED_KEY = pytest.StashKey[list[str]]()
SUMMARY_KEY = pytest.StashKey[list[str]]()


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
    group.addoption(
        "--profile", nargs="?", type=Path, const=Path("profiles"), default=None, metavar="DIR",
        help="also profile each case after its timed rounds; traces in DIR/<case-id>/ (default: profiles/)",
    )  # fmt: skip
    gate = parser.getgroup("rnnbench-gate", "rnnbench: regression gate and history")
    gate.addoption("--baseline", metavar="PATH|NAME", help="compare this run with a results file, dir or saved baseline")
    gate.addoption("--fail-on-regression", metavar="PCT", help="fail the session on a significant slowdown > PCT")
    gate.addoption("--threshold-for", action="append", default=[], metavar="PATTERN=PCT", help="per-case threshold")
    gate.addoption("--remeasure", type=int, default=None, metavar="N", help="re-test flagged cases on up to N fresh runs (default 2)")
    gate.addoption("--gate-quantile", type=float, default=0.5, metavar="Q", help="compare this quantile (0.5)")
    gate.addoption("--allow-foreign", action="store_true", help="allow a baseline from another machine fingerprint")
    gate.addoption("--history", metavar="DB", help="append this run to a SQLite history file")
    gate.addoption("--shard", metavar="K/N", help="run only the K-th of N deterministic slices of the cases")


def pytest_configure(config: pytest.Config) -> None:
    config.stash[SESSION_KEY] = BenchSession(
        suite_name=config.getoption("suite"),
        device=config.getoption("device"),
        cudnn=config.getoption("cudnn"),
        threads=config.getoption("threads"),
        results_dir=Path(config.getoption("results")),
        profile_dir=config.getoption("profile"),
    )
    _configure_gate(config)


def _configure_gate(config: pytest.Config) -> None:
    """Validate gate options and load the baseline before anything is measured."""
    try:
        gate = gatemod.configure(config.getoption, lambda: config.stash[SESSION_KEY].env)
    except UserError as exc:
        raise pytest.UsageError(str(exc)) from None
    if gate is not None:
        config.stash[GATE_KEY] = gate


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "rnn_case" not in metafunc.fixturenames:
        return
    session = metafunc.config.stash[SESSION_KEY]
    try:
        cases = session.cases
        if not cases:
            selection = describe_selection(session.device, session.cudnn)
            raise UserError(f"suite {session.suite.name!r} selects no cases with {selection}")
        cases = gatemod.shard_cases(cases, metafunc.config.getoption("shard"))
    except UserError as exc:
        session.usage_error, cases = str(exc), []  # reported once collection ends, as one line
    metafunc.parametrize("rnn_case", cases, ids=[case.id for case in cases])


def pytest_collection_finish(session: pytest.Session) -> None:
    error = session.config.stash[SESSION_KEY].usage_error
    if error is not None:
        raise pytest.UsageError(error)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Remember which cases this session runs (after -k, --shard): the gate compares only those."""
    params = (getattr(item, "callspec", None) for item in items)
    cases = (p.params.get("rnn_case") for p in params if p is not None)
    config.stash[SELECTED_KEY] = [case.id for case in cases if isinstance(case, Case)]


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
        _finish_gate(session, bench_session)


def _finish_gate(session: pytest.Session, bench_session: BenchSession) -> None:
    """Append to the history, run the gate, and fail the session on a regression."""
    if session.exitstatus == pytest.ExitCode.INTERRUPTED:
        return
    config = session.config
    try:
        lines, failed = gatemod.finish(config.stash.get(GATE_KEY, None), bench_session,
                                       config.stash.get(SELECTED_KEY, []), config.getoption("history"))  # fmt: skip
    except UserError as exc:
        lines, failed = [f"rnnbench gate: error: {exc}"], False
        session.exitstatus = pytest.ExitCode.USAGE_ERROR
    if failed and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    config.stash[SUMMARY_KEY] = lines


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    for line in config.stash.get(SUMMARY_KEY, []):
        terminalreporter.write_line(line)
    session = config.stash.get(SESSION_KEY, None)
    if session is None or session.results is None:
        return
    statuses = [record["status"] for record in session.results.records]
    counts = ", ".join(f"{statuses.count(s)} {s}" for s in ("ok", "failed", "skipped") if s in statuses)
    terminalreporter.write_line(f"rnnbench: {len(statuses)} records ({counts}) -> {session.results.path}")
