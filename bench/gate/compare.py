"""Compare a baseline with a current run, case by case, from stored records only.

Cases are matched by id and machine fingerprint. The ok records of a case on one machine are
pooled (a baseline can be several runs, e.g. merged shards or the last N runs from the history);
records from different machines never are: a run gathered from shards on several kinds of node is
compared machine by machine, each case with its baseline on the same machine (with --allow-foreign,
with the one other machine that measured it). The pooled raw round times go to
`rnnbench.gate.significance`. Marks: regression / improvement / no change (not significant, or within
the threshold) / new (no baseline) / missing (in the baseline, not measured now) / failed
(failed now) / skipped (skipped in both). Regression, missing and failed fail the gate.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from rnnbench.errors import UserError
from rnnbench.gate import significance
from rnnbench.gate.samples import COUNTS, TIMES, CaseCounts, CaseSamples, CountsSamples, Samples
from rnnbench.results import store
from rnnbench.results.fingerprint import FINGERPRINT_KEYS
from rnnbench.results.schema import Document, Env

FAILING = ("regression", "missing", "failed")
METRICS = ("time", "instructions")
DRIFT_NOTE = (
    f"note: {{cases}} case(s) had fewer than {significance.MIN_DRIFT_RUNS} baseline runs: their verdict tests noise "
    f"within runs only and ignores drift between runs; give {significance.MIN_DRIFT_RUNS}+ runs "
    "(--history DB --last 5, or a folder of runs)"
)


@dataclass(frozen=True)
class Thresholds:
    """A default threshold and `(pattern, threshold)` overrides: the first matching pattern wins."""

    default: float = 0.05
    overrides: tuple[tuple[str, float], ...] = ()

    @classmethod
    def parse(
        cls, default: str, overrides: Iterable[str] = (), option: str = "--threshold"
    ) -> Thresholds:
        """From `5%` and `PATTERN=PCT` strings (fnmatch patterns over case ids); `option` names
        the option the default came from in errors."""
        pairs = []
        for item in overrides:
            pattern, sep, value = item.partition("=")
            if not sep or not pattern:
                raise UserError(f"--threshold-for: expected PATTERN=PCT, got {item!r}")
            pairs.append(
                (pattern, significance.parse_threshold(value, f"--threshold-for {pattern}"))
            )
        return cls(significance.parse_threshold(default, option), tuple(pairs))

    def for_case(self, case_id: str) -> float:
        return next(
            (t for pattern, t in self.overrides if fnmatch.fnmatchcase(case_id, pattern)),
            self.default,
        )


@dataclass(frozen=True)
class Row:
    """One case's line in the comparison."""

    id: str
    mark: str
    verdict: significance.ChangeVerdict | None = None
    note: str = ""
    machine: str = ""  # the fingerprint of the machine that measured the case now


@dataclass
class Comparison:
    """Every case's row, plus what differs between the machines if the comparison is foreign."""

    rows: list[Row]
    foreign: list[str] = field(default_factory=list)
    metric: str = "time"
    counts: tuple[CaseCounts, CaseCounts] | None = None  # counts samples (base, current)

    def drift_note(self) -> str:
        """A line for people when some time verdicts could not see drift between runs, else ''."""
        blind = sum(
            row.verdict is not None and row.verdict.method == significance.ROUNDS
            for row in self.rows
        )
        return DRIFT_NOTE.format(cases=blind) if blind else ""

    def functions(self, case_id: str) -> tuple[dict[str, int], dict[str, int]]:
        """Inclusive instructions per function of a counted case, baseline and current (empty if uncounted)."""
        if self.counts is None:
            return {}, {}
        base, cur = (side.get(case_id) for side in self.counts)
        return (base["functions"] if base else {}), (cur["functions"] if cur else {})

    def failing(self, allow_missing: bool = False) -> list[Row]:
        marks = [m for m in FAILING if not (allow_missing and m in ("missing", "failed"))]
        return [row for row in self.rows if row.mark in marks]

    def flagged(self) -> list[str]:
        return [row.id for row in self.rows if row.mark == "regression"]

    def frame(self) -> pd.DataFrame:
        """One row per case: the compared quantile in seconds, ratio, CI, p-value, threshold, mark, note."""
        records = []
        for row in self.rows:
            v = row.verdict
            numbers: dict[str, Any] = (
                {
                    "baseline_s": v.baseline,
                    "current_s": v.current,
                    "quantile": v.quantile,
                    "ratio": v.ratio,
                    "ci_low": v.ci_low,
                    "ci_high": v.ci_high,
                    "p_value": v.p_value,
                    "threshold": v.threshold,
                    "method": v.method,
                    "runs": v.runs,
                }
                if v
                else {}
            )
            machine = {"machine": row.machine} if len({r.machine for r in self.rows}) > 1 else {}
            records.append({"id": row.id, **machine, **numbers, "mark": row.mark, "note": row.note})
        return pd.DataFrame(records)


def fingerprint_differences(baseline: Sequence[Env], current: Sequence[Env]) -> list[str]:
    """`field: baseline value != current value` for each fingerprint fact that differs, for every
    current machine (its env) the baseline has no run of."""
    differences: list[str] = []
    known = {base.get("fingerprint") for base in baseline}
    for c in (env for env in current if env.get("fingerprint") not in known):
        for b in baseline:
            if b.get("fingerprint") == c.get("fingerprint"):
                continue
            found = [
                f"{k}: {b.get(k)!r} != {c.get(k)!r}"
                for k in FINGERPRINT_KEYS
                if b.get(k) != c.get(k)
            ]
            found = found or [f"fingerprint: {b.get('fingerprint')!r} != {c.get('fingerprint')!r}"]
            differences.extend(d for d in found if d not in differences)
    return differences


def check_machines(
    baseline: Sequence[Env], current: Sequence[Env], allow_foreign: bool
) -> list[str]:
    """Refuse a comparison across machine fingerprints (of the runs' envs) unless allowed; return
    the differences."""
    differences = fingerprint_differences(baseline, current)
    if differences and not allow_foreign:
        raise UserError(
            "baseline and current come from different machines ("
            + "; ".join(differences)
            + "): compare on the same machine, or pass --allow-foreign"
        )
    return differences


def case_samples(documents: Sequence[Document]) -> CaseSamples:
    """Per case id and machine fingerprint: `status` (ok if any record is ok), pooled ok `times_s`,
    `reason`, `code_hash`."""
    frame = store.to_frame(documents)
    samples: CaseSamples = {}
    if not len(frame):
        return samples
    frame["fingerprint"] = frame["fingerprint"].fillna("").astype(str)
    for (case_id, fingerprint), group in frame.groupby(["id", "fingerprint"], sort=False):
        ok = group[group["status"] == "ok"]
        status = (
            "ok" if len(ok) else ("failed" if (group["status"] == "failed").any() else "skipped")
        )
        samples.setdefault(str(case_id), {})[str(fingerprint)] = {
            "status": status,
            TIMES: [t for times in ok[TIMES] for t in times],
            "runs": [list(times) for times in ok[TIMES]],
            "reason": next((r for r in group["reason"] if r), ""),
            "code_hash": set(group["code_hash"].dropna()),
            "cell_hash": set(group["cell_hash"].dropna()) if "cell_hash" in group else set(),
        }
    return samples


def baseline_for(
    machines: dict[str, Samples], fingerprint: str, allow_foreign: bool
) -> tuple[Samples | None, str]:
    """A case's baseline samples on the machine `fingerprint` (`machines`: the baseline's, per fingerprint);
    with `allow_foreign`, on the one other machine that measured it. Else None, and why (or "")."""
    if fingerprint in machines:
        return machines[fingerprint], ""
    if allow_foreign and len(machines) == 1:
        return next(iter(machines.values())), ""
    if machines:
        return (
            None,
            f"no baseline on this machine (measured on {len(machines)} other machine(s)); not compared",
        )
    return None, ""


def counts_samples(documents: Sequence[Document]) -> CaseCounts:
    """Per case id with a `counts` entry: `status`, `reason`, pooled per-repeat counts, the last functions."""
    samples: CaseCounts = {}
    for doc in documents:
        for record in doc["records"]:
            counts = record.get("counts")
            if not counts:
                continue
            sample = samples.setdefault(
                record["id"],
                {"status": counts["status"], "reason": "", COUNTS: [], "functions": {}},
            )
            if counts["status"] == "ok":
                sample["status"] = "ok"
                sample["functions"] = counts.get("functions", {})
                sample[COUNTS].extend(counts["instructions"])
            elif sample["status"] != "ok":
                sample["status"] = counts["status"]
                sample["reason"] = counts.get("reason", "")
    return samples


def assess_counts(
    case_id: str, base: CountsSamples | None, cur: CountsSamples | None, threshold: float, runs: int
) -> Row | significance.ChangeVerdict:
    """The counts verdict of an ok case, or the row that says why there is none."""
    if cur is None or cur["status"] != "ok":
        mark = "failed" if cur is not None and cur["status"] == "failed" else "skipped"
        return Row(case_id, mark, note=cur["reason"] if cur else "not counted in the current run")
    if base is None or base["status"] != "ok":
        return Row(case_id, "new", note="no baseline instruction counts")
    return significance.assess_counts(base[COUNTS], cur[COUNTS], threshold, runs)


def assess_time(
    base: Samples, cur: Samples, threshold: float, alpha: float, quantile: float
) -> significance.ChangeVerdict:
    """Drift-aware with 3+ baseline runs (their run statistics), else on pooled rounds."""
    runs = base["runs"]
    if len(runs) >= significance.MIN_DRIFT_RUNS:
        values = [float(np.quantile(times, quantile)) for times in runs]
        current = float(np.quantile(cur[TIMES], quantile))
        return significance.assess_drift(values, current, threshold, alpha, quantile)
    return replace(
        significance.assess(base[TIMES], cur[TIMES], threshold, alpha, quantile), runs=len(runs)
    )


def compare_case(
    case_id: str,
    base: Samples | None,
    cur: Samples | None,
    threshold: float,
    alpha: float,
    quantile: float = 0.5,
    counts: tuple[CountsSamples | None, CountsSamples | None] | None = None,
) -> Row:
    """The mark of one case, given its pooled samples on each side (None: absent).

    With `counts` (the case's counts samples, baseline and current) the instruction counts decide, not the times.
    """
    base_ok = base is not None and base["status"] == "ok"
    if cur is None or (cur["status"] == "skipped" and base_ok):
        return Row(case_id, "missing", note=cur["reason"] if cur else "not in the current run")
    if cur["status"] == "failed":
        return Row(case_id, "failed", note=cur["reason"])
    if cur["status"] == "skipped":
        return Row(case_id, "skipped", note=cur["reason"])
    if not base_ok:
        return Row(
            case_id,
            "new",
            note="no baseline measurement" if base is None else f"baseline {base['status']}",
        )
    assert base is not None  # base_ok
    if counts is not None:
        outcome = assess_counts(case_id, *counts, threshold, len(base["runs"]))
        if isinstance(outcome, Row):
            return outcome
        verdict = outcome
    else:
        verdict = assess_time(base, cur, threshold, alpha, quantile)
    hashes = (base["code_hash"], cur["code_hash"])
    note = (
        "benchmark code changed since the baseline"
        if all(hashes) and hashes[0] != hashes[1]
        else ""
    )
    return Row(
        case_id, verdict.mark, verdict, "; ".join(filter(None, [cell_code_note(base, cur), note]))
    )


def cell_code_note(base: Samples, cur: Samples) -> str:
    """`cell code differs from the baseline (source a1b2... -> c3d4...)` when the file that defines the
    case's cell hashed differently in the two runs (records without `cell_code` say nothing)."""
    before, after = base["cell_hash"], cur["cell_hash"]
    if not before or not after or before == after:
        return ""
    return f"cell code differs from the baseline (source {', '.join(sorted(before))} -> {', '.join(sorted(after))})"


def compare(
    baseline: Sequence[Document],
    current: Sequence[Document],
    thresholds: Thresholds = Thresholds(),
    alpha: float = significance.DEFAULT_ALPHA,
    allow_foreign: bool = False,
    only: Iterable[str] | None = None,
    quantile: float = 0.5,
    metric: str = "time",
) -> Comparison:
    """Compare result documents; `only` restricts to those case ids (e.g. one shard's)."""
    foreign = check_machines(
        [doc["env"] for doc in baseline], [doc["env"] for doc in current], allow_foreign
    )
    check_metric(metric, baseline, current)
    base, cur = case_samples(baseline), case_samples(current)
    ids = list(dict.fromkeys([*cur, *base]))
    if only is not None:
        wanted = set(only)
        ids = [case_id for case_id in ids if case_id in wanted]
    counted = (
        (counts_samples(baseline), counts_samples(current)) if metric == "instructions" else None
    )
    rows = []
    for case_id in ids:
        limit = thresholds.for_case(case_id)
        counts = (counted[0].get(case_id), counted[1].get(case_id)) if counted else None
        if case_id not in cur:  # measured on no machine now
            rows.append(
                compare_case(
                    case_id,
                    next(iter(base[case_id].values())),
                    None,
                    limit,
                    alpha,
                    quantile,
                    counts,
                )
            )
        for fingerprint, samples in cur.get(case_id, {}).items():
            match, why = baseline_for(base.get(case_id, {}), fingerprint, allow_foreign)
            row = compare_case(case_id, match, samples, limit, alpha, quantile, counts)
            rows.append(replace(row, machine=fingerprint, note=why or row.note))
    return Comparison(rows, foreign, metric, counted)


def check_metric(
    metric: str, baseline: Sequence[Document], current: Sequence[Document] | None
) -> None:
    """`instructions` needs counted runs on both sides (`pytest bench --counts`); None: not measured yet."""
    if metric not in METRICS:
        raise UserError(f"--metric: expected one of {', '.join(METRICS)}, got {metric!r}")
    if metric != "instructions":
        return
    for side, docs in (("baseline", baseline), ("current", current)):
        if docs is not None and not any(doc["env"].get("valgrind") for doc in docs):
            raise UserError(
                f"--metric instructions: the {side} has no instruction counts "
                "(run it with pytest bench --counts)"
            )


def confirm(
    comparison: Comparison,
    baseline: Sequence[Document],
    remeasure: Callable[[str, int], list[float]],
    thresholds: Thresholds = Thresholds(),
    alpha: float = significance.DEFAULT_ALPHA,
    quantile: float = 0.5,
    attempts: int = 1,
) -> Comparison:
    """Re-test each flagged case on fresh current times, `remeasure(case_id, attempt)`, up to `attempts` times.

    Each fresh measurement replaces the first one in its own re-test; a case stays a regression
    only if every re-test flags it too (a transient disturbance rarely hits every time), and the
    first re-test that clears it ends its re-measuring.
    """
    base = case_samples(baseline)
    rows = []
    for row in comparison.rows:
        for attempt in range(attempts if row.mark == "regression" else 0):
            times = remeasure(row.id, attempt)
            if not times:
                row = replace(row, mark="failed", note="re-measure failed")
                break
            match, _ = baseline_for(base[row.id], row.machine, bool(comparison.foreign))
            assert match is not None  # a regression was compared with a baseline
            fresh: Samples = {
                "status": "ok",
                TIMES: times,
                "runs": [times],
                "reason": "",
                "code_hash": match["code_hash"],
                "cell_hash": match["cell_hash"],
            }
            new = compare_case(row.id, match, fresh, thresholds.for_case(row.id), alpha, quantile)
            verdict = "confirmed" if new.mark == "regression" else "cleared"
            row = replace(new, machine=row.machine, note=f"re-measured {attempt + 1}x ({verdict})")
            if new.mark != "regression":
                break
        rows.append(row)
    return Comparison(rows, comparison.foreign, comparison.metric, comparison.counts)
