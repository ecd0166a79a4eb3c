"""Matching cases, marks, machine refusal, thresholds and re-measuring (rnnbench.gate.compare)."""

from collections import Counter

import pytest
from gate_docs import CASE_IDS, document, machine, record, run_doc, times

from rnnbench.errors import UserError
from rnnbench.gate.compare import Thresholds, compare, confirm
from rnnbench.gate.table import render


def marks(comparison) -> dict[str, str]:
    return {row.id: row.mark for row in comparison.rows}


def test_same_distribution_passes() -> None:
    result = compare([run_doc(seed=0)], [run_doc(seed=10)])
    assert set(marks(result).values()) == {"no change"}
    assert result.failing() == []


def test_slower_run_is_flagged_and_fails() -> None:
    result = compare([run_doc()], [run_doc(scale=1.2, seed=10)])
    assert set(marks(result).values()) == {"regression"}
    assert len(result.failing()) == len(CASE_IDS)


def test_missing_failed_new_and_skipped_cases() -> None:
    base = document(
        [
            record("a", times()),
            record("b", times()),
            record("c", times()),
            record("s", None, "skipped"),
        ]
    )
    cur = document(
        [
            record("a", times(seed=3)),
            record("c", None, "failed"),
            record("n", times()),
            record("s", None, "skipped"),
        ]
    )
    result = compare([base], [cur])
    assert marks(result) == {
        "a": "no change",
        "c": "failed",
        "n": "new",
        "s": "skipped",
        "b": "missing",
    }
    assert {row.id for row in result.failing()} == {"b", "c"}
    assert result.failing(allow_missing=True) == []


def test_skipped_now_but_measured_before_is_missing() -> None:
    result = compare([document([record("a", times())])], [document([record("a", None, "skipped")])])
    assert marks(result) == {"a": "missing"}


def test_only_restricts_to_selected_ids() -> None:
    result = compare([run_doc()], [run_doc(ids=CASE_IDS[:1])], only=CASE_IDS[:1])
    assert marks(result) == {CASE_IDS[0]: "no change"}


def test_foreign_machine_is_refused_naming_the_field() -> None:
    other = run_doc(env=machine(cpu_model="Other CPU", threads=4))
    with pytest.raises(
        UserError, match=r"cpu_model: 'Test CPU' != 'Other CPU'.*threads: 2 != 4.*--allow-foreign"
    ):
        compare([run_doc()], [other])


def test_allow_foreign_compares_and_says_so_loudly() -> None:
    result = compare([run_doc()], [run_doc(env=machine(torch="2.14.0"))], allow_foreign=True)
    assert result.foreign == ["torch: '2.13.0' != '2.14.0'"]
    text = render(result)
    assert text.startswith("!!!") and text.count("FOREIGN COMPARISON") == 2 and "torch" in text


def test_same_machine_other_commit_is_not_foreign() -> None:
    assert compare([run_doc()], [run_doc(env=machine(commit="def"))]).foreign == []


def test_pooled_baseline_runs() -> None:
    baseline = [run_doc(seed=s, run_id=f"r{s}") for s in (0, 20, 40)]
    result = compare(baseline, [run_doc(scale=1.1, seed=60)])
    row = result.rows[0]
    assert row.mark == "regression" and 1.05 < row.verdict.ratio < 1.15


def test_per_case_threshold_override() -> None:
    thresholds = Thresholds.parse("5%", ["gru-*=30%"])
    assert thresholds.for_case("gru-b-forward") == pytest.approx(0.30)
    assert thresholds.for_case("lstm-a-forward") == pytest.approx(0.05)
    result = compare([run_doc()], [run_doc(scale=1.2, seed=10)], thresholds)
    assert marks(result)["gru-b-forward"] == "no change"
    assert marks(result)["lstm-a-forward"] == "regression"


@pytest.mark.parametrize("item", ["gru-*", "=5%", "gru-*=lots"])
def test_bad_threshold_override_is_a_user_error(item: str) -> None:
    with pytest.raises(UserError, match="--threshold-for"):
        Thresholds.parse("5%", [item])


def test_confirm_clears_a_transient_and_keeps_a_real_regression() -> None:
    base = [run_doc()]
    first = compare(base, [run_doc(scale=1.3, seed=10)])
    asked: list[str] = []

    def steady(case_id: str, attempt: int) -> list[float]:
        asked.append(case_id)
        return times(1e-3 if case_id.startswith("gru") else 1.3e-3, seed=77 + attempt)

    result = confirm(first, base, steady, attempts=3)
    assert Counter(asked) == {"gru-b-forward": 1, "lstm-a-forward": 3, "lstm-c-backward": 3}
    assert marks(result)["gru-b-forward"] == "no change"
    assert marks(result)["lstm-a-forward"] == "regression"
    notes = {row.id: row.note for row in result.rows}
    assert notes["gru-b-forward"] == "re-measured 1x (cleared)"
    assert notes["lstm-a-forward"] == "re-measured 3x (confirmed)"


def test_confirm_needs_every_attempt_to_flag() -> None:
    base = [run_doc(ids=CASE_IDS[:1])]
    first = compare(base, [run_doc(scale=1.3, seed=10, ids=CASE_IDS[:1])])
    burst_then_quiet = {0: 1.3e-3, 1: 1e-3}
    result = confirm(
        first, base, lambda case_id, attempt: times(burst_then_quiet[attempt], seed=5), attempts=2
    )
    assert marks(result) == {CASE_IDS[0]: "no change"}


def test_confirm_failed_remeasure_fails() -> None:
    base = [run_doc()]
    result = confirm(
        compare(base, [run_doc(scale=1.3, seed=10)]), base, lambda case_id, attempt: []
    )
    assert set(marks(result).values()) == {"failed"}
