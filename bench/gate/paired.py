"""The A/B verdict: a paired test on per-pair log-ratios of runs made seconds apart.

Each pair is one run of a case on each side, back to back (rnnbench.ab.ab). Drift between runs
(other processes, frequency, cache) moves both runs of a pair alike, so it cancels in the pair's
log-ratio log(head / base); what is left is the code's effect plus noise that the pairs measure
themselves. Stage 1: a one-sample t-test of the mean log-ratio against 0 (scipy; log-ratios of
run statistics are close to normal and symmetric, and with ~10 pairs a t-test has more power than
a signed-rank test). Stage 2, as everywhere in the gate: the ratio exp(mean log-ratio) must clear
the threshold. The 95% CI of that ratio is a seeded percentile bootstrap of the mean log-ratio.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from rnnbench.gate import significance

MIN_PAIRS = 3  # fewer pairs cannot estimate the spread of their ratios


def assess_pairs(
    base: Any,
    head: Any,
    threshold: float,
    alpha: float = significance.DEFAULT_ALPHA,
    quantile: float = 0.5,
) -> significance.ChangeVerdict:
    """Test one case's paired run statistics (seconds or counts, `base[i]` beside `head[i]`)."""
    a, b = np.asarray(base, dtype=float), np.asarray(head, dtype=float)
    if a.size != b.size or a.size < MIN_PAIRS:
        raise ValueError(f"need {MIN_PAIRS}+ pairs of equal length, got {a.size} and {b.size}")
    logs = np.log(b) - np.log(a)
    mean = float(logs.mean())
    if np.ptp(logs) == 0:  # every pair agrees exactly: nothing to resample, the test is degenerate
        p_value, low, high = (1.0 if mean == 0 else 0.0), mean, mean
    else:
        p_value = float(stats.ttest_1samp(logs, 0.0).pvalue)
        interval = stats.bootstrap(
            (logs,),
            np.mean,
            n_resamples=significance.RESAMPLES,
            method="percentile",
            confidence_level=significance.CONFIDENCE,
            rng=np.random.default_rng(significance.SEED),
        ).confidence_interval
        low, high = float(interval.low), float(interval.high)
    return significance.ChangeVerdict(
        baseline=float(np.exp(np.log(a).mean())),
        current=float(np.exp(np.log(b).mean())),
        ratio=float(np.exp(mean)),
        ci_low=float(np.exp(low)),
        ci_high=float(np.exp(high)),
        p_value=p_value,
        threshold=threshold,
        alpha=alpha,
        quantile=quantile,
        method=significance.PAIRED,
        runs=int(a.size),
    )
