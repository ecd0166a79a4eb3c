"""The pytest plugin (entry point `pytest11`): options, case parametrization, the `rnnbench` fixture.

Installed, it is loaded by every pytest run, so it stays inert until asked: its options are
`--rnnbench-*` only (short names come from `bench/conftest.py`), nothing heavy (torch) is imported
and nothing is created until a test uses `rnn_case` or the `rnnbench` fixture, or a gate option is given.
Timing goes through pytest-benchmark's `benchmark.pedantic`, so its options
(`--benchmark-json`, `--benchmark-autosave`, `--benchmark-compare`, ...) keep working.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from rnnbench import suites
from rnnbench.cases.case import Case
from rnnbench.cases.select import CUDNN_CHOICES, DEVICE_CHOICES, MAX_CASES, describe_selection
from rnnbench.errors import EXIT_USAGE, UserError
from rnnbench.results import atomic

if TYPE_CHECKING:
    from rnnbench.gate.pytest_gate import Gate
    from rnnbench.measurement.session import BenchSession
    from rnnbench.measurement.timing import RoundRunner
    from rnnbench.results.schema import Record

SESSION_KEY = pytest.StashKey["BenchSession"]()
GATE_KEY: pytest.StashKey[Gate] = pytest.StashKey()
SELECTED_KEY = pytest.StashKey[list[str]]()
SUMMARY_KEY = pytest.StashKey[list[str]]()
# checked before anything runs
GATE_OPTIONS = ("baseline", "fail_on_regression", "remeasure", "shard", "history", "metric")


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


# (group, short name, argparse keywords). The entry point registers each as `--rnnbench-NAME` only, so
# installing rnnbench never clashes with a project's own `--device` or `--results`; `bench/conftest.py`
# adds the short names (`--suite`, `--device`, ...) where the benchmarks are collected (`pytest bench`,
# `rnnbench run`). Values land in `rnnbench_NAME` (see `option`).
OPTIONS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    (
        "",
        "suite",
        dict(
            default="smoke",
            help=f"a shipped suite ({', '.join(suites.names())}) or a TOML path (default: smoke)",
        ),
    ),
    (
        "",
        "device",
        dict(choices=DEVICE_CHOICES, default=None, help="default: every device present"),
    ),
    (
        "",
        "cudnn",
        dict(choices=CUDNN_CHOICES, default="both", help="CUDA cases: cuDNN on, off or both"),
    ),
    (
        "",
        "threads",
        dict(type=_positive_int, default=None, help="torch intra-op threads (default: torch's)"),
    ),
    (
        "",
        "max-cases",
        dict(
            type=_positive_int,
            default=MAX_CASES,
            metavar="N",
            help=f"refuse a suite that declares more cases (default: {MAX_CASES})",
        ),
    ),
    (
        "",
        "results",
        dict(default="results", metavar="DIR", help="where results files go (default: results/)"),
    ),
    (
        "",
        "profile",
        dict(
            nargs="?",
            type=Path,
            const=Path("profiles"),
            default=None,
            metavar="DIR",
            help="also profile each case after its timed rounds; traces in DIR/<case-id>/ (default: profiles/)",
        ),
    ),
    (
        "",
        "counts",
        dict(
            action="store_true",
            help="also count each CPU case's instructions under callgrind, all in one valgrind process",
        ),
    ),
    (
        "gate",
        "baseline",
        dict(
            metavar="PATH|NAME", help="compare this run with a results file, dir or saved baseline"
        ),
    ),
    (
        "gate",
        "fail-on-regression",
        dict(metavar="PCT", help="fail the session on a significant slowdown > PCT"),
    ),
    (
        "gate",
        "threshold-for",
        dict(action="append", default=[], metavar="PATTERN=PCT", help="per-case threshold"),
    ),
    (
        "gate",
        "remeasure",
        dict(
            type=int,
            default=None,
            metavar="N",
            help="re-test flagged cases on up to N fresh runs (default 2)",
        ),
    ),
    (
        "gate",
        "metric",
        dict(
            choices=("time", "instructions"),
            default=None,
            help="what the gate compares: round times (default) or instruction counts (needs --counts)",
        ),
    ),
    (
        "gate",
        "gate-quantile",
        dict(type=float, default=0.5, metavar="Q", help="compare this quantile (0.5)"),
    ),
    (
        "gate",
        "allow-foreign",
        dict(action="store_true", help="allow a baseline from another machine fingerprint"),
    ),
    ("gate", "history", dict(metavar="DB", help="append this run to a SQLite history file")),
    (
        "gate",
        "shard",
        dict(metavar="K/N", help="run only the K-th of N deterministic slices of the cases"),
    ),
)
GROUPS = {
    "": ("rnnbench", "rnnbench: LSTM/GRU benchmarks"),
    "gate": ("rnnbench-gate", "rnnbench: regression gate and history"),
}


def add_options(parser: pytest.Parser, short: bool) -> None:
    """Register every option as `--rnnbench-NAME`, or (short=True) under its short name `--NAME`."""
    for group, name, keywords in OPTIONS:
        flag = f"--{name}" if short else f"--rnnbench-{name}"
        dest = "rnnbench_" + name.replace("-", "_")
        parser.getgroup(*GROUPS[group]).addoption(flag, dest=dest, **keywords)


def option(config: pytest.Config, name: str) -> Any:
    """The value of option `name` (`suite`, `fail_on_regression`, ...), whichever spelling was used."""
    return config.getoption(f"rnnbench_{name}")


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser, short=False)


def session_of(config: pytest.Config) -> BenchSession:
    """This run's `BenchSession`, created (and torch imported) the first time a benchmark needs it."""
    if SESSION_KEY not in config.stash:
        from rnnbench.measurement.session import BenchSession

        config.stash[SESSION_KEY] = BenchSession(
            suite_name=option(config, "suite"),
            device=option(config, "device"),
            cudnn=option(config, "cudnn"),
            threads=option(config, "threads"),
            max_cases=option(config, "max_cases"),
            results_dir=Path(option(config, "results")),
            profile_dir=option(config, "profile"),
            shard=option(config, "shard"),
            counts=option(config, "counts"),
        )
    return config.stash[SESSION_KEY]


def pytest_configure(config: pytest.Config) -> None:
    """Check valgrind (--counts), validate gate options and load the baseline before anything is measured."""
    if option(config, "counts"):
        from rnnbench.measurement import callgrind

        try:
            callgrind.require()
        except UserError as exc:
            raise pytest.UsageError(str(exc)) from None
    if all(option(config, name) is None for name in GATE_OPTIONS):
        return
    from rnnbench.gate import pytest_gate

    try:
        gate = pytest_gate.configure(
            lambda name: option(config, name), lambda: session_of(config).env
        )
    except UserError as exc:
        raise pytest.UsageError(str(exc)) from None
    if gate is not None:
        config.stash[GATE_KEY] = gate


def _check_options(config: pytest.Config) -> None:
    """Refuse --threads beyond the cores; prove every output folder takes files (one line if not)."""
    from rnnbench.measurement.env import oversubscribed

    too_many = oversubscribed(option(config, "threads"))
    if too_many:
        raise UserError(f"--threads: {too_many}")
    for name in ("results", "profile"):
        if option(config, name) is not None:
            atomic.check_directory(Path(option(config, name)), f"--{name}")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "rnn_case" not in metafunc.fixturenames:
        return
    from rnnbench.gate.pytest_gate import shard_cases

    session = session_of(metafunc.config)
    try:
        cases = session.cases
        if not cases:
            selection = describe_selection(session.device, session.cudnn)
            raise UserError(f"suite {session.suite.name!r} selects no cases with {selection}")
        cases = shard_cases(cases, option(metafunc.config, "shard"))
    except UserError as exc:
        session.usage_error, cases = str(exc), []  # reported once collection ends, as one line
    metafunc.parametrize("rnn_case", cases, ids=[case.id for case in cases])


def pytest_collection_finish(session: pytest.Session) -> None:
    """Stop on a suite error; remember which cases this session runs, after every filter (-k, -m,
    --deselect, --shard): the gate compares only those, so a deselected case is never "missing"."""
    bench_session = session.config.stash.get(SESSION_KEY, None)
    if bench_session is None:  # no benchmark collected: the plugin stays inert
        return
    try:
        if bench_session.usage_error is not None:
            raise UserError(bench_session.usage_error)
        _check_options(session.config)
    except UserError as exc:
        raise pytest.UsageError(str(exc)) from None
    params = (getattr(item, "callspec", None) for item in session.items)
    cases = (p.params.get("rnn_case") for p in params if p is not None)
    session.config.stash[SELECTED_KEY] = [case.id for case in cases if isinstance(case, Case)]


def pedantic_runner(benchmark: Any) -> RoundRunner:
    """Run timed rounds through pytest-benchmark and read back its raw per-round times."""

    def run(workload: Any, rounds: int) -> list[float]:
        benchmark.pedantic(workload.target, setup=workload.setup, rounds=rounds, warmup_rounds=0)
        return list(benchmark.stats.stats.data)

    return run


@pytest.fixture
def rnnbench(request: pytest.FixtureRequest, benchmark: Any) -> Any:
    """Call with a `Case` (a suite's `rnn_case`, or one a user's own benchmark file builds, with
    any cell): measures it through `benchmark`, stores its record, and puts it under the gate."""
    from rnnbench.measurement.runner import is_case_limit

    session = session_of(request.config)

    def measure(case: Case) -> Record:
        if benchmark.disabled:
            pytest.skip("timing disabled (--benchmark-disable)")
        benchmark.group = case.id.removeprefix(f"{case.cell}-")
        request.config.stash.setdefault(SELECTED_KEY, []).append(
            case.id
        )  # a user's own case is gated too
        try:
            record, error = session.run(case, pedantic_runner(benchmark))
        except (
            UserError
        ) as exc:  # the results file cannot be written: measuring on would lose it all
            pytest.exit(f"rnnbench: {exc}", returncode=EXIT_USAGE)
        benchmark.extra_info.update(case.to_dict(), status=record["status"], **record["measures"])
        if record["status"] == "skipped":
            assert record["reason"] is not None  # a skipped record says why
            pytest.skip(record["reason"])
        if error is not None:
            if is_case_limit(error):
                pytest.skip(f"recorded as failed: {record['reason']}")
            raise error
        return record

    return measure


def pytest_benchmark_update_machine_info(
    config: pytest.Config, machine_info: dict[str, Any]
) -> None:
    session = config.stash.get(SESSION_KEY, None)
    if session is not None and "env" in vars(session):
        machine_info["rnnbench"] = session.env
        machine_info["rnnbench_suite"] = session.suite.name  # the report's title


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    bench_session = session.config.stash.get(SESSION_KEY, None)
    if bench_session is None:
        return
    try:
        bench_session.close(complete=exitstatus != pytest.ExitCode.INTERRUPTED)
    except UserError as exc:
        session.config.stash[SUMMARY_KEY] = [f"rnnbench: error: {exc}"]
        session.exitstatus = EXIT_USAGE
        return
    _finish_gate(session, bench_session)


def _finish_gate(session: pytest.Session, bench_session: BenchSession) -> None:
    """Append to the history, run the gate, and fail the session on a regression."""
    if session.exitstatus == pytest.ExitCode.INTERRUPTED:
        return
    from rnnbench.gate import pytest_gate

    config = session.config
    try:
        lines, failed = pytest_gate.finish(
            config.stash.get(GATE_KEY, None),
            bench_session,
            config.stash.get(SELECTED_KEY, []),
            option(config, "history"),
        )
    except UserError as exc:
        lines, failed = [f"rnnbench gate: error: {exc}"], False
        session.exitstatus = EXIT_USAGE
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
    counts = ", ".join(
        f"{statuses.count(s)} {s}" for s in ("ok", "failed", "skipped") if s in statuses
    )
    terminalreporter.write_line(
        f"rnnbench: {len(statuses)} records ({counts}) -> {session.results.path}"
    )
