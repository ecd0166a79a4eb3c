"""The machine's matrix-multiply ceiling: GFLOP/s of a large square GEMM, measured, never assumed.

Efficiency of a case is its achieved GFLOP/s (analytic FLOPs / median time) over this ceiling,
measured in the same process, so with the same threads, on the same device and in the same dtype.
The matrix size doubles from `start` until one product takes at least `min_round_s` (or `max_size`
is reached), so a fast GPU gets a big enough GEMM and a small CPU is not kept waiting (about
2048 x 2048 fp32 and ~1 s in all on a 2-core CPU). That last sizing round is the warm-up; the
fastest of `rounds` more (each ended by a device synchronize) gives the rate: a ceiling is the
best the machine did, since noise (a busy shared CPU) only ever slows a round down.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import torch

from rnnbench.measurement.timing import Workload, run_rounds
from rnnbench.measurement.workload import sync_for


@dataclass(frozen=True)
class Ceiling:
    """A measured GEMM rate and how it was measured."""

    gflops_per_s: float
    size: int
    best_s: float
    rounds: int


def gemm_workload(size: int, device: str, dtype: str) -> Workload:
    """`a @ b` for two seeded `size` x `size` matrices, synchronized."""
    gen = torch.Generator().manual_seed(0)
    a, b = (
        torch.randn(size, size, generator=gen).to(device, getattr(torch, dtype)) for _ in range(2)
    )
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
    """Best GFLOP/s (2 n^3 FLOPs per product) of the smallest doubling that is slow enough to time."""
    size = start
    while True:
        work = gemm_workload(size, device, dtype)
        (warm,) = run_rounds(work, 1, timer)
        if warm >= min_round_s or size * 2 > max_size:
            break
        size *= 2
    best = min(run_rounds(work, rounds, timer))
    return Ceiling(gflops_per_s=2 * size**3 / best / 1e9, size=size, best_s=best, rounds=rounds)


def key(device: str, dtype: str) -> str:
    """The env key of a ceiling, e.g. `cpu/float32`."""
    return f"{device}/{dtype}"
