"""Fault tests of what rnnbench reads: huge or unreadable suites, bad settings and options, damaged
records, impossible allocations. Each is one line naming the culprit, or a recorded reason."""

from __future__ import annotations

import copy
import json
import math
import time
from pathlib import Path
from typing import Any

import pytest
import torch
from fault_runs import TINY, run_bench, tiny_suite
from gate_docs import run_doc, write

from rnnbench.cases import suite
from rnnbench.cli import main
from rnnbench.errors import EXIT_USAGE, UserError
from rnnbench.gate import significance
from rnnbench.gate.pytest_gate import Gate
from rnnbench.measurement import env as envmod
from rnnbench.measurement import runner
from rnnbench.measurement.timing import TimingPolicy
from rnnbench.reports.build import build
from rnnbench.results import store
from tests.conftest import tiny_case

MILLION = (
    TINY.format(rounds=3, seq_len=2)
    .replace("batch = 1", f"batch = {list(range(1, 1001))}")
    .replace("seq_len = 2", f"seq_len = {list(range(1, 251))}")
)  # 1000 x 250 x 2 cells x 2 phases = 10^6 cases


def test_a_huge_grid_is_refused_up_front_with_its_count(tmp_path: Path) -> None:
    path = tiny_suite(tmp_path, text=MILLION)
    started = time.perf_counter()
    with pytest.raises(
        UserError, match=r"declares 1000000 cases .*limit of 10000.*--max-cases 1000000"
    ):
        suite.load(str(path))
    assert time.perf_counter() - started < 2  # counted, never expanded
    small = tiny_suite(tmp_path)
    with pytest.raises(UserError, match="declares 4 cases"):
        suite.load(str(small), max_cases=3)
    assert len(suite.load(str(small), max_cases=4).cases) == 4


@pytest.mark.slow
def test_pytest_bench_refuses_a_huge_grid_and_max_cases_raises_the_limit(tmp_path: Path) -> None:
    done = run_bench(tiny_suite(tmp_path, text=MILLION), tmp_path / "results", timeout=60)
    assert done.returncode == EXIT_USAGE and "declares 1000000 cases" in done.stderr, (
        done.stdout + done.stderr
    )
    assert main(["cases", str(tmp_path / "tiny.toml"), "--count", "--max-cases", "3"]) == EXIT_USAGE


@pytest.mark.parametrize(
    "message",
    [
        "DefaultCPUAllocator: can't allocate memory: you tried to allocate 327680000000000 bytes. Error code 12",
        "CUDA out of memory. Tried to allocate 20.00 GiB",
    ],
)
def test_an_allocation_failure_is_a_recorded_case_failure(
    message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def build(case: Any) -> Any:
        raise RuntimeError(message)

    monkeypatch.setattr(runner, "build", build)
    record, error = runner.run_case(
        tiny_case(), TimingPolicy(warmup_rounds=0, min_rounds=1, max_rounds=1)
    )
    assert record["status"] == "failed" and record["reason"].startswith("RuntimeError: ")
    assert "\n" not in record["reason"] and error is not None and runner.is_case_limit(error)
    assert runner.is_case_limit(MemoryError())


def test_the_same_run_twice_in_a_report(tiny_results: Path, tmp_path: Path) -> None:
    (source,) = tiny_results.glob("*.json")
    copy_of_it = tmp_path / "baseline.json"
    copy_of_it.write_text(source.read_text())
    page = build([tiny_results, copy_of_it], tmp_path / "report", progress=False)
    assert "1 input," in page.read_text()
    edited = json.loads(source.read_text())
    edited["records"] = edited["records"][:1]
    copy_of_it.write_text(json.dumps(edited))  # same run id, other records: two inputs, told apart
    page = build([tiny_results, copy_of_it], tmp_path / "report", progress=False)
    assert "2 inputs," in page.read_text() and "· baseline.json" in page.read_text()


@pytest.mark.parametrize("content", [b"\xff\xfe\x00garbage\x80", None], ids=["binary", "proc-mem"])
def test_an_unreadable_suite_file_is_one_line(tmp_path: Path, content: bytes | None) -> None:
    path = Path("/proc/self/mem")
    if content is not None:
        path = tmp_path / "bad.toml"
        path.write_bytes(content)
    elif not path.exists():
        pytest.skip("no /proc here")
    with pytest.raises(UserError, match="cannot read the suite file"):
        suite.load(str(path))


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_max_time_must_be_finite(tmp_path: Path, value: str) -> None:
    path = tiny_suite(
        tmp_path,
        text=TINY.format(rounds=3, seq_len=2).replace("max_time = 0.01", f"max_time = {value}"),
    )
    with pytest.raises(
        UserError, match=r"settings.max_time: must be a positive number of seconds \(finite\)"
    ):
        suite.load(str(path))


DAMAGE = {
    "case null": lambda r: r.update(case=None),
    "measures null": lambda r: r.update(measures=None),
    "times text": lambda r: r.update(times_s="abc"),
    "time text": lambda r: r["times_s"].__setitem__(0, "abc"),
    "nan time": lambda r: r["times_s"].__setitem__(0, math.nan),
    "inf time": lambda r: r["times_s"].__setitem__(0, math.inf),
    "negative time": lambda r: r["times_s"].__setitem__(0, -1e-3),
    "zero time": lambda r: r["times_s"].__setitem__(0, 0.0),
    "zero median": lambda r: r["stats"].update(median=0.0),
    "nan median": lambda r: r["stats"].update(median=math.nan),
    "id not text": lambda r: r.update(id=None),
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_damaged_record_is_an_input_error_naming_file_and_record(
    tmp_path: Path, damage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = copy.deepcopy(run_doc())
    DAMAGE[damage](doc["records"][1])
    path = tmp_path / "damaged.json"
    path.write_text(json.dumps(doc))  # NaN and Infinity are written as JSON's non-standard literals
    with pytest.raises(UserError, match=r"damaged.json: records\[1\]"):
        store.read_document(path)
    assert main(["show", str(path)]) == EXIT_USAGE
    assert main(["compare", str(write(tmp_path / "base.json", run_doc())), str(path)]) == EXIT_USAGE
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 2 and all("records[1]" in line for line in errors), errors


@pytest.mark.parametrize("text", ["nan%", "inf%", "nan", "-inf", "1e400%"])
def test_thresholds_must_be_finite(text: str) -> None:
    with pytest.raises(UserError, match="--threshold: threshold must be a positive, finite number"):
        significance.parse_threshold(text)


def test_errors_name_the_option_the_user_typed(tmp_path: Path) -> None:
    base = str(write(tmp_path / "base.json", run_doc()))
    with pytest.raises(UserError, match=r"^--fail-on-regression: not a percentage"):
        Gate.from_options(base, "abc", [], 0, False)
    with pytest.raises(UserError, match=r"^--fail-on-regression: threshold must be"):
        Gate.from_options(base, "nan%", [], 0, False)
    with pytest.raises(UserError, match=r"^--gate-quantile: must be between 0 and 1"):
        Gate.from_options(base, "5%", [], 0, False, quantile=2.0)


@pytest.mark.slow
def test_more_threads_than_cores_is_refused_or_skipped(tmp_path: Path) -> None:
    too_many = (envmod.os.cpu_count() or 1) + 1
    done = run_bench(tiny_suite(tmp_path), tmp_path / "results", "--threads", str(too_many))
    assert done.returncode == EXIT_USAGE and f"--threads: {too_many} threads on" in done.stderr, (
        done.stderr
    )
    assert "oversubscribed" in str(
        runner.skip_reason(tiny_case(threads=too_many), cuda_available=False)
    )
    assert (
        runner.skip_reason(tiny_case(threads=1), cuda_available=torch.cuda.is_available()) is None
    )


def test_cudnn_in_a_cpu_case_is_refused(tmp_path: Path) -> None:
    case = '[[case]]\ncell = "gru"\nbatch = 1\nseq_len = 2\ninput_size = 2\nhidden_size = 2\ndevice = "cpu"\ncudnn = "on"\n'
    path = tiny_suite(tmp_path, text=case)
    with pytest.raises(UserError, match=r"case\[0\]\.cudnn: CPU cases have no cuDNN setting"):
        suite.load(str(path))


@pytest.mark.slow
def test_usage_errors_exit_4_everywhere(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as argparse_error:
        main(["compare", "--no-such-option"])
    assert argparse_error.value.code == EXIT_USAGE == 4
    assert main(["cases", "no-such-suite"]) == EXIT_USAGE
    done = run_bench(tiny_suite(tmp_path), tmp_path / "results", "--device", "tpu")
    assert done.returncode == EXIT_USAGE, done.stderr
