"""The accuracy table, its claim row, the cell-state row and the learning-curve plots, from records."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from matplotlib.figure import Figure

from rnnbench.cases.case import Case
from rnnbench.reports import accuracy, learning, state_claim
from rnnbench.reports.build import build
from rnnbench.results import store
from tests.conftest import tiny_case

CASE = tiny_case(
    model="classifier", cell="gru", seq_len=20, hidden_size=8, phase="train_quality", task="recall"
)


def record(
    case: Case, finals: list[float], metric: str = "accuracy", **extra: Any
) -> dict[str, Any]:
    """A quality record as the runner writes it, with made-up curves ending at `finals`."""
    curves = [
        {"step": [0, 50, 100], "seconds": [0.0, 0.5, 1.0 + i], "value": [0.25, f, f]}
        for i, f in enumerate(finals)
    ]
    mean = sum(finals) / len(finals)
    std = float(pd.Series(finals).std())
    measures = {
        "task": case.task,
        "metric": metric,
        "baseline": 0.25 if metric == "accuracy" else 1 / 6,
        "target": 0.95 if metric == "accuracy" else 0.01,
        "seeds": len(finals),
        "metric_values": finals,
        "metric_mean": mean,
        "metric_std": std,
        "reached_target": 1,
        "steps_to_target": 50.0,
        "time_to_target_s": 0.5,
        "params": 100,
        "trained_hidden_size": case.hidden_size,
        "curves": curves,
        **extra,
    }
    times = [c["seconds"][-1] for c in curves]
    stats = {
        "median": 1.0,
        "mean": 1.0,
        "stdev": 0.0,
        "min": 1.0,
        "max": 1.0,
        "q1": 1.0,
        "q3": 1.0,
        "iqr": 0.0,
        "rounds": 2,
    }
    return {
        "id": case.id,
        "case": case.to_dict(),
        "status": "ok",
        "reason": None,
        "times_s": times,
        "stats": stats,
        "noisy": False,
        "measures": measures,
    }


def frame(*records: dict[str, Any]) -> pd.DataFrame:
    doc = {
        "run": {"id": "r1", "suite": "quality"},
        "env": {"fingerprint": "f", "cpu_model": "test CPU"},
        "records": list(records),
    }
    return store.to_frame([doc])


LSTM = dataclasses.replace(CASE, cell="lstm")
LSTM_FB1 = dataclasses.replace(LSTM, forget_bias=1.0)


def test_the_table_has_one_row_per_configuration_with_mean_and_spread() -> None:
    table = accuracy.accuracy_summary(
        frame(record(CASE, [1.0, 1.0]), record(LSTM, [0.25, 0.3]), record(LSTM_FB1, [1.0, 0.9]))
    )
    assert list(table["config"]) == ["LSTM", "LSTM fb=1", "GRU"]
    assert table.loc[0, "final"] == "0.275 ± 0.035" and table.loc[0, "reached_target"] == "1/2"


def test_records_from_before_tasks_read_as_recall_accuracy() -> None:
    old = record(dataclasses.replace(CASE, task=None), [0.5, 0.7])
    old["measures"] = {
        "accuracies": [0.5, 0.7],
        "accuracy_mean": 0.6,
        "accuracy_std": 0.14,
        "chance": 0.25,
        "target_accuracy": 0.95,
        "seeds": 2,
        "reached_target": 0,
        "params": 10,
    }
    table = accuracy.accuracy_summary(frame(old))
    assert table.loc[0, "task"] == "recall" and table.loc[0, "metric"] == "accuracy"
    assert table.loc[0, "final"] == "0.600 ± 0.140" and table.loc[0, "baseline"] == 0.25


def test_the_accuracy_claim_names_the_test_the_spread_and_where_it_fails() -> None:
    measured, verdict = accuracy.accuracy_row(
        frame(record(CASE, [1.0, 1.0]), record(LSTM, [0.25, 0.3]), record(LSTM_FB1, [1.0, 0.98]))
    )
    assert (
        "Welch" in measured
        and "LSTM 0.275 ± 0.035, LSTM fb=1 0.990 ± 0.014, GRU 1.000 ± 0.000" in measured
    )
    assert verdict.startswith(
        "depends: comparable on 1 of 2 pairs; not on recall T=20 GRU vs LSTM (skill +0.97, p="
    )
    pairs = accuracy.accuracy_pairs(frame(record(CASE, [1.0, 1.0]), record(LSTM, [0.25, 0.3])))
    assert pairs.loc[0, "p"] < 0.05 and pairs.loc[0, "difference"] == pytest.approx(
        1 - 0.025 / 0.75
    )
    assert (
        accuracy.accuracy_row(frame(record(CASE, [1.0, 1.0]), record(LSTM, [0.99, 1.0])))[1]
        == "confirmed"
    )
    assert accuracy.accuracy_row(frame())[1] == "not measured"


def test_mse_pairs_compare_on_the_skill_scale() -> None:
    adding = tiny_case(
        cell="gru", model="layer", input_size=2, phase="train_quality", task="adding"
    )
    pairs = accuracy.accuracy_pairs(
        frame(
            record(adding, [0.01, 0.01], "mse"),
            record(dataclasses.replace(adding, cell="lstm"), [1 / 6, 1 / 6], "mse"),
        )
    )
    assert pairs.loc[0, "difference"] == pytest.approx(0.94)


def test_the_cell_state_row_is_judged_from_the_module_outputs() -> None:
    timed = [
        {"cell": "lstm", "state_tensors": 2, "state_bytes_per_seq": 64},
        {"cell": "gru", "state_tensors": 1, "state_bytes_per_seq": 32},
    ]
    ok = pd.DataFrame(timed)
    ratio = pd.DataFrame({"ratio": [0.5]})
    measured, verdict = state_claim.state_row(ok, ratio)
    assert (
        verdict == "confirmed"
        and "LSTM 2 tensors (64 B per sequence)" in measured
        and "0.5×" in measured
    )
    assert state_claim.state_row(ok.assign(state_tensors=[1, 1]), ratio)[1] == "refuted"
    assert state_claim.state_row(ok.drop(columns="state_tensors"), ratio)[1] == "not measured"


def test_learning_curves_draw_bands_or_say_why_not() -> None:
    drawn = learning.learning_curves("seconds")(
        frame(record(CASE, [1.0, 1.0]), record(LSTM, [0.25, 0.3]))
    )
    assert (
        isinstance(drawn, Figure) and len(drawn.axes[0].lines) == 4
    )  # 2 configs + target + baseline
    assert isinstance(learning.learning_curves("step")(frame()), str)
    grid, _mean, low, high = learning.seed_band(
        record(CASE, [1.0, 0.5])["measures"]["curves"], "step"
    )
    assert (
        list(grid) == [0, 50, 100]
        and list(low) == [0.25, 0.5, 0.5]
        and list(high) == [0.25, 1.0, 1.0]
    )


def test_the_report_page_shows_the_accuracy_table_and_learning_curves(tmp_path: Path) -> None:
    results = store.ResultsFile(
        tmp_path / "r.json",
        {"id": "r1", "suite": "quality"},
        {"fingerprint": "f", "cpu_model": "test CPU"},
    )
    for quality in (record(CASE, [1.0, 1.0]), record(LSTM, [0.25, 0.3])):
        results.add(quality)
    page = build([tmp_path / "r.json"], tmp_path / "report", progress=False)
    text = page.read_text()
    assert "Accuracy: trained LSTM vs GRU" in text and "0.275 ± 0.035" in text
    assert (tmp_path / "report" / "plots" / "learning-curves-seconds.png").is_file()
    assert (tmp_path / "report" / "tables" / "accuracy.csv").read_text().count("\n") == 3
