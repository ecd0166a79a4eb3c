"""Power and false-alarm rate of the regression gate, measured on this machine (not a unit test).

    flock /tmp/rnnbench-bench.lock python -m rnnbench.experiments.gate_power --runs 20

Takes one baseline run of a few smoke cases, then alternates two kinds of gated runs:
  * slowed: every case's timed target does calibrated extra work (~10% of its median), the
    injected regression; the gate should flag it (power, goal >= 19/20);
  * unchanged: the same code again; the gate should stay quiet (false alarms, goal <= 1/20).
Each run goes through the real pipeline: records -> results file -> rnnbench.results.store.load ->
rnnbench.gate.compare (threshold, then `--remeasure N`-style re-tests of flagged cases), for each
setting (quantile x N) on the same measurements; re-measurements are shared between settings.
With `--baseline-runs N` (3 or more) the baseline is the last N runs of a history file, and
`compare` tests each case's current statistic against the spread of those runs' statistics
(between-run drift); `--rolling` appends every unchanged run to the history, so the baseline
moves along like main's runs in CI. Each setting is also gated with the N runs pooled into one
(the rounds-only test, blind to drift), on the same measurements, for comparison.
The injection lives only here: the suite, runner and plugin never see it.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from rnnbench.cases import suite
from rnnbench.cases.case import Case
from rnnbench.gate import compare
from rnnbench.measurement import env, runner, timing, workload
from rnnbench.measurement.timing import TimingPolicy, Workload
from rnnbench.models import build as models
from rnnbench.results import history, store
from rnnbench.results.schema import Document, Env, LoadedDocument, Record
from rnnbench.results.store import ResultsFile

DEFAULT_CASES = (
    "lstm-*-l1-uni-*-forward",
    "lstm-*-l1-uni-*-forward_backward",
    "gru-*-l1-uni-*-forward",
    "gru-*-l1-uni-*-inference",
)
UNIT = torch.randn(64, 64)


def extra_work(units: int) -> None:
    """The injected slowdown: `units` small matmuls (CPU work that contention slows like the model's)."""
    for _ in range(units):
        torch.mm(UNIT, UNIT)


def slowed_runner(units: int, extra: Callable[[int], None] = extra_work) -> timing.RoundRunner:
    """A round runner whose timed target also does `units` of extra work."""

    def run(work: Workload, rounds: int) -> list[float]:
        def target() -> object:
            out = work.target()
            extra(units)
            return out

        return timing.run_rounds(Workload(work.setup, target), rounds)

    return run


def case_workload(case: Case) -> Workload:
    """The case's workload, built as the runner builds it."""
    torch.manual_seed(0)
    return workload.build_workload(
        case.phase, models.build_model(case), models.build_input(case), case.device
    )


def achieved_slowdown(case: Case, units: int, rounds: int = 200) -> float:
    """Median(slowed) / median(plain) - 1 from interleaved rounds of the same built workload."""
    work = case_workload(case)
    plain, slowed = [], []
    with timing.gc_disabled():
        for _ in range(rounds):
            plain += timing.run_rounds(work, 1)
            slowed += slowed_runner(units)(work, 1)
    return float(np.median(slowed) / np.median(plain) - 1)


def calibrate(case: Case, target: float) -> tuple[int, float]:
    """Units of extra work giving about `target` slowdown, and the slowdown they give."""
    unit = float(np.median(timing.run_rounds(Workload(lambda: None, lambda: extra_work(1)), 2000)))
    units = max(
        1, round(target * float(np.median(timing.run_rounds(case_workload(case), 100))) / unit)
    )
    for _ in range(2):  # the first guess ignores cache and scheduling effects: correct it twice
        units = max(1, round(units * target / max(achieved_slowdown(case, units), 1e-3)))
    return units, achieved_slowdown(case, units)


def measure_run(
    cases: list[Case],
    policy: TimingPolicy,
    units: dict[str, int] | None,
    path: Path,
    machine: Env,
) -> list[LoadedDocument]:
    """Measure every case (slowed if `units`), store the run, and load it back like the gate does."""
    results = ResultsFile(
        path, {"id": path.stem, "suite": "gate-power", "policy": policy.as_dict()}, machine
    )
    for case in cases:
        round_runner = slowed_runner(units[case.id]) if units else timing.run_rounds
        results.add(runner.run_case(case, policy, round_runner)[0])
    results.close(complete=True)
    return store.load([path])


def gate(
    baseline: Sequence[Document],
    current: Sequence[Document],
    thresholds: compare.Thresholds,
    remeasure: Callable[[str, int], list[float]],
    attempts: int,
    quantile: float,
) -> compare.Comparison:
    """What `pytest bench --baseline B --fail-on-regression T --remeasure N --gate-quantile Q` decides."""
    result = compare.compare(baseline, current, thresholds, quantile=quantile)
    if attempts and result.flagged():
        result = compare.confirm(
            result, baseline, remeasure, thresholds, quantile=quantile, attempts=attempts
        )
    return result


def pooled(documents: list[Document]) -> list[Document]:
    """The baseline runs as one run: each case's round times concatenated (what a drift-blind test sees)."""
    records: dict[str, Record] = {}
    for doc in documents:
        for record in doc["records"]:
            if record["status"] != "ok":
                continue
            kept = records.setdefault(record["id"], {**record, "times_s": []})
            kept["times_s"] = kept["times_s"] + record["times_s"]
    return [{**documents[0], "records": list(records.values())}]


def rates(outcomes: dict[str, list[compare.Comparison]], runs: int) -> dict[str, str]:
    """Detected runs, false-alarm runs, and slowed cases the gate missed."""
    slowed = outcomes["slowed"]
    missed = sum(len(r.rows) - len(r.flagged()) for r in slowed)
    return {
        "detected": f"{sum(bool(r.flagged()) for r in slowed)}/{runs}",
        "false_alarms": f"{sum(bool(r.flagged()) for r in outcomes['unchanged'])}/{runs}",
        "slowed_cases_missed": f"{missed}/{sum(len(r.rows) for r in slowed)}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cases", nargs="+", default=list(DEFAULT_CASES), help="globs over smoke case ids"
    )
    parser.add_argument(
        "--runs", type=int, default=20, help="gated runs of each kind (default: 20)"
    )
    parser.add_argument(
        "--slowdown", type=float, default=0.10, help="injected slowdown (default: 0.10)"
    )
    parser.add_argument("--threshold", default="5%", help="gate threshold (default: 5%%)")
    parser.add_argument(
        "--remeasure",
        type=int,
        nargs="+",
        default=[1, 2],
        help="gate with each of these --remeasure N (re-measures shared between settings)",
    )
    parser.add_argument(
        "--quantiles",
        type=float,
        nargs="+",
        default=[0.5, 0.1],
        help="gate on these quantiles of the round times, each on the same measurements",
    )
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default: 1)")
    parser.add_argument(
        "--max-time", type=float, default=0.5, help="seconds of timed rounds per case"
    )
    parser.add_argument(
        "--baseline-runs",
        type=int,
        default=1,
        help="baseline = the last N runs in a history file, as `compare --history DB --last N`",
    )
    parser.add_argument(
        "--rolling",
        action="store_true",
        help="append each unchanged run to the history: the baseline is always the newest N runs",
    )
    parser.add_argument("--json", type=Path, help="also write the summary here")
    args = parser.parse_args()

    started = time.perf_counter()
    env.set_threads(args.threads)
    machine = env.capture()
    smoke = suite.load("smoke")
    policy = replace(
        smoke.policy, warmup_rounds=5, min_rounds=30, max_rounds=1000, max_time=args.max_time
    )
    cases = [
        c
        for c in smoke.cases
        if c.device == "cpu" and any(fnmatch.fnmatchcase(c.id, g) for g in args.cases)
    ]
    thresholds = compare.Thresholds.parse(args.threshold)
    print(
        f"{len(cases)} cases, threads={args.threads}, threshold={args.threshold}, alpha=0.01, "
        f"max_time={args.max_time}s, torch {torch.__version__}"
    )
    units, achieved = {}, {}
    for case in cases:
        units[case.id], achieved[case.id] = calibrate(case, args.slowdown)
        print(f"  calibrated {case.id}: {units[case.id]} units -> +{achieved[case.id]:.1%}")

    work = Path(tempfile.mkdtemp(prefix="gate-power-"))
    db = work / "history.db"
    for index in range(args.baseline_runs):
        history.append(
            db, measure_run(cases, policy, None, work / f"baseline-{index}.json", machine)
        )
    by_id = {case.id: case for case in cases}
    pools = ("runs", "pooled") if args.baseline_runs > 1 else ("runs",)
    settings = [(q, n, pool) for q in args.quantiles for n in args.remeasure for pool in pools]
    outcomes: dict[tuple[float, int, str], dict[str, list[compare.Comparison]]] = {
        setting: {"slowed": [], "unchanged": []} for setting in settings
    }
    for index in range(args.runs):
        for kind in ("slowed", "unchanged"):
            slow = units if kind == "slowed" else None
            fresh: dict[
                tuple[str, int], list[float]
            ] = {}  # each re-measure is shared by the settings

            def remeasure(
                case_id: str, attempt: int, slow: dict[str, int] | None = slow, fresh: dict = fresh
            ) -> list[float]:
                if (case_id, attempt) not in fresh:
                    round_runner = slowed_runner(slow[case_id]) if slow else timing.run_rounds
                    fresh[case_id, attempt] = runner.run_case(by_id[case_id], policy, round_runner)[
                        0
                    ]["times_s"]
                return fresh[case_id, attempt]

            current = measure_run(cases, policy, slow, work / f"{kind}-{index:02d}.json", machine)
            runs = history.last_runs(db, machine["fingerprint"], args.baseline_runs)
            line = []
            for q, n, pool in settings:
                baseline = runs if pool == "runs" else pooled(runs)
                result = gate(baseline, current, thresholds, remeasure, n, q)
                outcomes[q, n, pool][kind].append(result)
                ratios = " ".join(
                    f"{r.verdict.ratio:.3f}" if r.verdict else r.mark for r in result.rows
                )
                line.append(f"q{q:g}/r{n}/{pool}: {len(result.flagged())} [{ratios}]")
            print(f"  run {index + 1:2d} {kind:9s} " + "  ".join(line), flush=True)
            if kind == "unchanged" and args.rolling:
                history.append(db, current)

    summary = {
        "machine": f"{machine['cpu_model']} ({machine['cpu_count']} cores), torch {machine['torch']}",
        "threads": args.threads,
        "cases": [c.id for c in cases],
        "threshold": args.threshold,
        "alpha": 0.01,
        "baseline_runs": args.baseline_runs,
        "runs_each": args.runs,
        "injected_slowdown": {k: round(v, 4) for k, v in achieved.items()},
        "rolling": args.rolling,
        "by_setting": {
            f"quantile {q:g}, remeasure {n}, {'between-run test' if pool == 'runs' else 'pooled rounds'}": rates(
                outcomes[q, n, pool], args.runs
            )
            for q, n, pool in settings
        },
        "run_time_s": round(time.perf_counter() - started, 1),
    }
    report(summary, args.json)


def report(summary: dict[str, Any], path: Path | None) -> None:
    """Print an experiment's summary, and write it to `path` if given."""
    print(json.dumps(summary, indent=1))
    if path:
        path.write_text(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
