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

Paced: where both sides' records of a case carry the machine-pace probe (rnnbench.measurement.pace;
the same probe, under the same torch), each round is divided by the probe timed just before it, and
the verdict (test, ratio, spread) is made on those paced rounds: the host's speed, which moves both a
round and its probe, cancels; the code's, which moves only the round, does not.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from scipy import stats

from rnnbench.gate import compare, significance
from rnnbench.results.schema import Document, LoadedDocument

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


Paced = dict[tuple[str, str], tuple[str, list[float]]]


def paced_rounds(documents: Sequence[Document | LoadedDocument]) -> Paced:
    """Per (case id, machine fingerprint): (probe id and torch version, every ok round's time over its
    probe's), pooled over the records that carry a whole, positive pace."""
    paced: Paced = {}
    for doc in documents:
        for record in doc["records"]:
            pace, times = record.get("pace"), record["times_s"]
            if record["status"] != "ok" or not pace or len(pace["times_s"]) != len(times):
                continue
            probes = np.asarray(pace["times_s"], dtype=float)
            if not (np.isfinite(probes).all() and (probes > 0).all()):
                continue
            key = (record["id"], str(doc["env"].get("fingerprint") or ""))
            probe = f"{pace['probe']} torch {doc['env'].get('torch')}"
            known, values = paced.setdefault(key, (probe, []))
            if known == probe:
                values.extend((np.asarray(times) / probes).tolist())
    return paced


def pace_verdict(
    verdict: significance.ChangeVerdict, base: list[float], cur: list[float]
) -> significance.ChangeVerdict:
    """The verdict of the paced rounds (test, ratio, CI), keeping the raw times' statistics."""
    paced = significance.assess(base, cur, verdict.threshold, verdict.alpha, verdict.quantile)
    return replace(
        verdict,
        ratio=paced.ratio,
        ci_low=paced.ci_low,
        ci_high=paced.ci_high,
        p_value=paced.p_value,
    )


def resolvable(log_ratio_sd: float, critical: float) -> float:
    """The smallest relative change distinguishable from drift: exp(critical x sd) - 1."""
    return math.expm1(critical * log_ratio_sd)


def judge(
    comparison: compare.Comparison,
    alpha: float,
    quantile: float,
    history: Sequence[Document] | None = None,
    paced: tuple[Paced, Paced] | None = None,
) -> compare.Comparison:
    """Hold every one-run-per-side time verdict to the change its data can resolve (see the module);
    `paced`: both sides' `paced_rounds`, whose verdicts replace the raw ones where both sides have them."""
    single = [
        paced_row(row, paced)
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


def paced_row(row: compare.Row, paced: tuple[Paced, Paced] | None) -> compare.Row:
    """The row decided on paced rounds when both sides have them under the same probe, else as it is."""
    key = (row.id, row.machine or "")
    if paced is None or row.verdict is None or key not in paced[0] or key not in paced[1]:
        return row
    (base_probe, base), (cur_probe, cur) = paced[0][key], paced[1][key]
    if base_probe != cur_probe:
        return replace(
            row, note="; ".join(filter(None, [row.note, "not paced: probe or torch differs"]))
        )
    verdict = pace_verdict(row.verdict, base, cur)
    note = f"paced (raw ratio {row.verdict.ratio:.3f})"
    return replace(
        row, mark=verdict.mark, verdict=verdict, note="; ".join(filter(None, [row.note, note]))
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
