"""Pre-flight: refuse a case whose modelled memory cannot fit, before anything is built.

The estimate is the memory model's `total` (rnnbench.measurement.analytic: weights, inputs,
gradients, activations saved for backward, outputs, workspace); the limit is what the device can
give now: MemAvailable of /proc/meminfo on CPU (no check where there is no /proc/meminfo), free
CUDA memory (torch.cuda.mem_get_info) on CUDA. A case over the limit is recorded as skipped with
both figures, in its reason and in measures (model_total_bytes, available_bytes); it is never
built, so an impossible grid point costs arithmetic, not an allocation. A user cell's memory is
not modelled (analytic.modelled): it is never refused here, and its measured peak stands alone.
"""

from __future__ import annotations

from pathlib import Path

import torch

from rnnbench.cases.case import PHASES, Case
from rnnbench.measurement import analytic
from rnnbench.results.schema import TimedMeasures

MEMINFO = Path("/proc/meminfo")


def available_bytes(device: str) -> tuple[int, str] | None:
    """(bytes the device can give now, where that figure comes from), or None when unknown."""
    if device == "cuda":
        return torch.cuda.mem_get_info()[0], "free CUDA memory"
    if not MEMINFO.exists():
        return None
    for line in MEMINFO.read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024, "MemAvailable"  # the file counts kB
    return None


def gib(nbytes: float) -> str:
    return f"{nbytes / 2**30:.3g} GiB"


def too_big(case: Case, available: tuple[int, str] | None) -> tuple[str, TimedMeasures] | None:
    """(reason, measures) when `case`'s modelled memory exceeds `available`, else None."""
    if case.phase not in PHASES or available is None or not analytic.modelled(case):
        return None  # a user cell's memory is not modelled: it runs, and its peak is measured
    model = analytic.memory_model(case)
    limit, source = available
    if model.total <= limit:
        return None
    reason = (
        f"needs ~{gib(model.total)} by the memory model (weights {gib(model.weights)}, one round's peak "
        f"{gib(model.peak)}), more than the {gib(limit)} {case.device} can give now ({source})"
    )
    return reason, {
        "model_total_bytes": model.total,
        "model_peak_bytes": model.peak,
        "available_bytes": limit,
    }
