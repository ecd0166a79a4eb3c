"""Power and false-alarm rate of the instruction-count gate, measured on this machine (not a unit test).

    python -m rnnbench.experiments.counts_power --runs 20

Counts a baseline run of a few smoke cases (timed and counted, as `pytest bench --counts` does),
then alternates gated runs of two kinds, each compared with `--metric instructions` at a 1%
threshold and no re-measuring:
  * slowed: the case's timed target also does calibrated extra work (16x16 matmuls) worth about
    `--extra` (default 2%) of its instructions; the gate should flag every such run;
  * unchanged: the same code again; the gate should never flag.
Runs are spread over `--processes` fresh valgrind processes (counts must agree across processes,
not only within one). The injection lives only here: the worker builds the slowed workload
through its `build` hook, the suite, runner and plugin never see it.
"""

from __future__ import annotations

import argparse
import fnmatch
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from rnnbench.cases import suite
from rnnbench.cases.case import Case
from rnnbench.experiments.gate_power import report, slowed_runner
from rnnbench.gate import compare
from rnnbench.measurement import counts, counts_worker, env, runner, timing
from rnnbench.measurement.timing import TimingPolicy, Workload
from rnnbench.results import store
from rnnbench.results.schema import Env, LoadedDocument
from rnnbench.results.store import ResultsFile

DEFAULT_CASES = ("lstm-*-l1-uni-*-forward", "gru-*-l1-uni-*-forward_backward")
UNIT = torch.randn(16, 16)  # one unit of extra work: ~0.2-0.5% of a smoke case's instructions


def extra_work(units: int) -> None:
    """The injected regression: `units` tiny matmuls (fine-grained, so ~2% can be hit closely)."""
    for _ in range(units):
        torch.mm(UNIT, UNIT)


WORKER = ("-m", "rnnbench.experiments.counts_power", "--worker")


def slowed_workload(case: Case, request: dict[str, Any]) -> Workload:
    """The case's workload; with `extra_units` in the request, the target also does that extra work."""
    work = counts_worker.case_workload(case)
    units = int(request.get("extra_units", 0))
    if not units:
        return work

    def target() -> object:
        out = work.target()
        extra_work(units)
        return out

    return Workload(work.setup, target)


def measure_run(
    counter: counts.Counter,
    cases: list[Case],
    policy: TimingPolicy,
    units: dict[str, int] | None,
    path: Path,
    machine: Env,
) -> list[LoadedDocument]:
    """Time and count every case (slowed if `units`), store the run, and load it back like the gate does."""
    results = ResultsFile(
        path, {"id": path.stem, "suite": "counts-power", "policy": policy.as_dict()}, machine
    )
    for case in cases:
        extra = units[case.id] if units else 0
        record = runner.run_case(
            case, policy, slowed_runner(extra, extra_work) if extra else timing.run_rounds
        )[0]
        counts.add_to_record(record, counter.count(case, extra_units=extra))
        results.add(record)
    results.close(complete=True)
    return store.load([path])


def instructions(docs: list[LoadedDocument]) -> dict[str, int]:
    return {r["id"]: r["measures"]["instructions"] for d in docs for r in d["records"]}


def main() -> None:
    if "--worker" in sys.argv:
        counts_worker.main(slowed_workload)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cases", nargs="+", default=list(DEFAULT_CASES), help="globs over smoke case ids"
    )
    parser.add_argument(
        "--runs", type=int, default=20, help="gated runs of each kind (default: 20)"
    )
    parser.add_argument(
        "--extra", type=float, default=0.02, help="injected extra instructions (default: 0.02)"
    )
    parser.add_argument("--threshold", default="1%", help="gate threshold (default: 1%%)")
    parser.add_argument(
        "--processes", type=int, default=2, help="fresh valgrind processes to spread runs over"
    )
    parser.add_argument("--json", type=Path, help="also write the summary here")
    args = parser.parse_args()

    started, cpu_started = time.perf_counter(), time.process_time()
    env.set_threads(1)
    smoke = suite.load("smoke")
    policy = replace(smoke.policy, warmup_rounds=1, min_rounds=3, max_rounds=20, max_time=0.05)
    cases = [
        c
        for c in smoke.cases
        if c.device == "cpu" and any(fnmatch.fnmatchcase(c.id, g) for g in args.cases)
    ]
    thresholds = compare.Thresholds.parse(args.threshold)
    work = Path(tempfile.mkdtemp(prefix="counts-power-"))
    counter = counts.Counter(worker=WORKER)
    machine = env.capture(valgrind=counter.version)
    print(
        f"{len(cases)} cases, threshold={args.threshold}, extra={args.extra:.0%}, valgrind {counter.version}, "
        f"torch {machine['torch']}",
        flush=True,
    )

    baseline = measure_run(counter, cases, policy, None, work / "baseline.json", machine)
    base = instructions(baseline)
    units = {}
    for (
        case
    ) in cases:  # instructions of one unit of extra work, measured inside the case's own target
        probe = int(np.median(counter.count(case, extra_units=20)["instructions"]))
        units[case.id] = max(1, round(args.extra * base[case.id] / ((probe - base[case.id]) / 20)))
    print("  units: " + ", ".join(f"{k}: {v}" for k, v in units.items()), flush=True)

    outcomes: dict[str, list[compare.Comparison]] = {"slowed": [], "unchanged": []}
    achieved: dict[str, list[float]] = {case.id: [] for case in cases}
    per_process = -(-args.runs // args.processes)
    for index in range(args.runs):
        if (
            index and index % per_process == 0
        ):  # a fresh valgrind process for the next share of runs
            counter.close()
            counter = counts.Counter(worker=WORKER)
        for kind in ("slowed", "unchanged"):
            current = measure_run(
                counter,
                cases,
                policy,
                units if kind == "slowed" else None,
                work / f"{kind}-{index:02d}.json",
                machine,
            )
            result = compare.compare(baseline, current, thresholds, metric="instructions")
            outcomes[kind].append(result)
            if kind == "slowed":
                for case_id, value in instructions(current).items():
                    achieved[case_id].append(value / base[case_id] - 1)
            ratios = " ".join(
                f"{r.verdict.ratio:.4f}" if r.verdict else r.mark for r in result.rows
            )
            print(
                f"  run {index + 1:2d} {kind:9s} flagged {len(result.flagged())} [{ratios}]",
                flush=True,
            )
    counter.close()

    unchanged = [r.verdict.ratio - 1 for c in outcomes["unchanged"] for r in c.rows if r.verdict]
    summary = {
        "machine": f"{machine['cpu_model']} ({machine['cpu_count']} cores), torch {machine['torch']}, "
        f"valgrind {counter.version}",
        "cases": [c.id for c in cases],
        "threshold": args.threshold,
        "runs_each": args.runs,
        "processes": args.processes,
        "baseline_instructions": base,
        "injected_extra": {k: f"{min(v):+.2%} .. {max(v):+.2%}" for k, v in achieved.items()},
        "detected": f"{sum(bool(r.flagged()) for r in outcomes['slowed'])}/{args.runs}",
        "false_alarms": f"{sum(bool(r.flagged()) for r in outcomes['unchanged'])}/{args.runs}",
        "unchanged_drift": f"{min(unchanged):+.3%} .. {max(unchanged):+.3%}",
        "wall_s": round(time.perf_counter() - started, 1),
        "parent_cpu_s": round(time.process_time() - cpu_started, 1),
    }
    report(summary, args.json)


if __name__ == "__main__":
    main()
