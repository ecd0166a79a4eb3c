"""The built wheel, installed (not editable) into a fresh virtual environment, used from a project
that has its own `bench/` and `reports/` folders and its own `--device` option, as a new user would.

Slow (a venv and a pip install, ~1-2 min): it proves what no in-checkout test can — that the wheel
ships every subpackage and suite, the console script and the pytest11 entry point work, and the
import name cannot be shadowed.
"""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
import torch

pytestmark = pytest.mark.slow  # builds a wheel into a fresh venv

ROOT = Path(__file__).resolve().parent.parent
USER_CONFTEST = """
def pytest_addoption(parser):
    parser.addoption("--device", default="cpu")  # a project's own option: rnnbench must not clash with it
"""


def sh(*command: str | Path, cwd: Path) -> str:
    done = subprocess.run(
        [str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, (
        f"{command}: rc {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    sh(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, ROOT, cwd=out)
    (path,) = out.glob("rnnbench-*.whl")
    return path


@pytest.fixture(scope="module")
def user_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel and the torch build this process runs (never a CUDA download)."""
    env = tmp_path_factory.mktemp("venv")
    venv.create(env, with_pip=True)
    torch_pin = f"torch=={torch.__version__.split('+')[0]}"
    sh(env / "bin" / "python", "-m", "pip", "install", "-q", str(wheel), torch_pin, cwd=env)
    return env / "bin"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's project whose `bench/` and `reports/` would shadow generic import names."""
    root = tmp_path_factory.mktemp("project")
    for name in ("bench", "reports"):
        (root / name).mkdir()
        (root / name / "__init__.py").write_text("")
        (root / name / "store.py").write_text("MINE = True\n")
    (root / "conftest.py").write_text(USER_CONFTEST)
    (root / "test_mine.py").write_text(
        "def test_mine(request):\n    assert request.config.getoption('device') == 'gpu'\n"
    )
    return root


def test_the_wheel_ships_every_package_and_suite(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    folders = {n.split("/")[1] for n in names if n.startswith("rnnbench/") and n.count("/") > 1}
    assert {
        "cases",
        "models",
        "measurement",
        "results",
        "gate",
        "commands",
        "reports",
        "suites",
    } <= folders
    assert (
        "rnnbench/suites/smoke.toml" in names
        and "rnnbench/reports/templates/report.html.j2" in names
    )
    assert {
        "rnnbench/reports/templates/tables.js",
        "rnnbench/reports/templates/sections/verdict.html.j2",
    } <= set(names)
    assert "rnnbench/bench_rnn.py" in names and "rnnbench/conftest.py" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[pytest11]" in text and "rnnbench = rnnbench.plugin" in text


def test_installed_commands_work_from_a_foreign_project(user_venv: Path, project: Path) -> None:
    cases = sh(user_venv / "rnnbench", "cases", "smoke", "--device", "cpu", cwd=project).split()
    assert len(cases) == 32
    out = sh(
        user_venv / "rnnbench",
        "run",
        "--suite",
        "smoke",
        "-k",
        "lstm and l1 and uni and forward",
        "--results",
        "results",
        "-q",
        cwd=project,
    )
    assert "2 passed" in out and "rnnbench: 2 records (2 ok)" in out
    sh(user_venv / "rnnbench", "report", "results", "-o", "report", cwd=project)
    assert (project / "report" / "report.html").stat().st_size > 10_000
    code = "import rnnbench, bench.store; assert bench.store.MINE; print(rnnbench.__file__, *rnnbench.__all__)"
    printed = sh(user_venv / "python", "-c", code, cwd=project)
    assert "site-packages" in printed and "measure" in printed and "load_results" in printed


def test_the_plugin_is_inert_in_a_foreign_project(user_venv: Path, project: Path) -> None:
    out = sh(
        user_venv / "python",
        "-m",
        "pytest",
        "test_mine.py",
        "--device",
        "gpu",
        "-q",
        "-p",
        "no:cacheprovider",
        "-W",
        "error::pytest.PytestAssertRewriteWarning",
        cwd=project,
    )
    assert "1 passed" in out
    help_text = sh(user_venv / "python", "-m", "pytest", "--help", cwd=project)
    assert "--rnnbench-suite" in help_text and "--rnnbench-baseline" in help_text
    imported = sh(
        user_venv / "python",
        "-c",
        "import sys, rnnbench.plugin; print('torch' in sys.modules)",
        cwd=project,
    )
    assert imported.strip() == "False"
