"""End to end: `pytest bench` twice on a tiny suite, the second run gated against the first.

The inner sessions run in this process (`pytest.main`, as pytester does) so torch is imported
once; each returns its exit code and what it printed.
"""

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch

from conftest import tiny_suite_toml

pytestmark = (
    pytest.mark.slow
)  # whole `pytest bench` sessions with the gate (in-process), several per test

ROOT = Path(__file__).resolve().parent.parent
TINY = tiny_suite_toml(
    min_rounds=5,
    max_rounds=10,
    max_time=0.02,
    seq_len=4,
    input_size=8,
    hidden_size=8,
    phases=["forward"],
    device="cpu",
)


@dataclass
class Done:
    returncode: int
    stdout: str = ""
    stderr: str = ""


def pytest_bench(
    tmp_path: Path, results: str, *options: str, capture: pytest.CaptureFixture[str] | None = None
) -> Done:
    """Run `pytest bench` on the tiny suite in this process, from the project root."""
    suite = tmp_path / "tiny.toml"
    suite.write_text(TINY)
    args = [
        "bench",
        "--suite",
        str(suite),
        "--results",
        str(tmp_path / results),
        "-q",
        "--threads",
        "1",
        *options,
    ]
    here, threads = os.getcwd(), torch.get_num_threads()
    os.chdir(ROOT)
    try:
        code = pytest.main(args)
    finally:
        os.chdir(here)
        torch.set_num_threads(threads)
    return Done(int(code), *(capture.readouterr() if capture else ()))


def only_file(directory: Path) -> Path:
    (path,) = [p for p in directory.glob("*.json") if not p.name.endswith(".remeasure.json")]
    return path


def speed_up(path: Path, factor: float) -> Path:
    """A copy of a results file whose times are `factor` times faster (a doctored baseline)."""
    doc = json.loads(path.read_text())
    for record in doc["records"]:
        record["times_s"] = [t / factor for t in record["times_s"]]
        record["stats"] = {
            k: (v if k == "rounds" else v / factor) for k, v in record["stats"].items()
        }
    fast = path.with_name("fast-baseline.json")
    fast.write_text(json.dumps(doc))
    return fast


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp_path = tmp_path_factory.mktemp("first")
    done = pytest_bench(tmp_path, "r1")
    assert done.returncode == 0, done.stdout + done.stderr
    return only_file(tmp_path / "r1")


def test_second_run_gated_against_first_passes_and_appends_history(
    first_run: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "history.db"
    done = pytest_bench(
        tmp_path,
        "r2",
        "--baseline",
        str(first_run),
        "--fail-on-regression",
        "200%",
        "--history",
        str(db),
        capture=capfd,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "rnnbench gate: 2 " in done.stdout and "-> PASS" in done.stdout
    assert "appended 2 rows" in done.stdout


def test_regression_fails_the_session_even_after_remeasure(
    first_run: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    done = pytest_bench(
        tmp_path,
        "r3",
        "--baseline",
        str(speed_up(first_run, 1000.0)),
        "--fail-on-regression",
        "5%",
        "--remeasure",
        "1",
        capture=capfd,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.count("re-measured 1x (confirmed)") == 2
    assert "FAIL: 2 case(s)" in done.stdout
    (remeasure,) = (tmp_path / "r3").glob("*.remeasure.json")
    assert len(json.loads(remeasure.read_text())["records"]) == 2


def test_shard_and_bad_options(
    first_run: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    done = pytest_bench(
        tmp_path, "r4", "--shard", "1/2", "--baseline", str(first_run), capture=capfd
    )
    shard_two = pytest_bench(tmp_path, "r5", "--shard", "2/2", capture=capfd)
    ran = [
        json.loads(only_file(tmp_path / r).read_text())["records"]
        for r in ("r4", "r5")
        if (tmp_path / r).exists()
    ]
    assert sorted(rec["id"] for records in ran for rec in records) == sorted(
        rec["id"] for rec in json.loads(first_run.read_text())["records"]
    )
    assert done.returncode in (0, 5) and shard_two.returncode in (0, 5)  # 5: an empty shard
    summary = next(line for line in done.stdout.splitlines() if line.startswith("rnnbench gate:"))
    assert not re.search(r"\d+ missing", summary)  # the other shard's cases are not "missing"
    bad = pytest_bench(tmp_path, "r6", "--shard", "3/2", capture=capfd)
    assert bad.returncode == 4 and "--shard: need 1 <= K <= N" in bad.stderr
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text(first_run.read_text()[:100])
    refused = pytest_bench(
        tmp_path, "r7", "--baseline", str(corrupt), "--fail-on-regression", "5%", capture=capfd
    )
    assert refused.returncode == 4 and "corrupt or truncated" in refused.stderr


def test_baseline_from_other_thread_count_is_refused_before_running(
    first_run: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    refused = pytest_bench(
        tmp_path, "r8", "--baseline", str(first_run), "--threads", "2", capture=capfd
    )
    assert refused.returncode == 4 and "threads: 1 != 2" in refused.stderr
    assert not (tmp_path / "r8").exists()


def test_flagged_cases_are_re_measured_twice_by_default(first_run: Path) -> None:
    from rnnbench.gate import pytest_gate as gatemod

    options = {
        "shard": None,
        "baseline": str(first_run),
        "fail_on_regression": "5%",
        "threshold_for": [],
        "remeasure": None,
        "allow_foreign": False,
        "gate_quantile": 0.5,
    }
    gate = gatemod.configure(options.get, lambda: json.loads(first_run.read_text())["env"])
    assert gate is not None and gate.remeasure == 2
    assert (
        gatemod.configure(
            {**options, "remeasure": 0}.get, lambda: json.loads(first_run.read_text())["env"]
        ).remeasure
        == 0
    )
