"""`pytest bench` end to end, in-process with pytester on tiny suites."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_bench as run_pytest_bench
from rnnbench.cli import main
from rnnbench.results import store

pytestmark = pytest.mark.usefixtures("in_process_bench")  # before any in-process pytest run
BENCH_MODULE = "from rnnbench.bench_rnn import bench_rnn as test_rnn\n"
# The installed plugin knows only `--rnnbench-*`; the short names come from the benchmarks' conftest.
SHORT_OPTIONS = ("-p", "rnnbench.conftest")


def run_bench(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_cases=BENCH_MODULE)
    return pytester.runpytest_inprocess(
        *SHORT_OPTIONS, "-p", "no:cacheprovider", "--results", "out", *args
    )


def test_runs_a_suite_with_readable_ids_and_stores_results(
    pytester: pytest.Pytester, tiny_suite: Path
) -> None:
    result = run_bench(pytester, "--suite", str(tiny_suite), "-v", "--benchmark-json", "pb.json")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(
        [
            "*test_rnn?lstm-layer-b2-t3-i4-h5-l1-uni-cpu-fp32-backward? PASSED*",
            "rnnbench: 4 records (4 ok) -> out*",
        ]
    )
    frame = store.load_frame([pytester.path / "out"])
    assert sorted(frame["phase"]) == ["backward", "backward", "forward", "forward"]
    assert (frame["rounds"] == 3).all()
    assert frame["fingerprint"].nunique() == 1
    # pytest-benchmark's own JSON keeps working and carries our measures and environment
    pb = json.loads((pytester.path / "pb.json").read_text())
    assert len(pb["benchmarks"]) == 4
    extra = pb["benchmarks"][0]["extra_info"]
    assert {"cell", "phase", "params", "saved_bytes", "gflops_per_s"} <= set(extra)
    assert pb["machine_info"]["rnnbench"]["fingerprint"] == frame["fingerprint"].iloc[0]
    assert pb["machine_info"]["rnnbench_suite"] == "tiny"  # a report of pb.json is titled with it
    timed = {b["name"]: b["stats"]["median"] for b in pb["benchmarks"]}
    for row in frame.itertuples():
        assert timed[f"test_rnn[{row.id}]"] == pytest.approx(row.median_s)


def test_keyword_selection_on_ids(pytester: pytest.Pytester, tiny_suite: Path) -> None:
    run_bench(pytester, "--suite", str(tiny_suite), "-k", "gru and backward").assert_outcomes(
        passed=1
    )


def test_cuda_cases_skip_with_a_reason_and_are_recorded(
    pytester: pytest.Pytester, tiny_suite: Path
) -> None:
    result = run_bench(
        pytester, "--suite", str(tiny_suite), "--device", "cuda", "--cudnn", "off", "-rs"
    )
    result.assert_outcomes(skipped=4)
    result.stdout.fnmatch_lines(["*CUDA is not available on this machine*"])
    frame = store.load_frame([pytester.path / "out"])
    assert set(frame["status"]) == {"skipped"} and set(frame["cudnn"]) == {False}


def test_default_device_is_every_device_present(
    pytester: pytest.Pytester, tiny_suite: Path
) -> None:
    run_bench(pytester, "--suite", str(tiny_suite), "--collect-only", "-q").stdout.fnmatch_lines(
        ["4 tests collected*"]
    )
    run_bench(
        pytester, "--suite", str(tiny_suite), "--device", "all", "--collect-only", "-q"
    ).stdout.fnmatch_lines(["12 tests collected*"])


def test_a_suite_that_selects_nothing_says_so(
    pytester: pytest.Pytester, tmp_path: Path, tiny_suite: Path
) -> None:
    cuda_only = tmp_path / "gpu.toml"
    cuda_only.write_text(
        tiny_suite.read_text().replace("[[grid]]", '[defaults]\ndevice = "cuda"\n\n[[grid]]')
    )
    result = run_bench(pytester, "--suite", str(cuda_only), "--device", "cpu")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: suite 'tiny' selects no cases with --device=cpu --cudnn=both"]
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--suite", "nope"], "ERROR: --suite: unknown suite 'nope'*"),
        (["--device", "tpu"], "*--device: invalid choice: 'tpu'*"),
        (["--threads", "0"], "*--threads: invalid _positive_int value: '0'*"),
    ],
)
def test_bad_options_are_one_line_errors(
    pytester: pytest.Pytester, args: list[str], message: str
) -> None:
    result = run_bench(pytester, *args)
    assert result.ret != 0
    result.stderr.fnmatch_lines([message])


@pytest.mark.slow
def test_interrupt_keeps_every_finished_case(pytester: pytest.Pytester, tiny_suite: Path) -> None:
    pytester.makepyfile(
        conftest="""
done = []

def pytest_runtest_teardown(item):
    done.append(item)
    if len(done) == 3:
        raise KeyboardInterrupt
"""
    )
    pytester.makepyfile(test_cases=BENCH_MODULE)
    result = pytester.runpytest_subprocess(
        *SHORT_OPTIONS, "--results", "out", "--suite", str(tiny_suite)
    )
    assert result.ret == pytest.ExitCode.INTERRUPTED
    (path,) = (pytester.path / "out").glob("*.json")
    doc = store.read_document(path)
    assert len(doc["records"]) == 3 and all(r["status"] == "ok" for r in doc["records"])
    assert doc["run"]["complete"] is False and doc["run"]["finished"] is not None


def test_threads_are_set_and_recorded(pytester: pytest.Pytester, tiny_suite: Path) -> None:
    import torch

    before = torch.get_num_threads()
    try:
        run_bench(
            pytester, "--suite", str(tiny_suite), "--threads", "1", "-k", "lstm and forward"
        ).assert_outcomes(passed=1)
        frame = store.load_frame([pytester.path / "out"])
        assert frame["threads"].tolist() == [1]
        assert store.load([pytester.path / "out"])[0]["env"]["threads"] == 1
    finally:
        torch.set_num_threads(before)


@pytest.mark.slow
def test_rnnbench_run_gives_the_records_pytest_bench_gives(
    tmp_path: Path, tiny_suite: Path
) -> None:
    """`rnnbench run` (the installed benchmark module, any folder) and `pytest bench` (the checkout)."""
    (tmp_path / "checkout").mkdir()
    checkout = run_pytest_bench(tiny_suite.read_text(), tmp_path / "checkout", "--threads", "1")
    assert (
        main(
            [
                "run",
                "--suite",
                str(tiny_suite),
                "--results",
                str(tmp_path / "run"),
                "-q",
                "--threads",
                "1",
            ]
        )
        == 0
    )
    (a,), (b,) = store.load([checkout]), store.load([tmp_path / "run"])
    assert [r["id"] for r in a["records"]] == [r["id"] for r in b["records"]]
    assert [r["status"] for r in b["records"]] == ["ok"] * 4
    assert (
        set(a["records"][0]) == set(b["records"][0])
        and a["env"]["fingerprint"] == b["env"]["fingerprint"]
    )
