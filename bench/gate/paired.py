"""The A/B verdict: a paired test on per-pair log-ratios of turns made milliseconds apart.

Each pair is one short turn of a case on each side, back to back (rnnbench.ab.alternate). Drift
(other processes, frequency, a neighbour on the host) moves both turns of a pair alike, so it cancels
in the pair's log-ratio log(head / base); what is left is the code's effect plus noise that the pairs
measure themselves. That noise is heavy-tailed: now and then the machine's speed jumps between a
pair's two turns, and that pair's ratio is off by tens of percent either way (the order of the sides
flips every pair, so such jumps are symmetric). Hence rank statistics, which one wild pair cannot
move: stage 1 is the Wilcoxon signed-rank test of the log-ratios against 0 (scipy), and the ratio is
exp(median log-ratio), with a seeded percentile bootstrap 95% CI. Stage 2, as everywhere in the gate:
that ratio must clear the threshold.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from rnnbench.gate import significance

MIN_PAIRS = 6  # the fewest pairs whose signed-rank test can reach p < 0.05 (2 / 2**6)


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
    middle = float(np.median(logs))
    if np.ptp(logs) == 0:  # every pair agrees exactly: nothing to resample, the test is degenerate
        p_value, low, high = (1.0 if middle == 0 else 0.0), middle, middle
    else:
        p_value = float(stats.wilcoxon(logs).pvalue)
        interval = stats.bootstrap(
            (logs,),
            np.median,
            n_resamples=significance.RESAMPLES,
            method="percentile",
            confidence_level=significance.CONFIDENCE,
            rng=np.random.default_rng(significance.SEED),
        ).confidence_interval
        low, high = float(interval.low), float(interval.high)
    return significance.ChangeVerdict(
        baseline=float(np.median(a)),
        current=float(np.median(b)),
        ratio=float(np.exp(middle)),
        ci_low=float(np.exp(low)),
        ci_high=float(np.exp(high)),
        p_value=p_value,
        threshold=threshold,
        alpha=alpha,
        quantile=quantile,
        method=significance.PAIRED,
        runs=int(a.size),
    )
