"""The machine's matrix-multiply ceiling: GFLOP/s of a large square GEMM, measured, never assumed.

Efficiency of a case is its achieved GFLOP/s (analytic FLOPs / median time) over this ceiling,
measured in the same process, so with the same threads, on the same device and in the same dtype.
The matrix size doubles from `start` until one product takes at least `min_round_s` (or `max_size`
is reached), so a fast GPU gets a big enough GEMM and a small CPU is not kept waiting (about
2048 x 2048 fp32 and ~1 s in all on a 2-core CPU). That last sizing round is the warm-up; the
median of `rounds` more (each ended by a device synchronize) gives the rate.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from bench.timing import Workload, run_rounds
from bench.workload import sync_for


@dataclass(frozen=True)
class Ceiling:
    """A measured GEMM rate and how it was measured."""

    gflops_per_s: float
    size: int
    median_s: float
    rounds: int


def gemm_workload(size: int, device: str, dtype: str) -> Workload:
    """`a @ b` for two seeded `size` x `size` matrices, synchronized."""
    gen = torch.Generator().manual_seed(0)
    a, b = (torch.randn(size, size, generator=gen).to(device, getattr(torch, dtype)) for _ in range(2))
    sync = sync_for(device)

    def matmul() -> None:
        torch.mm(a, b)
        sync()

    return Workload(setup=sync, target=matmul)


def measure_ceiling(
    device: str,
    dtype: str,
    start: int = 256,
    max_size: int = 8192,
    min_round_s: float = 0.05,
    rounds: int = 5,
    timer: Callable[[], float] = time.perf_counter,
) -> Ceiling:
    """Median GFLOP/s (2 n^3 FLOPs per product) of the smallest doubling that is slow enough to time."""
    size = start
    while True:
        work = gemm_workload(size, device, dtype)
        (warm,) = run_rounds(work, 1, timer)
        if warm >= min_round_s or size * 2 > max_size:
            break
        size *= 2
    median = float(np.median(run_rounds(work, rounds, timer)))
    return Ceiling(gflops_per_s=2 * size**3 / median / 1e9, size=size, median_s=median, rounds=rounds)


def key(device: str, dtype: str) -> str:
    """The env key of a ceiling, e.g. `cpu/float32`."""
    return f"{device}/{dtype}"
