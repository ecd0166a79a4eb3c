"""The two-stage regression test on raw round times: is the change real, and is it big enough?

Stage 1, significance: Mann-Whitney U (scipy) on the baseline's and the current raw round
times, two-sided, at `alpha` (default 0.01). It makes no normality assumption, which matters
for timings (right-skewed, with outliers from other processes).

Stage 2, size: the *point* ratio of medians (current / baseline) must lie beyond the threshold:
above `1 + threshold` for a regression, below `1 / (1 + threshold)` for an improvement (the same
distance in log space). A bootstrap 95% confidence interval of that ratio (scipy.stats.bootstrap,
percentile method, seeded, so the same inputs always give the same answer) is reported beside it.
`quantile` swaps the median for another quantile of the round times: on a shared machine other
processes only ever *add* time, so a low quantile (0.1) tracks the uncontended cost far more
stably than the median (see the README's gate section for the measured difference).

Why the point ratio and not the CI bound: the CI only measures noise *within* a run. Requiring
its lower bound to clear the threshold spends the interval's half-width out of the margin, so a
real 10% slowdown under a 5% threshold is missed whenever the interval is wider than +-5%, while
the CI still says nothing about drift *between* runs (the real source of false alarms on a shared
machine). The threshold is the guard against drift; the test (at a strict alpha) is the guard
against chance: a 2% shift under a 5% threshold needs >3% of drift on top to be flagged, and the
gate's re-measure step (rnnbench.gate.compare.confirm) re-tests flagged cases on fresh samples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from rnnbench.errors import UserError

DEFAULT_ALPHA = 0.01
ROUNDS, DRIFT_T, DRIFT_Z, COUNTS = "rounds", "drift-t", "drift-z", "counts"
PAIRED, SINGLE = "paired", "single-run"
METHODS = {
    ROUNDS: "Mann-Whitney U on pooled round times (noise within runs only)",
    DRIFT_T: "Student t prediction test of the current run against the baseline's run statistics",
    DRIFT_Z: "z-score of the current run against the baseline's run statistics (30+ runs)",
    COUNTS: "instruction counts: the repeats' ranges do not overlap",
    PAIRED: "Wilcoxon signed-rank test on per-pair log-ratios of A/B turns made milliseconds apart (rnnbench ab)",
    SINGLE: "one run per side: changes below what these data resolve are inconclusive",
}
MIN_DRIFT_RUNS = 3  # fewer baseline runs cannot estimate drift between runs
Z_RUNS = 30  # from this many runs on, the t distribution is close enough to normal (Bencher's rule)
CONFIDENCE = 0.95
RESAMPLES = 1000
SEED = 0


def check_quantile(quantile: float, option: str = "--quantile") -> float:
    if not 0 <= quantile <= 1:
        raise UserError(f"{option}: must be between 0 and 1 (0.5 = median), got {quantile}")
    return quantile


def parse_threshold(text: str, what: str = "--threshold") -> float:
    """`5%` or `0.05` -> 0.05. A bare number >= 1 is ambiguous and refused."""
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise UserError(f"{what}: not a percentage: {text!r} (write e.g. 5% or 0.05)") from None
    if not raw.endswith("%") and value >= 1:
        raise UserError(f"{what}: ambiguous threshold {text!r} (write {raw}% or {value / 100:g})")
    if not 0 < value < math.inf:
        raise UserError(f"{what}: threshold must be a positive, finite number, got {text!r}")
    return value


@dataclass(frozen=True)
class ChangeVerdict:
    """The outcome of testing one case's current times against its baseline times."""

    baseline: float  # the `quantile` of the baseline's round times (seconds)
    current: float
    ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    threshold: float
    alpha: float
    quantile: float = 0.5
    method: str = ROUNDS  # which test decided `significant` (see METHODS)
    runs: int = 1  # baseline runs the test saw

    @property
    def significant(self) -> bool:
        if self.method == COUNTS:
            return self.ci_low > 1 or self.ci_high < 1
        return self.p_value < self.alpha

    @property
    def mark(self) -> str:
        """`regression`, `improvement` or `no change` (not significant, or within threshold)."""
        if self.significant and self.ratio > 1 + self.threshold:
            return "regression"
        if self.significant and self.ratio < 1 / (1 + self.threshold):
            return "improvement"
        return "no change"


def quantile_ratio(quantile: float) -> Any:
    """statistic(baseline, current) = quantile(current) / quantile(baseline), vectorized for bootstrap."""

    def ratio(baseline: np.ndarray, current: np.ndarray, axis: int = -1) -> Any:
        return np.quantile(current, quantile, axis=axis) / np.quantile(
            baseline, quantile, axis=axis
        )

    return ratio


def ratio_interval(
    baseline: np.ndarray, current: np.ndarray, quantile: float = 0.5
) -> tuple[float, float]:
    """Bootstrap CI of the quantile ratio, resampling each side independently."""
    statistic = quantile_ratio(quantile)
    if np.ptp(baseline) == 0 and np.ptp(current) == 0:
        ratio = float(statistic(baseline, current))
        return ratio, ratio  # nothing to resample: every resample gives the same ratio
    result = stats.bootstrap(
        (baseline, current),
        statistic,
        n_resamples=RESAMPLES,
        vectorized=True,
        confidence_level=CONFIDENCE,
        method="percentile",
        rng=np.random.default_rng(SEED),
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def rank_p_value(base: np.ndarray, cur: np.ndarray) -> float:
    """Two-sided Mann-Whitney U p-value of two samples of rounds."""
    if np.array_equal(np.sort(base), np.sort(cur)):
        return 1.0  # identical samples: scipy would warn about ties; the answer is known
    return float(stats.mannwhitneyu(base, cur, alternative="two-sided").pvalue)


def assess(
    baseline: Any,
    current: Any,
    threshold: float,
    alpha: float = DEFAULT_ALPHA,
    quantile: float = 0.5,
) -> ChangeVerdict:
    """Test raw round times (seconds) of one case: baseline against current."""
    base = np.asarray(baseline, dtype=float)
    cur = np.asarray(current, dtype=float)
    if base.size == 0 or cur.size == 0:
        raise ValueError("both samples need at least one round")
    p_value = rank_p_value(base, cur)
    low, high = ratio_interval(base, cur, quantile)
    return ChangeVerdict(
        baseline=float(np.quantile(base, quantile)),
        current=float(np.quantile(cur, quantile)),
        ratio=float(quantile_ratio(quantile)(base, cur)),
        ci_low=low,
        ci_high=high,
        p_value=p_value,
        threshold=threshold,
        alpha=alpha,
        quantile=quantile,
    )


def assess_drift(
    run_values: Any,
    current: float,
    threshold: float,
    alpha: float = DEFAULT_ALPHA,
    quantile: float = 0.5,
) -> ChangeVerdict:
    """Test one current run's statistic against the spread of the baseline runs' statistics.

    On log values (ratios are symmetric there): the current value is a new draw from the runs'
    distribution, so t = (log c - mean) / (sd * sqrt(1 + 1/k)) with k - 1 degrees of freedom (a
    prediction interval, as Bencher's t-test threshold); from `Z_RUNS` runs on, a z-score. The
    95% interval is that prediction interval carried onto the ratio current / geometric mean.
    """
    logs = np.log(np.asarray(run_values, dtype=float))
    k = logs.size
    if k < MIN_DRIFT_RUNS:
        raise ValueError(f"need at least {MIN_DRIFT_RUNS} baseline runs, got {k}")
    center, spread = float(logs.mean()), float(logs.std(ddof=1)) * float(np.sqrt(1 + 1 / k))
    method = DRIFT_Z if k >= Z_RUNS else DRIFT_T
    law = stats.norm if method == DRIFT_Z else stats.t(df=k - 1)
    diff = float(np.log(current)) - center
    p_value = (1.0 if diff == 0 else 0.0) if spread == 0 else float(2 * law.sf(abs(diff) / spread))
    half = float(law.ppf(0.5 + CONFIDENCE / 2)) * spread
    ratio = float(np.exp(diff))
    return ChangeVerdict(
        baseline=float(np.exp(center)),
        current=float(current),
        ratio=ratio,
        ci_low=ratio * float(np.exp(-half)),
        ci_high=ratio * float(np.exp(half)),
        p_value=p_value,
        threshold=threshold,
        alpha=alpha,
        quantile=quantile,
        method=method,
        runs=k,
    )


def assess_counts(baseline: Any, current: Any, threshold: float, runs: int = 1) -> ChangeVerdict:
    """Instruction counts per repeat: the change is real when the two ranges do not overlap.

    Counts repeat to ~0.2%, so no distribution is needed: the interval is [min cur / max base,
    max cur / min base] (every ratio the repeats allow), and the medians' ratio must clear the threshold.
    """
    base = np.asarray(baseline, dtype=float)
    cur = np.asarray(current, dtype=float)
    if base.size == 0 or cur.size == 0:
        raise ValueError("both sides need at least one count")
    low, high = float(cur.min() / base.max()), float(cur.max() / base.min())
    p_value = float("nan")  # no test statistic: the ranges decide
    return ChangeVerdict(
        baseline=float(np.median(base)),
        current=float(np.median(cur)),
        ratio=float(np.median(cur) / np.median(base)),
        ci_low=low,
        ci_high=high,
        p_value=p_value,
        threshold=threshold,
        alpha=float("nan"),
        method=COUNTS,
        runs=runs,
    )
