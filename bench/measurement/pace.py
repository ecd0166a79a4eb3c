"""The machine's pace: a fixed probe, timed just before every timed round of a CPU case.

On a shared or virtual machine the speed of the whole CPU moves by tens of percent from one second
to the next (docs/ab-bisect.md), so one run of a case lands in whatever speed the host gave it, and
two runs of unchanged code differ by more than a real regression. The probe (a few small float32
matrix products, the work an RNN's gates do) runs in the round's untimed setup and is timed on its
own; a round and its probe see the same speed. `rnnbench compare` of one run per side divides each
round by its probe, so the host's speed cancels and the code's does not (a slower RNN does not slow
the probe). The probe runs torch, so paced times are compared only under the same torch version.
"""

from __future__ import annotations

import time

import torch

from rnnbench.measurement.timing import Workload

PROBE = "mm-64x64-f32-x8"  # the probe's id, stored with its times: only equal ids are compared
SIZE, PRODUCTS = 64, 8


def paced(workload: Workload) -> tuple[Workload, list[float]]:
    """`workload` with the probe timed after each round's setup, and the list its times go to."""
    generator = torch.Generator().manual_seed(0)
    left, right = (torch.randn(SIZE, SIZE, generator=generator) for _ in range(2))
    times: list[float] = []

    def setup() -> None:
        workload.setup()
        start = time.perf_counter()
        for _ in range(PRODUCTS):
            torch.mm(left, right)
        times.append(time.perf_counter() - start)

    return Workload(setup, workload.target), times
