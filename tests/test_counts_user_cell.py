"""The counts gate on a user cell: ~10% more instructions injected into the cell's own Python code
are caught, and "what grew" names the functions of the user's file.

Two counted runs under callgrind (minutes on a shared 2-core VM), so marked slow. Skips without
valgrind unless RNNBENCH_REQUIRE_VALGRIND is set.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, tiny_suite_toml

HAVE_VALGRIND = all(
    shutil.which(tool) for tool in ("valgrind", "callgrind_annotate", "callgrind_control")
)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not HAVE_VALGRIND and not os.environ.get("RNNBENCH_REQUIRE_VALGRIND"),
        reason="valgrind is not installed",
    ),
]
CELL = '''
import torch
from torch import nn


class Loop(nn.Module):
    """An Elman RNN stepped from Python, one helper call per step."""

    def __init__(self, input_size, hidden_size, num_layers=1, bidirectional=False, batch_first=True):
        super().__init__()
        self.cell = nn.RNNCell(input_size, hidden_size)
        self.hidden_size = hidden_size

    def forward(self, x):
        h = x.new_zeros(x.shape[0], self.hidden_size)
        outs = []
        for t in range(x.shape[1]):
            h = step(self.cell, x[:, t], h, t)
            outs.append(h)
        return torch.stack(outs, 1)


def step(cell, x, h, t):
    return cell(x, h){injected}
'''
INJECTED = " * 1.0 if t % 2 else cell(x, h)  # one more op every other step"


def counted(folder: Path, results: str, *gate: str) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "pytest",
        "bench",
        "--suite",
        str(folder / "loop.toml"),
        "--counts",
        "--threads",
        "1",
        "--results",
        str(folder / results),
        "-q",
        "-p",
        "no:cacheprovider",
        *gate,
    ]
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=1200, check=False
    )


def test_the_counts_gate_catches_growth_in_a_user_cell_and_names_its_functions(
    tmp_path: Path,
) -> None:
    (tmp_path / "loop.toml").write_text(
        tiny_suite_toml(cell="cell.py:Loop", batch=1, seq_len=8, phases=["forward"])
    )
    (tmp_path / "cell.py").write_text(CELL.format(injected=""))
    base = counted(tmp_path, "base")
    assert base.returncode == 0, base.stdout[-2000:] + base.stderr[-2000:]
    (record,) = json.loads(next((tmp_path / "base").glob("*.json")).read_text())["records"]
    functions = record["counts"]["functions"]
    assert (
        functions["step (cell.py)"]
        < functions["Loop.forward (cell.py)"]
        < record["measures"]["instructions"] * 1.05
    )

    (tmp_path / "cell.py").write_text(CELL.format(injected=INJECTED))
    cur = counted(
        tmp_path,
        "cur",
        "--baseline",
        str(tmp_path / "base"),
        "--metric",
        "instructions",
        "--fail-on-regression",
        "5%",
    )
    out = cur.stdout
    assert cur.returncode == 1, out[-3000:] + cur.stderr[-2000:]
    (after,) = json.loads(next((tmp_path / "cur").glob("*.json")).read_text())["records"]
    growth = after["measures"]["instructions"] / record["measures"]["instructions"]
    assert 1.05 < growth < 1.15, growth  # the injection is ~10%
    assert "regression" in out and "cell code differs from the baseline" in out
    grew = out[out.index("what grew in loop-layer") :].splitlines()[1:3]
    assert sorted(" ".join(line.split()[-2:]) for line in grew) == [
        "Loop.forward (cell.py)",
        "step (cell.py)",
    ], out[-3000:]
