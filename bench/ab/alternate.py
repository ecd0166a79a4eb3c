"""`rnnbench ab`'s core: run two sides' cases in alternation and decide each case from the pairs.

Time: each case first runs once on each side (its full record: memory, first round, the workload
built and warm). Then N pairs of turns: in a pair, each side times a short burst of the case's rounds
(`turn_rounds`, after one dropped round that warms the caches the other side evicted), back to back,
the order flipping every pair so neither side always goes first. A pair's two turns are milliseconds
apart, so drift cancels in its log-ratio (rnnbench.gate.paired): on a shared or virtual machine the
speed jumps by tens of percent from one second to the next (the evidence is in docs/ab-bisect.md),
and whole runs seconds apart would carry those jumps into every ratio. Instructions: one counted run
per side (counts do not drift), decided as the counts gate decides. The records of each side become
one results file (each case's turns' rounds pooled, every turn's statistic kept in `ab.runs`), which
`rnnbench report` reads as before/after and `rnnbench compare` reads like any run.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rnnbench.ab import documents, git, sides
from rnnbench.ab.children import Child, SideFailed
from rnnbench.errors import UserError
from rnnbench.gate import compare, paired, significance
from rnnbench.results import store

Echo = Callable[[str], None]
DEFAULT_PAIRS = 40
DEFAULT_TURN_ROUNDS = 5
DEFAULT_PROCESSES = 4  # worker processes per side whose pairs a case's verdict pools
PROGRESS_EVERY = 10  # pairs between progress lines


@dataclass(frozen=True)
class Plan:
    """What to measure and how to decide: the same for every A/B step of a bisect."""

    suite: str = "smoke"
    keyword: str | None = None
    metric: str = "time"
    pairs: int = DEFAULT_PAIRS
    turn_rounds: int = DEFAULT_TURN_ROUNDS
    processes: int = DEFAULT_PROCESSES
    threads: int | None = 1
    thresholds: compare.Thresholds = field(default_factory=compare.Thresholds)
    alpha: float = 0.05
    quantile: float = 0.5

    def __post_init__(self) -> None:
        if self.metric not in compare.METRICS:
            raise UserError(
                f"--metric: expected one of {', '.join(compare.METRICS)}, got {self.metric!r}"
            )
        if self.metric == "time" and self.pairs < paired.MIN_PAIRS:
            raise UserError(
                f"--pairs: at least {paired.MIN_PAIRS} (the pairs' spread is the noise estimate), got {self.pairs}"
            )
        if not 1 <= self.processes <= max(self.pairs, 1):
            raise UserError(
                f"--processes: between 1 and --pairs ({self.pairs}), got {self.processes}"
            )
        if self.turn_rounds < 1:
            raise UserError(f"--turn-rounds: at least 1, got {self.turn_rounds}")
        if not 0 < self.alpha < 1:
            raise UserError(f"--alpha: must be between 0 and 1, got {self.alpha}")
        significance.check_quantile(self.quantile)

    @property
    def side_processes(self) -> int:
        """Worker processes per side: one for counts (they do not depend on where code landed)."""
        return self.processes if self.metric == "time" else 1

    def settings(self) -> dict[str, Any]:
        """What a side's worker needs to load its suite, and the CPUs it is held to."""
        return {
            "suite": self.suite,
            "threads": self.threads,
            "cpus": shared_cpus(self.threads),
            "counts": self.metric == "instructions",
            "device": "cpu",
        }


@dataclass
class Outcome:
    """An A/B's decision, each side's results document, and how long it took."""

    comparison: compare.Comparison
    documents: tuple[dict[str, Any], dict[str, Any]]
    wall_s: float
    cases: list[str]


def shared_cpus(threads: int | None) -> list[int] | None:
    """The CPUs both sides' workers are held to: the last `threads` this process may use. Unpinned, the
    two workers settle on different cores, and on a virtual machine one core can run steadily a few
    percent slower than the other (a neighbour on its host's sibling thread), which no number of
    pairs averages out. None (no pinning) when the thread count is open or cannot be met."""
    if threads is None or not hasattr(os, "sched_getaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    return allowed[-threads:] if threads <= len(allowed) else None


def keyword_filter(ids: list[str], keyword: str | None) -> list[str]:
    """Case ids that pytest's `-k EXPRESSION` would select (a name matches as a case-insensitive substring)."""
    if keyword is None:
        return ids
    from _pytest.mark import expression as grammar  # pytest's own -k grammar

    try:
        compiled = grammar.Expression.compile(keyword)
    except (
        SyntaxError,
        getattr(grammar, "ParseError", SyntaxError),
    ) as exc:  # ParseError before pytest 8.4
        raise UserError(f"-k: {exc}") from None
    return [i for i in ids if compiled.evaluate(_matcher(i))]


def _matcher(case_id: str) -> Callable[..., bool]:
    """pytest's `-k` matcher for one case: a name matches as a case-insensitive substring of its id."""
    return lambda name: name.lower() in f"bench_rnn[{case_id}]".lower()


def select(base: Child, head: Child, plan: Plan) -> list[str]:
    """The cases both sides will run; a case one side lacks, or none at all, is a `UserError`."""
    chosen = [keyword_filter(child.cases, plan.keyword) for child in (base, head)]
    for child, mine, theirs in ((base, chosen[0], chosen[1]), (head, chosen[1], chosen[0])):
        missing = [case for case in theirs if case not in mine]
        if missing:
            raise UserError(
                f"case {missing[0]} is missing on the {child.side.name} side ({child.side.label}) "
                f"({len(missing)} case(s) in all): compare cases both sides have, with -k"
            )
    if not chosen[0]:
        raise UserError(
            f"no case selected (suite {plan.suite!r}"
            + (f", -k {plan.keyword!r})" if plan.keyword else ")")
        )
    return chosen[0]


def measure(
    base: Child, head: Child, cases: list[str], plan: Plan, echo: Echo
) -> dict[str, dict[str, list[dict]]]:
    """Every record, per side and case: the first run (counted, for instructions), then N pairs of turns
    of the cases that ran ok on both sides (time). Pair i is taken by the sides' processes i mod P, each
    process pair flipping which side goes first from one of its pairs to the next."""
    runs: dict[str, dict[str, list[dict]]] = {
        child.side.name: {case: [] for case in cases} for child in (base, head)
    }
    kind = "count" if plan.metric == "instructions" else "run"
    for case in cases:
        for child in (base, head):
            runs[child.side.name][case].append(child.measure(kind, case))
    echo("  counted both sides" if kind == "count" else "  first run of every case on both sides")
    if kind == "count":
        return runs
    warm(base, head, runs, plan.side_processes, echo)
    ready = [case for case in cases if failure(runs, case) is None]
    for pair in range(plan.pairs):
        process, flipped = pair % plan.side_processes, (pair // plan.side_processes) % 2
        order = (head, base) if flipped else (base, head)
        for case in ready:
            for child in order:
                turn = child.measure("turn", case, plan.turn_rounds, process=process)
                runs[child.side.name][case].append(turn)
        if (pair + 1) % PROGRESS_EVERY == 0 or pair + 1 == plan.pairs:
            echo(f"  pair {pair + 1}/{plan.pairs} done")
    return runs


def warm(
    base: Child, head: Child, runs: dict[str, dict[str, list[dict]]], processes: int, echo: Echo
) -> None:
    """Build and warm up every case that ran ok in the sides' further processes; a case that fails
    there is failed (its warm record, with the reason, replaces the first run's)."""
    if processes < 2:
        return
    for case in [case for case in runs["base"] if failure(runs, case) is None]:
        for child in (base, head):
            for process in range(1, processes):
                record = child.measure("warm", case, process=process)
                if record["status"] != "ok":
                    runs[child.side.name][case][0] = record
    echo(f"  {processes - 1} more process(es) per side warmed up")


def failure(runs: dict[str, dict[str, list[dict]]], case: str) -> str | None:
    """`base: reason` for the first failed run of a case on either side, else None."""
    for name, by_case in runs.items():
        for record in by_case[case]:
            if record["status"] != "ok":
                return f"{name}: {record['reason']}"
    return None


def decide(
    runs: dict[str, dict[str, list[dict]]], cases: list[str], plan: Plan
) -> compare.Comparison:
    """A row per case: failed (with the reason), or the paired (time) or counts verdict."""
    rows = []
    for case in cases:
        limit = plan.thresholds.for_case(case)
        reason = failure(runs, case)
        if reason is not None:
            rows.append(compare.Row(case, "failed", note=reason))
            continue
        base, head = runs["base"][case], runs["head"][case]
        if plan.metric == "instructions":
            counted = [record["counts"]["instructions"] for record in (base[0], head[0])]
            verdict = significance.assess_counts(counted[0], counted[1], limit)
        else:
            verdict = paired.assess_pairs(
                [documents.statistic(r, plan.quantile) for r in base[1:]],
                [documents.statistic(r, plan.quantile) for r in head[1:]],
                limit,
                plan.alpha,
                plan.quantile,
            )
        rows.append(compare.Row(case, verdict.mark, verdict))
    return compare.Comparison(rows, metric=plan.metric)


def step(base: Child, head: Child, plan: Plan, echo: Echo) -> Outcome:
    """Select, measure and decide one A/B between two started sides."""
    started, clock = store.now(), time.perf_counter()
    cases = select(base, head, plan)
    echo(
        f"{len(cases)} case(s); {plan.pairs} pairs of {plan.turn_rounds}-round turns, alternating, "
        f"over {plan.side_processes} process(es) per side"
        if plan.metric == "time"
        else f"{len(cases)} case(s); one counted run per side"
    )
    runs = measure(base, head, cases, plan, echo)
    comparison = decide(runs, cases, plan)
    if plan.metric == "instructions":
        counted = [
            {c: runs[name][c][0]["counts"] for c in cases if "counts" in runs[name][c][0]}
            for name in ("base", "head")
        ]
        comparison.counts = (counted[0], counted[1])
    results = tuple(
        documents.document(
            child,
            [documents.pooled(runs[child.side.name][c], plan.quantile) for c in cases],
            plan,
            started,
        )
        for child in (base, head)
    )
    return Outcome(comparison, (results[0], results[1]), time.perf_counter() - clock, cases)


def side_suite(suite: str, top: Path | None, root: Path) -> str:
    """A suite file inside the repository is read from the side's checkout; a name or outside path is kept."""
    path = Path(suite)
    if top is None or not (path.suffix == ".toml" or path.exists()):
        return suite
    try:
        return str(root / path.resolve().relative_to(top.resolve()))
    except ValueError:
        return suite


@contextlib.contextmanager
def started(
    stack: contextlib.ExitStack, side: sides.Side, top: Path | None, plan: Plan, scratch: Path
) -> Iterator[Child]:
    """A side's worker in its own worktree (or in the repository as it is, for a side without a revision)."""
    root = (
        stack.enter_context(git.worktree(top, side.commit))
        if side.commit and top
        else (top or Path.cwd())
    )
    settings = {**plan.settings(), "suite": side_suite(plan.suite, top, root)}
    try:
        child = Child(side, root, scratch / side.name, settings, plan.side_processes)
    except SideFailed as exc:
        raise UserError(str(exc)) from None
    try:
        yield child
    finally:
        child.close()


def run_ab(base: sides.Side, head: sides.Side, plan: Plan, repo: Path, echo: Echo) -> Outcome:
    """Check the revisions, check them out, start both sides, alternate, decide; nothing is left behind."""
    top = git.toplevel(repo) if base.revision or head.revision else None
    if top is not None:
        base, head = (resolved(top, side) for side in (base, head))
        git.check_committed(top, [side.commit for side in (base, head) if side.commit])
    if plan.metric == "instructions":
        from rnnbench.measurement import callgrind

        callgrind.require()
    with contextlib.ExitStack() as stack:
        scratch = Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="rnnbench-ab-sides-"))
        )
        children = [
            stack.enter_context(started(stack, side, top, plan, scratch)) for side in (base, head)
        ]
        echo(
            f"base: {base.label} ({(base.commit or '')[:12]}), head: {head.label} ({(head.commit or '')[:12]})"
        )
        return step(children[0], children[1], plan, echo)


def resolved(top: Path, side: sides.Side) -> sides.Side:
    """The side with its revision's full commit sha (a side without a revision stays as it is)."""
    if side.revision is None:
        return side
    return sides.Side(side.name, side.revision, side.python, git.resolve(top, side.revision))
