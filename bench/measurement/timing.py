"""Timing: warm up, choose a round count, time rounds with GC off, keep every raw time.

A `Workload` splits one round into an untimed `setup` (build the graph, zero gradients,
synchronize) and a timed `target`. Whatever runs the rounds (our `run_rounds`, or
pytest-benchmark's `pedantic` in the plugin) only calls those two, so phase semantics live
in one place (`rnnbench.measurement.workload`) and the loop that times them is swappable.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from rnnbench.measurement.policy import TimingPolicy
from rnnbench.results.schema import Stats

NOISY_RELATIVE_IQR = 0.10  # the PyTorch harness warns above 10% IQR/median


@dataclass(frozen=True)
class Workload:
    """One round = `setup()` (untimed) then `target()` (timed). Both end synchronized."""

    setup: Callable[[], None]
    target: Callable[[], object]


RoundRunner = Callable[[Workload, int], list[float]]


@dataclass(frozen=True)
class Measurement:
    """Raw per-round times in seconds, with the statistics reports and the gate use."""

    times: tuple[float, ...]

    @property
    def rounds(self) -> int:
        return len(self.times)

    def stats(self) -> Stats:
        data = np.asarray(self.times, dtype=float)
        q1, median, q3 = np.percentile(data, [25, 50, 75])
        return {
            "median": float(median),
            "mean": float(data.mean()),
            "stdev": float(data.std(ddof=1)) if data.size > 1 else 0.0,
            "min": float(data.min()),
            "max": float(data.max()),
            "q1": float(q1),
            "q3": float(q3),
            "iqr": float(q3 - q1),
            "rounds": int(data.size),
        }

    @property
    def noisy(self) -> bool:
        stats = self.stats()
        return stats["iqr"] > NOISY_RELATIVE_IQR * stats["median"]


@contextlib.contextmanager
def gc_disabled() -> Iterator[None]:
    """Collect once, then keep the garbage collector off for the timed rounds."""
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def run_rounds(
    workload: Workload, rounds: int, timer: Callable[[], float] = time.perf_counter
) -> list[float]:
    """Time `rounds` rounds; only `target` is inside the timed region."""
    times = []
    for _ in range(rounds):
        workload.setup()
        start = timer()
        workload.target()
        times.append(timer() - start)
    return times


def first_round(workload: Workload, timer: Callable[[], float] = time.perf_counter) -> float:
    """Seconds of one cold round, setup included: lazy initialization and compilation land here."""
    start = timer()
    workload.setup()
    workload.target()
    return timer() - start


def time_workload(
    workload: Workload, policy: TimingPolicy, runner: RoundRunner = run_rounds
) -> Measurement:
    """Warm up (excluded), size the run from the warm-up, then time it with GC off."""
    with gc_disabled():
        warm = run_rounds(workload, max(policy.warmup_rounds, 1))
        estimate = float(np.median(warm[1:] if len(warm) > 1 else warm))
        times = runner(workload, policy.rounds_for(estimate))
    return Measurement(tuple(times))
