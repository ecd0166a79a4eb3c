"""Plain `rnnbench compare` of one run per side: only changes larger than drift between runs count.

Within-run rounds say nothing about drift between runs, so a Mann-Whitney U verdict on one run per
side flags drift as regressions (on this VM two back-to-back runs of unchanged code differed by
up to 1.19x). Here each such verdict (method `rounds`) is held to the smallest change the data can
tell from drift, on the log-ratio scale, where a single run of each side drifts independently:
  * with a history of this machine (`--drift-from DB`, 3+ runs of the case): the sd s of those runs'
    log statistics; the difference of two single runs has sd s*sqrt(2); the critical value is
    Student's t with k-1 degrees of freedom at `alpha` (two-sided);
  * else from the two runs themselves: the spread of every compared case's log-ratio (1.4826 x MAD,
    robust to the few cases that really changed) is the drift of one case's ratio; the critical
    value is normal at alpha / (number of cases), as any one of them may raise the alarm.
A change beyond the threshold but within that resolvable change is `inconclusive` (it does not fail
the gate); one beyond both, and significant, stays a regression. With fewer than 3 cases and no
history nothing can be resolved, and every change beyond the threshold is inconclusive.

Paced: where both sides' records of a case carry the machine-pace probe, the verdict (test, ratio,
CI) and the cases' spread are those of the paced rounds (rnnbench.gate.paced).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from scipy import stats

from rnnbench.gate import compare, paced, significance
from rnnbench.results.schema import Document

INCONCLUSIVE = "inconclusive"
MIN_CASES = 3  # fewer compared cases cannot estimate the spread of their ratios
MAD_TO_SD = 1.4826  # sd of a normal distribution per unit of median absolute deviation


def history_spread(documents: Sequence[Document], quantile: float) -> dict[str, tuple[float, int]]:
    """Per case: (sd of the log run statistic, runs) over the history's runs of this machine (3+ runs)."""
    spreads = {}
    for case_id, machines in compare.case_samples(documents).items():
        for samples in machines.values():
            values = [float(np.quantile(times, quantile)) for times in samples["runs"] if times]
            if len(values) >= significance.MIN_DRIFT_RUNS:
                spreads[case_id] = (float(np.log(values).std(ddof=1)), len(values))
    return spreads


def resolvable(log_ratio_sd: float, critical: float) -> float:
    """The smallest relative change distinguishable from drift: exp(critical x sd) - 1."""
    return math.expm1(critical * log_ratio_sd)


def judge(
    comparison: compare.Comparison,
    alpha: float,
    quantile: float,
    history: Sequence[Document] | None = None,
    pace: tuple[paced.Paced, paced.Paced] | None = None,
) -> compare.Comparison:
    """Hold every one-run-per-side time verdict to the change its data can resolve (see the module);
    `pace`: both sides' `paced.rounds`, whose verdicts replace the raw ones where both sides have them."""
    single = [
        paced.row(row, pace)
        for row in comparison.rows
        if row.verdict is not None and row.verdict.method == significance.ROUNDS
    ]
    if not single:
        return comparison
    spreads = history_spread(history, quantile) if history else {}
    logs = np.log([row.verdict.ratio for row in single if row.verdict])
    cross = (
        MAD_TO_SD * float(stats.median_abs_deviation(logs))
        if len(single) >= MIN_CASES
        else math.nan
    )
    cross_critical = float(stats.norm.ppf(1 - alpha / (2 * len(single))))
    judged = {}
    for row in single:
        assert row.verdict is not None
        if row.id in spreads:
            sd, runs = spreads[row.id]
            limit = resolvable(sd * math.sqrt(2), float(stats.t.ppf(1 - alpha / 2, runs - 1)))
            source = f"history: {runs} runs"
        else:
            limit = resolvable(cross, cross_critical) if not math.isnan(cross) else math.inf
            source = (
                f"spread of {len(single)} cases' ratios"
                if not math.isnan(cross)
                else "no history, too few cases"
            )
        verdict = replace(row.verdict, method=significance.SINGLE)
        beyond = max(row.verdict.ratio, 1 / row.verdict.ratio) - 1 > limit
        mark = row.mark if beyond or row.mark == "no change" else INCONCLUSIVE
        note = (
            f"resolvable change {limit:.0%} ({source})"
            if math.isfinite(limit)
            else f"resolvable change unknown ({source})"
        )
        judged[(row.id, row.machine)] = replace(
            row, mark=mark, verdict=verdict, note="; ".join(filter(None, [row.note, note]))
        )
    return replace(
        comparison, rows=[judged.get((row.id, row.machine), row) for row in comparison.rows]
    )


def note(comparison: compare.Comparison) -> str:
    """A line for people when some changes were inconclusive, else ''."""
    count = sum(row.mark == INCONCLUSIVE for row in comparison.rows)
    if not count:
        return ""
    return (
        f"inconclusive: {count} case(s) changed beyond the threshold but by less than one run per side can tell "
        "from drift between runs; for a verdict run `rnnbench ab BASE HEAD` (both versions in alternation), "
        "or give the machine's history (--drift-from DB)"
    )
