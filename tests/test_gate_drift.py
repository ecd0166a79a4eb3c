"""Between-run drift: with 3+ baseline runs the gate tests the current run against the runs' spread."""

import numpy as np
import pytest
from gate_docs import CASE_IDS, document, record, run_doc, times

from rnnbench.gate import significance
from rnnbench.gate.compare import compare
from rnnbench.gate.table import render


def drifting_runs(shifts: list[float]) -> list[dict]:
    """One run per shift: every case's times scaled by 1 + shift (between-run drift), same noise within."""
    return [
        run_doc(scale=1 + shift, seed=10 * n, run_id=f"run{n}") for n, shift in enumerate(shifts)
    ]


def test_drift_t_test_flags_a_shift_well_outside_the_runs_spread() -> None:
    verdict = significance.assess_drift([1.00, 1.01, 0.99, 1.02, 0.98], 1.30, threshold=0.05)
    assert verdict.method == significance.DRIFT_T and verdict.runs == 5
    assert verdict.mark == "regression" and verdict.p_value < 0.01 and verdict.ci_low > 1


def test_drift_within_the_runs_spread_is_no_change() -> None:
    verdict = significance.assess_drift([1.00, 1.08, 0.93, 1.05, 0.95], 1.09, threshold=0.05)
    assert verdict.p_value > 0.01 and verdict.mark == "no change"


def test_thirty_runs_use_a_z_score() -> None:
    values = list(np.random.default_rng(0).lognormal(0, 0.02, 30))
    assert significance.assess_drift(values, 1.0, 0.05).method == significance.DRIFT_Z


def test_fewer_than_three_runs_are_refused_by_the_drift_test() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        significance.assess_drift([1.0, 1.1], 1.0, 0.05)


def test_run_drift_that_fools_pooled_rounds_does_not_fool_the_run_test() -> None:
    """Each run is tight inside (5% lognormal rounds) but runs drift by up to 8%: a run 7% slower than the
    baseline's mean is flagged by a single-run baseline, and passes against five drifting runs."""
    baseline = drifting_runs([0.0, 0.08, -0.04, 0.05, -0.06])
    current = [run_doc(scale=1.07, seed=99, run_id="now")]
    single = compare(baseline[:1], current)
    assert {row.mark for row in single.rows} == {"regression"}
    assert "ignores drift between runs" in render(single) and single.rows[0].note == ""
    drift = compare(baseline, current)
    assert {row.mark for row in drift.rows} == {"no change"}
    assert {row.verdict.method for row in drift.rows} == {significance.DRIFT_T}
    assert "drift-t (5 runs)" in render(drift)


def test_a_large_slowdown_is_flagged_against_drifting_runs() -> None:
    baseline = drifting_runs([0.0, 0.02, -0.01, 0.015, -0.02])
    result = compare(baseline, [run_doc(scale=1.25, seed=99, run_id="now")])
    assert {row.mark for row in result.rows} == {"regression"}


def test_a_case_present_in_few_runs_falls_back_to_pooled_rounds_with_the_note() -> None:
    baseline = drifting_runs([0.0, 0.01, -0.01])
    baseline[1] = document([record(i, times(seed=5)) for i in CASE_IDS[1:]], run_id="partial")
    baseline[2] = document([record(i, times(seed=6)) for i in CASE_IDS[1:]], run_id="partial2")
    result = compare(baseline, [run_doc(seed=99, run_id="now")])
    methods = {row.id: (row.verdict.method, row.verdict.runs) for row in result.rows}
    assert methods[CASE_IDS[0]] == (significance.ROUNDS, 1)
    assert methods[CASE_IDS[1]] == (significance.DRIFT_T, 3)
    assert result.drift_note().startswith("note: 1 case(s) had fewer than 3 baseline runs")
