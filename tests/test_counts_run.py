"""A real counted run: `pytest bench --counts` at tiny shapes under callgrind, then the counts gate.

Slow for a unit test (python and torch start under valgrind: ~30 s of CPU), so one run serves
every assertion. Skips without valgrind unless RNNBENCH_REQUIRE_VALGRIND is set (CI sets it).
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import tiny_suite_toml

pytestmark = pytest.mark.slow  # pytest bench under valgrind

ROOT = Path(__file__).resolve().parent.parent
HAVE_VALGRIND = all(
    shutil.which(tool) for tool in ("valgrind", "callgrind_annotate", "callgrind_control")
)
if not HAVE_VALGRIND and not os.environ.get("RNNBENCH_REQUIRE_VALGRIND"):
    pytest.skip("valgrind is not installed (Debian package 'valgrind')", allow_module_level=True)


@pytest.fixture(scope="module")
def counted_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One counted run of three tiny LSTM cases (forward, backward, forward_backward), loaded back."""
    tmp = tmp_path_factory.mktemp("counted")
    suite = tmp / "tiny.toml"
    suite.write_text(
        tiny_suite_toml(cell="lstm", phases=["forward", "backward", "forward_backward"])
    )
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "bench",
            "--suite",
            str(suite),
            "--counts",
            "--threads",
            "1",
            "--results",
            str(tmp / "results"),
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    (path,) = (tmp / "results").glob("*.json")
    return {"path": path, "doc": json.loads(path.read_text())}


def test_every_cpu_case_is_counted_with_repeats_and_functions(counted_run: dict) -> None:
    doc = counted_run["doc"]
    assert doc["env"]["valgrind"].startswith("3.")
    assert {r["case"]["phase"] for r in doc["records"]} == {
        "forward",
        "backward",
        "forward_backward",
    }
    for rec in doc["records"]:
        counted = rec["counts"]
        assert counted["status"] == "ok" and len(counted["instructions"]) == 3
        low, high = min(counted["instructions"]), max(counted["instructions"])
        assert (
            low > 0 and high / low < 1.05
        )  # repeats agree (spread measured ~1% at these tiny shapes)
        assert rec["measures"]["instructions"] == sorted(counted["instructions"])[1]
        assert any("lstm" in name.lower() for name in counted["functions"])


def test_setup_is_not_counted(counted_run: dict) -> None:
    """The backward phase's untimed setup runs the forward: counted, backward alone + forward alone
    must make up forward_backward, and backward alone must be clearly less."""
    n = {r["case"]["phase"]: r["measures"]["instructions"] for r in counted_run["doc"]["records"]}
    assert n["backward"] < 0.9 * n["forward_backward"]
    assert abs(n["forward"] + n["backward"] - n["forward_backward"]) < 0.15 * n["forward_backward"]


def test_counts_gate_passes_a_run_against_itself(counted_run: dict) -> None:
    path = str(counted_run["path"])
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "compare",
            path,
            path,
            "--metric",
            "instructions",
            "--threshold",
            "1%",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "M instr" in out.stdout and "counts" in out.stdout and "PASS" in out.stdout
