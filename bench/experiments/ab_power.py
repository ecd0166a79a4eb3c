"""False alarms and detection of `rnnbench ab`, and of plain `compare` of one run per side (not a unit test).

    flock /tmp/rnnbench-bench.lock python bench/experiments/ab_power.py --trials 20

A/B: the checkout's HEAD is cloned into a temporary repository and, for each injected slowdown x,
a branch commits a patch that makes every timed round of the timing loop spin for x of its own
duration (the injection lives only in that throwaway branch). Each trial is one full A/B as
`rnnbench ab` runs it (fresh worktrees and worker processes): HEAD against HEAD (false alarms),
and HEAD against each slowed branch (detection), on the smoke suite's forward cases; every
threshold is decided on the same measurements. A trial alarms when any case is a regression.
Plain compare: two back-to-back timed runs of the same cases (as `pytest bench` makes them) go
through `rnnbench compare A B` (exit status) and `compare A B'`, B' = B with every round x1.2 (its
pace probes as measured: a slower code does not slow the probe); then both again with the pace
probes removed from every file, which is how `compare` decided before pacing.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from rnnbench.ab import alternate, documents, sides
from rnnbench.cases import suite
from rnnbench.cases.case import Case
from rnnbench.cli import main as cli
from rnnbench.experiments.gate_power import report
from rnnbench.gate import paired
from rnnbench.measurement import env, runner
from rnnbench.measurement.policy import TimingPolicy
from rnnbench.results import store
from rnnbench.results.schema import Env
from rnnbench.results.store import ResultsFile

SOURCE = Path(__file__).resolve().parents[2]  # the checkout this file belongs to
PATCH = '''

_plain_run_rounds = run_rounds


def run_rounds(workload: Workload, rounds: int, timer: Callable[[], float] = time.perf_counter) -> list[float]:
    """Injected by bench/experiments/ab_power.py: every timed round spins for {slowdown} of its own time."""

    def target() -> object:
        start = timer()
        out = workload.target()
        spent = timer() - start
        while timer() - start < spent * (1 + {slowdown}):
            pass
        return out

    return _plain_run_rounds(Workload(workload.setup, target), rounds, timer)
'''


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def slowed_clone(work: Path, slowdowns: list[float]) -> tuple[Path, str, dict[float, str]]:
    """A clone of the checkout's HEAD, with one branch per slowdown; returns (clone, HEAD, branch per slowdown)."""
    clone = work / "clone"
    subprocess.run(["git", "clone", "--quiet", "--shared", str(SOURCE), str(clone)], check=True)
    head = git(clone, "rev-parse", "HEAD")
    branches = {}
    for slowdown in slowdowns:
        name = f"slow-{slowdown:g}"
        git(clone, "checkout", "-q", "-b", name, head)
        timing = clone / "bench" / "measurement" / "timing.py"
        timing.write_text(timing.read_text() + PATCH.format(slowdown=slowdown))
        git(
            clone,
            "-c",
            "user.name=x",
            "-c",
            "user.email=x@example.com",
            "commit",
            "-qam",
            f"inject {slowdown:.0%}",
        )
        branches[slowdown] = git(clone, "rev-parse", "HEAD")
    git(clone, "checkout", "-q", head)
    return clone, head, branches


def alarms(outcome: alternate.Outcome, threshold: float, alpha: float) -> tuple[bool, list[float]]:
    """Whether any case is a regression at `threshold`, decided again from the stored pair statistics."""
    base, head = ({r["id"]: r for r in doc["records"]} for doc in outcome.documents)
    verdicts = [
        paired.assess_pairs(base[i]["ab"]["runs"], head[i]["ab"]["runs"], threshold, alpha)
        for i in outcome.cases
    ]
    return any(v.mark == "regression" for v in verdicts), [round(v.ratio, 3) for v in verdicts]


def plain_compare_trial(
    cases: list[Case], policy: TimingPolicy, machine: Env, work: Path, index: int
) -> tuple[int, int, int, int]:
    """Two back-to-back runs, then `rnnbench compare` exit statuses: as measured and with B doctored
    x1.2, paced and (the probes removed) unpaced."""
    paths = []
    for side in ("a", "b"):
        path = work / f"plain-{index:02d}-{side}.json"
        results = ResultsFile(
            path, {"id": path.stem, "suite": "smoke", "policy": policy.as_dict()}, machine
        )
        for case in cases:
            results.add(runner.run_case(case, policy)[0])
        results.close(complete=True)
        paths.append(path)
    doctored = json.loads(paths[1].read_text())
    for record in doctored["records"]:
        record["times_s"] = [t * 1.2 for t in record["times_s"]]
    paths.append(work / f"plain-{index:02d}-b-doctored.json")
    store.write_atomic(paths[-1], doctored)
    for path in paths[:3]:
        unpaced = json.loads(path.read_text())
        for record in unpaced["records"]:
            record.pop("pace", None)
        paths.append(path.with_name(f"{path.stem}-unpaced.json"))
        store.write_atomic(paths[-1], unpaced)
    a, b, doctored_b, a_raw, b_raw, doctored_raw = map(str, paths)
    with contextlib.redirect_stdout(io.StringIO()):
        return (
            cli(["compare", a, b]),
            cli(["compare", a, doctored_b]),
            cli(["compare", a_raw, b_raw]),
            cli(["compare", a_raw, doctored_raw]),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--trials", type=int, default=20, help="A/B runs of each kind (default: 20)"
    )
    parser.add_argument(
        "--plain-trials", type=int, default=20, help="plain compare tries (default: 20)"
    )
    parser.add_argument(
        "-k", dest="keyword", default="forward and not backward", help="smoke cases (pytest -k)"
    )
    parser.add_argument(
        "--ab-k", dest="ab_keyword", help="A/B cases, if fewer than -k's (default: -k's)"
    )
    parser.add_argument(
        "--pairs",
        type=int,
        default=alternate.DEFAULT_PAIRS,
        help=f"A/B pairs per case (default: {alternate.DEFAULT_PAIRS})",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=alternate.DEFAULT_PROCESSES,
        help=f"A/B worker processes per side (default: {alternate.DEFAULT_PROCESSES})",
    )
    parser.add_argument(
        "--slowdowns", type=float, nargs="+", default=[0.10, 0.05], help="injected slowdowns"
    )
    parser.add_argument(
        "--thresholds", type=float, nargs="+", default=[0.05, 0.025], help="thresholds decided"
    )
    parser.add_argument(
        "--alpha", type=float, default=0.05, help="significance level of the paired test"
    )
    parser.add_argument("--json", type=Path, help="also write the summary here")
    args = parser.parse_args()

    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="ab-power-"))
    env.set_threads(1)
    machine = env.capture()
    smoke = suite.load("smoke")
    cpu = [c for c in smoke.cases if c.device == "cpu"]
    cases = [c for c in cpu if c.id in alternate.keyword_filter([c.id for c in cpu], args.keyword)]
    plain = []
    for index in range(args.plain_trials):
        plain.append(plain_compare_trial(cases, smoke.policy, machine, work, index))
        print(
            f"  plain compare {index + 1:2d}: unchanged exit {plain[-1][0]}, doctored x1.2 exit "
            f"{plain[-1][1]}; unpaced {plain[-1][2]}, {plain[-1][3]}",
            flush=True,
        )

    clone, head, branches = slowed_clone(work, args.slowdowns)
    plan = alternate.Plan(
        suite="smoke",
        keyword=args.ab_keyword or args.keyword,
        pairs=args.pairs,
        processes=args.processes,
        alpha=args.alpha,
    )
    print(f"  A/B results under {work}", flush=True)
    kinds = {"same": head, **{f"slowed {x:.0%}": branches[x] for x in args.slowdowns}}
    outcomes: dict[str, list[dict[str, Any]]] = {kind: [] for kind in kinds}
    walls: list[float] = []
    for trial in range(args.trials):
        for kind, commit in kinds.items():
            clock = time.perf_counter()
            outcome = alternate.run_ab(
                sides.Side("base", head), sides.Side("head", commit), plan, clone, lambda _: None
            )
            walls.append(time.perf_counter() - clock)
            documents.write(
                outcome.documents, work / f"ab-{trial + 1:02d}-{kind.replace(' ', '-')}"
            )
            decided = {f"{t:.1%}": alarms(outcome, t, args.alpha) for t in args.thresholds}
            outcomes[kind].append({t: flagged for t, (flagged, _) in decided.items()})
            print(
                f"  trial {trial + 1:2d} {kind:12s} {walls[-1]:5.0f} s  "
                + "  ".join(
                    f"{t}: {'ALARM' if f else 'quiet'} {r}" for t, (f, r) in decided.items()
                ),
                flush=True,
            )

    summary = {
        "machine": f"{machine['cpu_model']} ({machine['cpu_count']} cores), torch {machine['torch']}, threads 1",
        "cases": len(cases),
        "keyword": args.keyword,
        "ab_keyword": plan.keyword,
        "pairs": args.pairs,
        "processes": args.processes,
        "alpha": args.alpha,
        "ab_trials_each": args.trials,
        "ab_alarms": {
            kind: {t: f"{sum(o[t] for o in runs)}/{len(runs)}" for t in runs[0]} if runs else {}
            for kind, runs in outcomes.items()
        },
        "ab_wall_s": {
            "median": round(float(np.median(walls)), 1) if walls else None,
            "max": round(max(walls), 1) if walls else None,
        },
        "plain_compare_unchanged_exit_0": f"{sum(p[0] == 0 for p in plain)}/{len(plain)}",
        "plain_compare_doctored_exit_1": f"{sum(p[1] == 1 for p in plain)}/{len(plain)}",
        "unpaced_unchanged_exit_0": f"{sum(p[2] == 0 for p in plain)}/{len(plain)}",
        "unpaced_doctored_exit_1": f"{sum(p[3] == 1 for p in plain)}/{len(plain)}",
        "run_time_s": round(time.perf_counter() - started, 1),
    }
    report(summary, args.json)


if __name__ == "__main__":
    main()
