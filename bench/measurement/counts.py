"""Instruction counts (`pytest bench --counts`): one callgrind process counts every CPU case of a run.

`Counter` starts `rnnbench.measurement.counts_worker` under `valgrind --tool=callgrind` once, the first time a case
is counted (after that case's timing, so valgrind never runs beside timed rounds), and sends it each
case: the worker builds the case as the runner does, runs `warmup` untimed rounds, then `repeats`
rounds whose timed target alone is counted, one callgrind dump per repeat. Counts are load-independent
(the instructions a round executes, not how long they took) and nearly deterministic (spread ~0.2%),
so a gate on them can use a 1% threshold without re-measuring. What they miss: see the README.
A user cell's Python functions are counted too, each in a round of its own (python_counts), and
listed in `functions` beside callgrind's C functions as `Qualname (file.py)`.
The counted code path is valgrind's CPU's: no AVX-512, and MKL / oneDNN held to AVX (WORKER_ENV).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from rnnbench.cases.case import QUALITY_PHASE, Case
from rnnbench.measurement import callgrind
from rnnbench.measurement.counts_worker import COUNT_THREADS
from rnnbench.results.schema import Counts, Record

# valgrind 3.19 runs FMA instructions through a slow helper (a (256x64)(64x256) matmul: 200 ms, not 0.09 ms),
# so the worker keeps MKL and oneDNN on their AVX kernels (no FMA); hash randomization off for repeatability.
WORKER_ENV = {"MKL_ENABLE_INSTRUCTIONS": "AVX", "DNNL_MAX_CPU_ISA": "AVX", "PYTHONHASHSEED": "0"}
WARMUP = 2
REPEATS = 3
CUDA_REASON = "CUDA case: callgrind counts CPU instructions only and cannot see GPU work"
QUALITY_REASON = "training run: counts cover the four timed phases only"


def not_applicable(case: Case) -> str | None:
    """Why `case` has no instruction count, or None."""
    if case.device != "cpu":
        return CUDA_REASON
    if case.phase == QUALITY_PHASE:
        return QUALITY_REASON
    return None


def summary(counts: list[int], functions: dict[str, int]) -> Counts:
    """A record's `counts` entry for counted repeats."""
    return {
        "status": "ok",
        "instructions": counts,
        "threads": COUNT_THREADS,
        "warmup_rounds": WARMUP,
        "functions": dict(sorted(functions.items(), key=lambda kv: -kv[1])),
    }


class Counter:
    """One callgrind worker process for a whole session; `count(case)` returns the record's `counts`."""

    def __init__(
        self,
        warmup: int = WARMUP,
        repeats: int = REPEATS,
        worker: tuple[str, ...] = ("-m", "rnnbench.measurement.counts_worker"),
    ) -> None:
        self.version = callgrind.require()
        self.warmup, self.repeats, self.worker = warmup, repeats, worker
        self.process: subprocess.Popen[str] | None = None
        self.directory = Path(tempfile.mkdtemp(prefix="rnnbench-counts-"))
        self.dumps = 0
        self.error: str | None = None

    def _start(self) -> subprocess.Popen[str]:
        log = (self.directory / "worker.log").open("w")
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            "--collect-atstart=no",
            f"--callgrind-out-file={self.directory / 'callgrind.out'}",
            f"--log-file={self.directory / 'valgrind.log'}",
            "--dump-line=no",
            sys.executable,
            *self.worker,
        ]
        env = {**os.environ, **WORKER_ENV, "OMP_NUM_THREADS": str(COUNT_THREADS)}
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True, env=env
        )
        self._reply(process)  # {"ready": pid}
        return process

    def _reply(self, process: subprocess.Popen[str]) -> dict[str, Any]:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            tail = (
                (self.directory / "worker.log")
                .read_text(errors="replace")
                .strip()
                .splitlines()[-1:]
            )
            raise RuntimeError(
                f"the callgrind worker exited ({process.wait()}): {' '.join(tail) or 'no output'}"
            )
        return json.loads(line)

    def count(self, case: Case, **extra: Any) -> Counts:
        """`{"status": "ok", "instructions": [per repeat], ...}`, or not applicable / failed with a reason.
        `extra` keys travel in the request, for a worker whose builder reads them (experiments)."""
        reason = not_applicable(case)
        if reason is not None:
            return {"status": "not applicable", "reason": reason}
        if self.error is not None:
            return {"status": "failed", "reason": self.error}
        try:
            if self.process is None:
                self.process = self._start()
            assert self.process.stdin is not None
            request = {
                "case": case.to_dict(),
                "warmup": self.warmup,
                "repeats": self.repeats,
                **extra,
            }
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            reply = self._reply(self.process)
        except (
            OSError,
            RuntimeError,
            ValueError,
        ) as exc:  # the worker is gone: no case can be counted now
            self.error = f"{type(exc).__name__}: {exc}"
            return {"status": "failed", "reason": self.error}
        if "error" in reply:
            return {"status": "failed", "reason": reply["error"]}
        python = reply.get("python", [])
        files = [
            self.directory / f"callgrind.out.{self.dumps + i + 1}"
            for i in range(reply["dumps"] + len(python))
        ]
        self.dumps += len(files)
        repeats, per_function = files[: reply["dumps"]], files[reply["dumps"] :]
        counts = [callgrind.total(path) for path in repeats]
        functions = callgrind.inclusive(repeats[-1])
        functions.update({name: callgrind.total(path) for name, path in zip(python, per_function)})
        for path in files:
            path.unlink()
        return summary(counts, functions)

    def close(self) -> None:
        """Stop the worker (closing its stdin ends it) and remove its files."""
        if self.process is not None and self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


def add_to_record(record: Record, counted: Counts) -> None:
    """Store `counts` in an ok record; `measures.instructions` = the median repeat's count."""
    record["counts"] = counted
    if counted["status"] == "ok":
        record["measures"]["instructions"] = int(np.median(counted["instructions"]))
