"""The two-stage test on known distributions: significant AND beyond the threshold."""

import numpy as np
import pytest
from gate_docs import times

from rnnbench.errors import UserError
from rnnbench.gate.significance import assess, check_quantile, parse_threshold


def test_clear_20_percent_shift_is_a_regression() -> None:
    verdict = assess(times(seed=1), times(1.2e-3, seed=2), threshold=0.05)
    assert verdict.mark == "regression"
    assert verdict.ci_low > 1.1 and verdict.ci_high < 1.3
    assert verdict.p_value < 1e-6


def test_identical_samples_are_no_change() -> None:
    sample = times(seed=3)
    verdict = assess(sample, list(reversed(sample)), threshold=0.05)
    assert verdict.mark == "no change"
    assert verdict.p_value == 1.0 and verdict.ratio == 1.0


@pytest.mark.parametrize("seed", range(10))
def test_two_percent_shift_under_five_percent_threshold_is_not_flagged(seed: int) -> None:
    # 400 rounds at 5% spread make the 2% shift itself highly significant: only the size stage saves it
    verdict = assess(
        times(rounds=400, seed=seed), times(1.02e-3, rounds=400, seed=100 + seed), threshold=0.05
    )
    assert verdict.significant
    assert verdict.mark == "no change"


def test_real_ten_percent_shift_is_flagged_under_five_percent_threshold() -> None:
    flagged = [assess(times(seed=s), times(1.1e-3, seed=50 + s), 0.05).mark for s in range(20)]
    assert flagged.count("regression") >= 19


def test_speedup_is_an_improvement() -> None:
    assert assess(times(seed=4), times(0.8e-3, seed=5), 0.05).mark == "improvement"


def test_no_change_on_same_distribution_is_rarely_flagged() -> None:
    marks = [assess(times(seed=s), times(seed=1000 + s), 0.05).mark for s in range(50)]
    assert marks.count("no change") == 50


def test_interval_is_deterministic_and_brackets_ratio() -> None:
    first = assess(times(seed=6), times(1.05e-3, seed=7), 0.05)
    second = assess(times(seed=6), times(1.05e-3, seed=7), 0.05)
    assert first == second
    assert first.ci_low <= first.ratio <= first.ci_high


def test_constant_samples_do_not_crash() -> None:
    verdict = assess([1.0] * 5, [2.0] * 5, 0.05)
    assert (verdict.ci_low, verdict.ci_high) == (2.0, 2.0)
    assert verdict.mark == "regression"


def test_empty_sample_is_refused() -> None:
    with pytest.raises(ValueError):
        assess([], [1.0], 0.05)


@pytest.mark.parametrize(("text", "value"), [("5%", 0.05), ("0.05", 0.05), ("12.5%", 0.125)])
def test_parse_threshold(text: str, value: float) -> None:
    assert parse_threshold(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["5", "abc", "-3%", "0%", ""])
def test_bad_threshold_is_a_user_error(text: str) -> None:
    with pytest.raises(UserError, match="--threshold"):
        parse_threshold(text)


def contended(sample: list[float], fraction: float, extra: float, seed: int) -> list[float]:
    """Like a shared machine: a random `fraction` of rounds get `extra` relative time added."""
    rng = np.random.default_rng(seed)
    return [
        t * (1 + extra) if hit else t for t, hit in zip(sample, rng.random(len(sample)) < fraction)
    ]


def test_low_quantile_ignores_contention_that_moves_the_median() -> None:
    base, cur = times(rounds=200, seed=11), contended(times(rounds=200, seed=12), 0.6, 0.5, seed=13)
    assert assess(base, cur, 0.05).mark == "regression"
    verdict = assess(base, cur, 0.05, quantile=0.1)
    assert verdict.mark == "no change" and verdict.quantile == 0.1


def test_low_quantile_still_sees_a_real_ten_percent_shift() -> None:
    marks = [
        assess(
            times(rounds=200, seed=s), times(1.1e-3, rounds=200, seed=60 + s), 0.05, quantile=0.1
        ).mark
        for s in range(20)
    ]
    assert marks.count("regression") >= 19


@pytest.mark.parametrize("quantile", [-0.1, 1.5])
def test_bad_quantile_is_a_user_error(quantile: float) -> None:
    with pytest.raises(UserError, match="--quantile"):
        check_quantile(quantile)
