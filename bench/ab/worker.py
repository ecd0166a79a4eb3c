"""The child process of one A/B side: loads the side's suite once, then runs cases when told.

Started as a script (`python .../rnnbench/ab/worker.py SETTINGS_JSON`) with the side's environment
(rnnbench.ab.sides), so every `rnnbench` import below is the side's own code: its models, timing and
suite loader, and the user cells its suite names. Only this small driver is the invoking rnnbench's,
as asv's benchmark runner is asv's own. It relies on the API every rnnbench revision with suites has:
`cases.suite.load`, `cases.select.by_device`, `measurement.runner` (`run_case`, `build`, `backend_flags`),
`measurement.workload.build_workload`, `measurement.timing.time_workload` (`measure` before issue 22),
`measurement.env` (`capture`, `threads_for`).

Protocol (one JSON object per line): first `{"ready": pid, "env": {...}, "cases": [ids]}` or
`{"error": "one line"}`; then for each request `{"run": case_id}` (one timed run) or
`{"count": case_id}` (one counted run) the reply `{"record": {...}}` or `{"error": "one line"}`.
Stdin closing ends it. Stray prints go to stderr, so only replies use stdout.
"""

from __future__ import annotations

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


class Side:
    """The side's suite and cases, and a callgrind counter started on the first count."""

    def __init__(self, settings: dict[str, Any]) -> None:
        import torch

        from rnnbench.cases import select, suite
        from rnnbench.measurement import env

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

    def run(self, case_id: str) -> Record | dict[str, Any]:
        """One timed run of the case. The first is the runner's full record (memory, first round; a failure
        recorded with its reason); later ones re-time the case's workload, built once, and carry only times."""
        from rnnbench.measurement import env, runner, timing

        if case_id not in self.built:
            return self.first_run(case_id)
        case = self.cases[case_id]
        with env.threads_for(case.threads), runner.backend_flags(case):
            # renamed in issue 22: a side from before it has `measure`
            name = "time_workload" if getattr(timing, "time_workload", None) else "measure"
            times = getattr(timing, name)(self.built[case_id], self.suite.policy).times
        return {"id": case_id, "status": "ok", "reason": None, "times_s": list(times)}

    def first_run(self, case_id: str) -> Record:
        """The runner's full record of the case; its workload is built and kept when it ran ok."""
        from rnnbench.measurement import env, runner, workload

        case = self.cases[case_id]
        record, _error = runner.run_case(case, self.suite.policy)
        if record["status"] == "ok":
            with env.threads_for(case.threads), runner.backend_flags(case):
                model, inputs = runner.build(case)
                self.built[case_id] = workload.build_workload(
                    case.phase, model, inputs, case.device
                )
        return record

    def count(self, case_id: str) -> Record:
        """One timed run, then the case's instructions counted under callgrind."""
        from rnnbench.measurement import counts

        self.built.pop(case_id, None)
        record = self.first_run(case_id)
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
    reply({"ready": os.getpid(), "env": side.env, "cases": list(side.cases)})
    try:
        for line in sys.stdin:
            request = json.loads(line)
            kind, case_id = next(iter(request.items()))
            if case_id not in side.cases:
                reply({"error": f"no case {case_id!r} in this side's suite"})
                continue
            reply({"record": side.run(case_id) if kind == "run" else side.count(case_id)})
    finally:
        side.close()


if __name__ == "__main__":
    main()
