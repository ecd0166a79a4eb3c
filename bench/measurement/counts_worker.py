"""The process `--counts` runs under callgrind: counts the timed target of each case it is sent.

Started once per session by `rnnbench.measurement.counts.Counter` as
`valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no ... python -m rnnbench.measurement.counts_worker`.
Protocol: one JSON request per line on stdin, `{"case": Case.to_dict(), "warmup": W, "repeats": R}`;
one JSON reply per line on the saved stdout: `{"dumps": R, "python": [names]}` (each repeat wrote
one callgrind dump, in order, then one dump per named Python function of a user cell's file,
rnnbench.measurement.python_counts) or `{"error": "one line"}`. Instrumentation is switched on once, after the imports (an
instrumented `import torch` costs ~4x the CPU time), and collection only around each target:
untimed setup, warm-up rounds and the toggles' Python call sites are outside it, as in timing.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any, TextIO

import torch

from rnnbench.cases.case import Case
from rnnbench.measurement import env as envmod
from rnnbench.measurement import python_counts, runner, workload
from rnnbench.measurement.timing import Workload

COUNT_THREADS = 1  # as Timer.collect_callgrind: OpenMP workers would spin-wait a timing-dependent number of instructions
Builder = Callable[[Case, dict[str, Any]], Workload]


def instrument() -> None:
    """Switch callgrind's instrumentation on for this process (through vgdb, as callgrind_control does)."""
    subprocess.run(
        ["callgrind_control", "-i", "on", str(os.getpid())],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def case_workload(case: Case, request: dict[str, Any] | None = None) -> Workload:
    """The case's workload, built as the runner builds it (seeded model and input)."""
    model, inputs = runner.build(case)
    return workload.build_workload(case.phase, model, inputs, case.device)


def count_workload(work: Workload, warmup: int, repeats: int) -> int:
    """Warm up, then count `repeats` targets, one callgrind dump each (GC off, setup outside); returns dumps."""
    for _ in range(warmup):
        work.setup()
        work.target()
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeats):
            work.setup()
            torch._C._valgrind_toggle()
            work.target()
            torch._C._valgrind_toggle_and_dump_stats()
    finally:
        gc.enable()
    return repeats


def serve(requests: TextIO, replies: TextIO, build: Builder = case_workload) -> None:
    """Answer requests until stdin closes; `build(case, request)` makes the workload (experiments wrap it)."""
    replies.write(json.dumps({"ready": os.getpid()}) + "\n")
    replies.flush()
    for line in requests:
        request: dict[str, Any] = json.loads(line)
        try:
            case = Case.from_dict(request["case"])
            with envmod.threads_for(COUNT_THREADS), runner.backend_flags(case):
                work = build(case, request)
                reply: dict[str, Any] = {
                    "dumps": count_workload(work, request["warmup"], request["repeats"])
                }
                reply["python"] = python_counts.count(
                    work, case
                )  # one more dump each, after the repeats
        except Exception as exc:  # the case fails, the worker goes on
            reply = {"error": runner.one_line(exc)}
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


def main(build: Builder = case_workload) -> None:
    """Keep the real stdout for replies (stray prints go to stderr), switch instrumentation on, serve."""
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    torch.set_num_threads(COUNT_THREADS)
    if not torch._C._valgrind_supported_platform():
        replies.write(json.dumps({"error": "this torch build has no valgrind toggles"}) + "\n")
        return
    instrument()
    serve(sys.stdin, replies, build)


if __name__ == "__main__":
    main()
