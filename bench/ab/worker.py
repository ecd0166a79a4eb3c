"""The child process of one A/B side: loads the side's suite once, then runs cases when told.

Started as a script (`python .../rnnbench/ab/worker.py SETTINGS_JSON`) with the side's environment
(rnnbench.ab.sides), so every `rnnbench` import below is the side's own code: its models, timing and
suite loader, and the user cells its suite names. Only this small driver is the invoking rnnbench's,
as asv's benchmark runner is asv's own. It relies on the API every rnnbench revision with suites has:
`cases.suite.load`, `cases.select.by_device`, `measurement.runner` (`run_case`, `build`, `backend_flags`),
`measurement.workload.build_workload`, `measurement.timing` (`run_rounds`, `gc_disabled`),
`measurement.env` (`capture`, `threads_for`).

Protocol (one JSON object per line): first `{"ready": pid, "env": {...}, "cases": [ids], "cpus": [...]}` or
`{"error": "one line"}`; then for each request `{"run": case_id}` (one timed run, the full record),
`{"count": case_id}` (one counted run), `{"warm": case_id}` (the case built and warmed up for turns,
untimed: in a side's further processes) or `{"turn": [case_id, rounds]}` (a short burst of rounds of a
case that ran or warmed ok) the reply `{"record": {...}}` or `{"error": "one line"}`. Stdin closing ends it.
Stray prints go to stderr, so only replies use stdout.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # at run time every rnnbench import is the side's own, made late
    from rnnbench.results.schema import Record

if __name__ == "__main__":  # run as a script: its own folder must not shadow anything
    sys.path.pop(0)


def one_line(exc: BaseException) -> str:
    text = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
    return f"{type(exc).__name__}: {text}"[:400]


def pin(cpus: list[int]) -> None:
    """Hold every thread of this process to `cpus`; threads started later inherit it."""
    for thread in os.listdir("/proc/self/task"):
        os.sched_setaffinity(int(thread), cpus)


class Side:
    """The side's suite and cases, and a callgrind counter started on the first count."""

    def __init__(self, settings: dict[str, Any]) -> None:
        import torch

        from rnnbench.cases import select, suite
        from rnnbench.measurement import env

        if settings.get("cpus"):  # imported on any CPU (a side's processes start side by side)
            pin(settings["cpus"])
        env.set_threads(settings.get("threads"))
        self.counts = settings.get("counts", False)
        self.counter: Any = None
        if self.counts:
            from rnnbench.measurement import counts

            self.counter = counts.Counter()
        self.env = env.capture(valgrind=self.counter.version if self.counter else None)
        self.suite = suite.load(settings["suite"])
        cases = select.by_device(
            self.suite.cases, settings.get("device"), "both", torch.cuda.is_available()
        )
        self.cases = {case.id: case for case in cases}
        self.built: dict[str, Any] = {}  # case id -> its workload, built at its first run

    def run(self, case_id: str) -> Record:
        """The runner's full record of the case (memory, first round; a failure recorded with its
        reason); the case's workload is built and kept for its turns when it ran ok."""
        from rnnbench.measurement import runner

        record, _error = runner.run_case(self.cases[case_id], self.suite.policy)
        if record["status"] == "ok":
            self.built[case_id] = self.build(case_id, warmup_rounds=0)
        self.settle()
        return record

    def warm(self, case_id: str) -> dict[str, Any]:
        """Build the case's workload for turns in a further process of this side, and run the suite's
        warm-up rounds (untimed); a case that cannot be built is `failed` with the reason."""
        try:
            self.built[case_id] = self.build(case_id, max(self.suite.policy.warmup_rounds, 1))
        except Exception as exc:  # recorded, as a failed run is
            return {"id": case_id, "status": "failed", "reason": one_line(exc), "times_s": []}
        self.settle()
        return {"id": case_id, "status": "ok", "reason": None, "times_s": []}

    def build(self, case_id: str, warmup_rounds: int) -> Any:
        """The case's workload, built (and run `warmup_rounds` rounds, untimed) at its threads and flags."""
        from rnnbench.measurement import env, runner, timing, workload

        case = self.cases[case_id]
        with env.threads_for(case.threads), runner.backend_flags(case):
            model, inputs = runner.build(case)
            built = workload.build_workload(case.phase, model, inputs, case.device)
            timing.run_rounds(built, warmup_rounds)
        return built

    @staticmethod
    def settle() -> None:
        """What exists now lives as long as the worker: out of the collector's sight, so the collection
        that starts each turn takes microseconds, not the 0.2 s a full heap with torch loaded takes."""
        gc.collect()
        gc.freeze()

    def turn(self, case_id: str, rounds: int) -> dict[str, Any]:
        """One A/B turn: a round to warm up after the other side ran (dropped), then `rounds` timed
        rounds of the workload the case's run built, with the garbage collector off."""
        from rnnbench.measurement import env, runner, timing

        case = self.cases[case_id]
        with env.threads_for(case.threads), runner.backend_flags(case), timing.gc_disabled():
            times = timing.run_rounds(self.built[case_id], rounds + 1)[1:]
        return {"id": case_id, "status": "ok", "reason": None, "times_s": times}

    def count(self, case_id: str) -> Record:
        """One timed run, then the case's instructions counted under callgrind."""
        from rnnbench.measurement import counts

        record = self.run(case_id)
        if record["status"] == "ok":
            counted = self.counter.count(self.cases[case_id])
            counts.add_to_record(record, counted)
            if counted["status"] != "ok":
                record["status"] = "failed"
                record["reason"] = counted.get("reason") or counted["status"]
        return record

    def close(self) -> None:
        if self.counter is not None:
            self.counter.close()


def main() -> None:
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    def reply(message: dict[str, Any]) -> None:
        replies.write(json.dumps(message) + "\n")
        replies.flush()

    try:
        side = Side(json.loads(sys.argv[1]))
    except Exception as exc:
        reply({"error": one_line(exc)})
        return
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    reply({"ready": os.getpid(), "env": side.env, "cases": list(side.cases), "cpus": cpus})
    try:
        for line in sys.stdin:
            request = json.loads(line)
            kind, argument = next(iter(request.items()))
            case_id, *rounds = argument if isinstance(argument, list) else [argument]
            if case_id not in side.cases:
                reply({"error": f"no case {case_id!r} in this side's suite"})
            elif kind == "turn" and case_id not in side.built:
                reply({"error": f"case {case_id!r} has no successful run to take turns with"})
            elif kind == "turn":
                reply({"record": side.turn(case_id, *rounds)})
            elif kind == "warm":
                reply({"record": side.warm(case_id)})
            else:
                reply({"record": side.run(case_id) if kind == "run" else side.count(case_id)})
    finally:
        side.close()


if __name__ == "__main__":
    main()
