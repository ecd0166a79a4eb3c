"""The front door for notebooks and scripts: build a case, measure it, load suites and results.

import rnnbench
case = rnnbench.Case(cell="gru", batch=8, seq_len=32, input_size=64, hidden_size=64, phase="forward_backward")
record = rnnbench.measure(case)              # one record, as `pytest bench` stores it
suite = rnnbench.load_suite("smoke")         # a shipped suite name or a TOML path
frame = rnnbench.load_results(["results/"])  # stored results files -> one pandas DataFrame
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import torch

from rnnbench.cases.case import Case
from rnnbench.cases.quality_settings import QualitySettings
from rnnbench.cases.suite import Suite, load
from rnnbench.measurement import env, runner
from rnnbench.measurement.policy import TimingPolicy
from rnnbench.models import user_cell
from rnnbench.results.schema import Record
from rnnbench.results.store import load_frame


def measure(
    case: Case,
    policy: TimingPolicy | None = None,
    quality: QualitySettings | None = None,
    threads: int | None = None,
) -> Record:
    """Measure `case` with the runner `pytest bench` uses; returns its record (see rnnbench.results.schema).

    A case that fails at run time comes back as a `failed` record with its reason; a case that
    cannot run here (CUDA on a CPU machine) or cannot fit in memory (pre-flight) as `skipped`.
    `threads` sets torch's intra-op threads for this call (default: as they are).
    A user cell that breaks the cell contract raises `UserError` before anything is built."""
    user_cell.check_cells([case])
    skipped = runner.skipped_record(case, cuda_available=torch.cuda.is_available())
    if skipped is not None:
        return skipped
    with env.threads_for(threads):
        record, _error = runner.run_case(
            case, policy or TimingPolicy(), settings=quality or QualitySettings()
        )
    return record


def load_suite(name_or_path: str | Path) -> Suite:
    """A shipped suite (`smoke`, `default`, ...) or any suite TOML file, validated and expanded."""
    return load(str(name_or_path))


def load_results(paths: list[str | Path]) -> pd.DataFrame:
    """Results files or folders (rnnbench or pytest-benchmark JSON) -> one row per record."""
    return load_frame(paths)
