"""Bring your own RNN, from the built wheel: a user's project with its own `bench/` folder, a cell
file, a suite naming lstm, gru and the user's cell, and the user's own pytest benchmark file.

Slow (a venv, a pip install and several runs): it proves what a user does, end to end, with the
installed package only: `rnnbench run --suite` gives ok records with params and measured FLOPs for
all three cells and `rnnbench report` shows them; `bench_mine.py` gets records, a report and the gate.
"""

from __future__ import annotations

import json
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest
import torch
from test_install import sh

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
MY_CELL = '''
from torch import nn


class Mine(nn.Module):
    """nn.GRU with a LayerNorm on its output: a user's own recurrent module."""

    def __init__(self, input_size, hidden_size, num_layers=1, bidirectional=False, batch_first=True):
        super().__init__()
        self.inner = nn.GRU(input_size, hidden_size, num_layers=num_layers, bidirectional=bidirectional, batch_first=True)
        self.norm = nn.LayerNorm(hidden_size * (2 if bidirectional else 1))

    def forward(self, x):
        out, h = self.inner(x)
        return self.norm(out), h
'''
SUITE = """
[settings]
warmup_rounds = 1
min_rounds = 3
max_rounds = 3
max_time = 0.01
[[grid]]
cell = ["lstm", "gru", "my_cell.py:Mine"]
batch = 2
seq_len = [4, 8]
input_size = 8
hidden_size = 8
device = "cpu"
phases = ["forward_backward"]
"""
BENCH_MINE = """
from pathlib import Path

import pytest
import rnnbench as rb

MY_CELL = f"{Path(__file__).with_name('my_cell.py')}:Mine"
CASES = [rb.Case(cell=cell, model=model, batch=2, seq_len=6, input_size=8, hidden_size=8, phase="forward_backward")
         for cell in ("lstm", MY_CELL) for model in ("layer", "classifier")]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def bench_mine(case, rnnbench):
    record = rnnbench(case)
    assert record["status"] == "ok"
    assert record["measures"]["flops_measured"] >= 0
"""
PYTEST_INI = "[pytest]\npython_files = bench_*.py\npython_functions = bench_*\n"


@pytest.fixture(scope="module")
def user_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the built wheel; torch and the other dependencies come from this
    interpreter's site-packages (tests/test_install.py proves the wheel's own dependency install;
    a second torch install would cost minutes and prove nothing more)."""
    out = tmp_path_factory.mktemp("wheel")
    sh(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, ROOT, cwd=out)
    (wheel,) = out.glob("rnnbench-*.whl")
    env = tmp_path_factory.mktemp("venv")
    venv.create(env, with_pip=True)
    # this interpreter's site-packages (a tox env's too: system_site_packages would name the base
    # Python's), after the venv's own; its .pth files (an editable rnnbench) are not read from there,
    # and pip must not take that editable rnnbench for an installed one (--ignore-installed)
    (purelib,) = (env / "lib").glob("python3*/site-packages")
    (purelib / "parent.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    sh(
        env / "bin" / "python",
        "-m",
        "pip",
        "install",
        "-q",
        "--no-deps",
        "--ignore-installed",
        str(wheel),
        cwd=env,
    )
    located = sh(
        env / "bin" / "python",
        "-c",
        "import rnnbench, torch; print(rnnbench.__file__, torch.__version__)",
        cwd=env,
    )
    assert (
        located.startswith(str(env)) and torch.__version__ in located
    )  # the wheel's copy, not a checkout
    return env / "bin"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's project: its own `bench/` folder with a cell, a suite and a benchmark file."""
    root = tmp_path_factory.mktemp("project")
    (root / "bench").mkdir()
    (root / "bench" / "my_cell.py").write_text(MY_CELL)
    (root / "bench" / "that.toml").write_text(SUITE)
    (root / "bench" / "bench_mine.py").write_text(BENCH_MINE)
    (root / "pytest.ini").write_text(PYTEST_INI)
    return root


def records(folder: Path) -> list[dict]:
    return [
        record
        for path in sorted(folder.glob("*.json"))
        for record in json.loads(path.read_text())["records"]
    ]


def test_a_suite_with_a_user_cell_runs_and_reports_from_the_wheel(
    user_venv: Path, project: Path
) -> None:
    out = sh(
        user_venv / "rnnbench",
        "run",
        "--suite",
        "bench/that.toml",
        "--results",
        "results",
        "-q",
        cwd=project,
    )
    assert "6 passed" in out and "rnnbench: 6 records (6 ok)" in out
    found = records(project / "results")
    assert {r["case"]["cell"] for r in found} == {"lstm", "gru", "mine"}
    for record in found:
        assert record["status"] == "ok" and record["measures"]["params"] > 0
        assert record["measures"]["flops_measured"] >= 0 and record["cell_code"]["source_hash"]
    mine = [r for r in found if r["case"]["cell"] == "mine"]
    assert all(r["measures"]["flops_measured"] > 0 and r["measures"]["flops"] is None for r in mine)
    assert {r["cell_code"]["ref"] for r in mine} == {
        f"{(project / 'bench' / 'my_cell.py').resolve()}:Mine"
    }
    sh(user_venv / "rnnbench", "report", "results", "-o", "report", cwd=project)
    html = (project / "report" / "report.html").read_text()
    assert all(f"{cell}-layer-b2-t8" in html for cell in ("lstm", "gru", "mine"))


def test_a_users_own_benchmark_file_gets_records_report_and_gate(
    user_venv: Path, project: Path
) -> None:
    pytest_run = (
        user_venv / "python",
        "-m",
        "pytest",
        "bench/bench_mine.py",
        "-q",
        "-p",
        "no:cacheprovider",
    )
    out = sh(*pytest_run, "--rnnbench-results", "mine", cwd=project)
    assert "4 passed" in out and "rnnbench: 4 records (4 ok)" in out
    assert {r["id"].split("-")[0] for r in records(project / "mine")} == {"lstm", "mine"}
    sh(user_venv / "rnnbench", "report", "mine", "-o", "mine-report", cwd=project)
    assert "mine-classifier" in (project / "mine-report" / "report.html").read_text()
    done = subprocess.run(
        [str(c) for c in pytest_run]
        + [
            "--rnnbench-results",
            "again",
            "--rnnbench-baseline",
            "mine",
            "--rnnbench-fail-on-regression",
            "50%",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
    )
    gated = done.stdout
    assert done.returncode in (0, 1), (
        gated[-3000:] + done.stderr[-3000:]
    )  # 1: a 50% slowdown, on a busy machine
    assert "mine-classifier-b2-t6" in gated and "rnnbench gate:" in gated
    assert "not in the current run" not in gated  # the user's cases were compared, not missed
