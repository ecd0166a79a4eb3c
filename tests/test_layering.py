"""Layering: listing cases and gating stored results never import torch, and the gate and the
reports read stored records only (they import no runner, measurement or model code)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import rnnbench.gate
import rnnbench.reports

DATA = Path(__file__).parent / "data" / "v1"
RUNTIME = ("rnnbench.measurement", "rnnbench.models")  # the runner's side of the flow
READERS = (
    Path(rnnbench.gate.__file__).parent,
    Path(rnnbench.reports.__file__).parent,
)  # read stored records only


def imported_after(argv: list[str]) -> tuple[int, set[str]]:
    """Run `rnnbench ARGV` in a fresh interpreter; its exit status and the top-level modules it imported."""
    script = (
        "import json, sys\nfrom rnnbench.cli import main\ncode = main(sys.argv[1:])\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)\nsys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.returncode, set(json.loads(done.stderr.strip().splitlines()[-1]))


@pytest.mark.slow
def test_listing_cases_imports_no_torch_nor_the_table_libraries() -> None:
    code, modules = imported_after(["cases", "smoke", "--count"])
    assert code == 0 and not modules & {"torch", "pandas", "scipy", "numpy", "matplotlib"}


@pytest.mark.slow
def test_gating_stored_results_imports_no_torch() -> None:
    code, modules = imported_after(
        ["compare", str(DATA / "timed-1.json"), str(DATA / "timed-2.json")]
    )
    assert code == 0 and "torch" not in modules and "scipy" in modules


def runtime_imports(path: Path) -> list[str]:
    """The RUNTIME modules `path` imports at run time (anywhere but an `if TYPE_CHECKING:` block)."""
    tree = ast.parse(path.read_text())
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for node in ast.walk(block)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [name for name in names if name.startswith(RUNTIME)]
    return found


def test_the_gate_and_the_reports_import_no_runner_code() -> None:
    readers = [path for folder in READERS for path in sorted(folder.rglob("*.py"))]
    assert len(readers) > 10
    assert {str(path): runtime_imports(path) for path in readers if runtime_imports(path)} == {}
