"""`rnnbench bisect GOOD BAD`: the first commit on BAD's first-parent history that made the cases slower.

Each tested commit is compared with GOOD by the same A/B step as `rnnbench ab` (GOOD's worker
stays up for the whole search, each tested commit gets its own worktree and worker). A commit is
bad when any selected case is a regression against GOOD, good otherwise. A commit whose worker
cannot start or whose case fails or is missing (an import error, a broken build) is skipped, as
`git bisect skip` does: the search tries the untested commit nearest the middle instead. BAD is
tested first: if it is not slower than GOOD there is nothing to search.
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rnnbench.ab import alternate, documents, git, sides
from rnnbench.ab.alternate import Echo, Outcome, Plan
from rnnbench.ab.children import Child, SideFailed
from rnnbench.errors import UserError
from rnnbench.gate import compare

GOOD, BAD, SKIP = "good", "bad", "skip"
EXIT_NOT_SLOWER = 1


@dataclass(frozen=True)
class Tested:
    """One step: the commit, its verdict, and the row that decided it (the worst case), or why it was skipped."""

    commit: str
    verdict: str
    row: compare.Row | None = None
    reason: str = ""


def classify(outcome: Outcome) -> tuple[str, compare.Row]:
    """bad if any case regressed, skip if any failed, else good; with the row that says so."""
    rows = outcome.comparison.rows
    failed = [row for row in rows if row.mark == "failed"]
    if failed:
        return SKIP, failed[0]
    worst = max(rows, key=lambda row: row.verdict.ratio if row.verdict else 0.0)
    return (BAD if any(row.mark == "regression" for row in rows) else GOOD), worst


def line(number: int, tested: Tested, subject: str) -> str:
    """`step 2: 1a2b3c4d5e6f  ratio 1.312 [1.298, 1.327]  bad  (lstm-...)  subject`."""
    row = tested.row
    if tested.verdict == SKIP:
        numbers = f"skipped: {tested.reason or (row.note if row else '')}"
    else:
        assert row is not None and row.verdict is not None
        v = row.verdict
        numbers = (
            f"ratio {v.ratio:.3f} [{v.ci_low:.3f}, {v.ci_high:.3f}]  {tested.verdict}  ({row.id})"
        )
    return f"step {number}: {tested.commit[:12]}  {numbers}  {subject}"


class Search:
    """The bisection state: GOOD's worker, the chain of commits, and each tested commit's verdict."""

    def __init__(
        self,
        top: Path,
        base: Child,
        chain: list[str],
        plan: Plan,
        scratch: Path,
        results: Path,
        echo: Echo,
    ) -> None:
        self.top, self.base, self.chain, self.plan = top, base, chain, plan
        self.scratch, self.results, self.echo = scratch, results, echo
        self.verdicts: dict[int, str] = {}
        self.steps = 0

    def test(self, index: int) -> str:
        """Compare chain[index] with GOOD, print the step, write its results; returns its verdict."""
        commit = self.chain[index]
        self.steps += 1
        side = sides.Side("head", commit[:12], self.base.side.python, commit)
        try:
            with contextlib.ExitStack() as stack:
                head = stack.enter_context(
                    alternate.started(stack, side, self.top, self.plan, self.scratch / commit)
                )
                outcome = alternate.step(self.base, head, self.plan, lambda _: None)
            verdict, row = classify(outcome)
            tested = Tested(commit, verdict, row)
            self.save(outcome, index)
        except (UserError, SideFailed) as exc:  # cannot start, or the case is missing: skip it
            tested = Tested(commit, SKIP, reason=str(exc))
        self.verdicts[index] = tested.verdict
        self.echo(line(self.steps, tested, git.subject(self.top, commit)))
        return tested.verdict

    def save(self, outcome: Outcome, index: int) -> None:
        """GOOD's document once, and each step's head document named after its position and commit."""
        base, head = outcome.documents
        self.results.mkdir(parents=True, exist_ok=True)
        if not any(self.results.glob("good-*.json")):
            documents.write_document(base, self.results / f"good-{base['env']['commit'][:12]}.json")
        documents.write_document(
            head, self.results / f"{index + 1:02d}-{self.chain[index][:12]}.json"
        )

    def untested(self, low: int, high: int) -> list[int]:
        """Indices strictly between `low` and `high` not yet tested, nearest the middle first."""
        middle = (low + high) / 2
        return sorted(
            (i for i in range(low + 1, high) if i not in self.verdicts),
            key=lambda i: (abs(i - middle), i),
        )

    def run(self) -> tuple[int, int]:
        """Binary search between the last good (-1: GOOD) and the first bad index; returns (low, high)."""
        low, high = -1, len(self.chain) - 1
        while candidates := self.untested(low, high):
            index = candidates[0]
            verdict = self.test(index)
            if verdict == BAD:
                high = index
            elif verdict == GOOD:
                low = index
        return low, high


def bisect(good: str, bad: str, plan: Plan, repo: Path, results: Path, echo: Echo) -> int:
    """Confirm BAD is slower than GOOD, then search; prints the first bad commit and its diffstat."""
    top = git.toplevel(repo)
    good_commit, bad_commit = git.resolve(top, good), git.resolve(top, bad)
    chain = git.first_parents(top, good_commit, bad_commit)
    if plan.metric == "instructions":
        from rnnbench.measurement import callgrind

        callgrind.require()
    with contextlib.ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="rnnbench-bisect-")))
        side = sides.Side("base", good, commit=good_commit)
        base = stack.enter_context(alternate.started(stack, side, top, plan, scratch))
        if not alternate.keyword_filter(base.cases, plan.keyword):
            raise UserError(
                f"no case selected in GOOD's suite {plan.suite!r}"
                + (f" with -k {plan.keyword!r}" if plan.keyword else "")
            )
        echo(
            f"bisect: {len(chain)} commit(s) after GOOD {good_commit[:12]} up to BAD {bad_commit[:12]}, "
            f"{plan.metric}, threshold {plan.thresholds.default:.0%}"
        )
        search = Search(top, base, chain, plan, scratch, results, echo)
        verdict = search.test(len(chain) - 1)
        if verdict == SKIP:
            raise UserError(
                f"BAD {bad_commit[:12]} cannot run the selected cases: nothing to search"
            )
        if verdict == GOOD:
            echo(
                f"BAD {bad_commit[:12]} is not slower than GOOD {good_commit[:12]} (threshold "
                f"{plan.thresholds.default:.0%}): nothing to search"
            )
            return EXIT_NOT_SLOWER
        low, high = search.run()
    skipped = [chain[i] for i in range(low + 1, high) if search.verdicts.get(i) == SKIP]
    if skipped:
        echo("first bad commit could be any of (skipped commits could not run):")
        for commit in [*skipped, chain[high]]:
            echo(f"  {commit} {git.subject(top, commit)}")
        return 0
    first = chain[high]
    echo(f"first bad commit: {first} {git.subject(top, first)}")
    echo(git.diffstat(top, first))
    echo(f"{search.steps} step(s); results: {results} (rnnbench report {results})")
    return 0
