"""The regression gate inside a `pytest bench` session (`--baseline`, `--fail-on-regression`, ...).

The plugin only forwards options and hooks here. The comparison itself reads the run's stored
results file back (the gate never imports the runner); only `--remeasure` runs cases again, through
the session (`BenchSession.remeasure`), into a separate `<run id>.remeasure.json` beside the results file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rnnbench.cases import select as shard
from rnnbench.errors import UserError
from rnnbench.gate import compare
from rnnbench.gate import table as gate_table
from rnnbench.gate.compare import Comparison, Thresholds
from rnnbench.gate.significance import check_quantile
from rnnbench.results import baseline, history, store
from rnnbench.results.schema import Env, LoadedDocument

if TYPE_CHECKING:
    from rnnbench.measurement.session import BenchSession


@dataclass
class Gate:
    """What the gate options asked for, and what it found."""

    baseline_docs: list[LoadedDocument]
    thresholds: Thresholds
    fail: bool
    remeasure: int = 0
    allow_foreign: bool = False
    quantile: float = 0.5
    metric: str = "time"
    comparison: Comparison | None = None

    @classmethod
    def from_options(
        cls,
        path: str,
        fail_on: str | None,
        overrides: list[str],
        remeasure: int,
        allow_foreign: bool,
        quantile: float = 0.5,
        metric: str = "time",
    ) -> Gate:
        """Load and validate the baseline now, so a bad one stops the session before it runs."""
        if remeasure < 0:
            raise UserError(f"--remeasure: must be 0 or more, got {remeasure}")
        thresholds = Thresholds.parse(fail_on or "5%", overrides, "--fail-on-regression")
        docs = store.load([baseline.resolve(path)])
        compare.check_metric(metric, docs, None)
        quantile = check_quantile(quantile, "--gate-quantile")
        return cls(
            docs, thresholds, fail_on is not None, remeasure, allow_foreign, quantile, metric
        )

    def check_machine(self, env: Env) -> None:
        """Refuse a baseline from another machine before anything is measured (unless allowed)."""
        compare.check_machines(
            [doc["env"] for doc in self.baseline_docs], [env], self.allow_foreign
        )

    def evaluate(self, bench: BenchSession, selected: list[str]) -> Comparison:
        """Compare the stored run with the baseline over the selected cases; re-measure if asked."""
        current = store.load([bench.results.path]) if bench.results is not None else []
        result = compare.compare(
            self.baseline_docs,
            current,
            self.thresholds,
            allow_foreign=self.allow_foreign,
            only=selected,
            quantile=self.quantile,
            metric=self.metric,
        )
        if (
            self.remeasure and self.metric == "time" and result.flagged()
        ):  # counts are not re-measured
            result = compare.confirm(
                result,
                self.baseline_docs,
                bench.remeasure,
                self.thresholds,
                quantile=self.quantile,
                attempts=self.remeasure,
            )
        self.comparison = result
        return result

    @property
    def failed(self) -> bool:
        return self.fail and self.comparison is not None and bool(self.comparison.failing())

    def report(self) -> str:
        return (
            gate_table.render(self.comparison)
            if self.comparison
            else "rnnbench gate: not evaluated"
        )


DEFAULT_REMEASURE = (
    2  # flagged cases are re-tested twice: without it, drift > 5% between runs cries wolf
)


def configure(option: Callable[[str], Any], env: Callable[[], Env]) -> Gate | None:
    """The gate the pytest options ask for (None without --baseline); bad options raise `UserError`."""
    if option("shard") is not None:
        shard.parse_shard(option("shard"))
    if (
        option("history") is not None
    ):  # create (or check) it now: a bad path must not wait for the last case
        try:
            with history.connect(option("history")):
                pass
        except UserError as exc:
            raise UserError(f"--history: {exc}") from None
    if option("metric") == "instructions" and not option("counts"):
        raise UserError("--metric instructions: needs --counts (the current run must be counted)")
    if option("baseline") is None:
        if option("fail_on_regression") is not None or option("remeasure") is not None:
            raise UserError("--fail-on-regression/--remeasure: need --baseline")
        return None
    counted = option("metric") == "instructions"  # counts repeat to ~0.2%: nothing to re-measure
    remeasure = (
        (0 if counted else DEFAULT_REMEASURE)
        if option("remeasure") is None
        else option("remeasure")
    )
    gate = Gate.from_options(
        option("baseline"),
        option("fail_on_regression"),
        option("threshold_for"),
        remeasure,
        option("allow_foreign"),
        option("gate_quantile"),
        option("metric") or "time",
    )
    gate.check_machine(env())
    return gate


def finish(
    gate: Gate | None, bench: BenchSession, selected: list[str], history_db: str | None
) -> tuple[list[str], bool]:
    """At the end of a session: append to the history, evaluate the gate; (summary lines, failed)."""
    lines = []
    if history_db and bench.results is not None:
        rows = history.append(history_db, store.load([bench.results.path]))
        lines.append(f"rnnbench history: appended {rows} rows to {history_db}")
    if gate is None:
        return lines, False
    gate.evaluate(bench, selected)
    return [gate.report(), *lines], gate.failed


def shard_cases(cases: list[Any], spec: str | None) -> list[Any]:
    """The cases of shard `K/N` (all cases when no shard is given)."""
    return (
        cases
        if spec is None
        else shard.in_shard(cases, shard.parse_shard(spec), key=lambda case: case.id)
    )
