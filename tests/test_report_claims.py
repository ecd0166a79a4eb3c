"""The claim-vs-measured logic on hand-built records: verdicts, where they flip, 'not measured'."""

from __future__ import annotations

import pandas as pd
from report_data import frame_of

from rnnbench.reports.claims import claims
from rnnbench.reports.inputs import Inputs


def verdicts(rows: list[dict]) -> dict[str, str]:
    table = claims(frame_of(rows))
    return dict(zip(table["aspect"], table["verdict"]))


def measured(rows: list[dict]) -> dict[str, str]:
    table = claims(frame_of(rows))
    return dict(zip(table["aspect"], table["measured"]))


def test_gru_faster_on_one_device_and_slower_on_another_depends_on_the_device() -> None:
    rows = [
        {"cell": "lstm", "device_label": "cpu", "median_s": 2.0},
        {"cell": "gru", "device_label": "cpu", "median_s": 1.0},
        {"cell": "lstm", "device_label": "cuda-cudnn", "median_s": 1.0},
        {"cell": "gru", "device_label": "cuda-cudnn", "median_s": 1.5},
    ]
    verdict = verdicts(rows)["training speed"]
    assert verdict.startswith("depends")
    assert (
        "GRU faster at device_label = cpu" in verdict
        and "not faster at device_label = cuda-cudnn" in verdict
    )
    assert (
        measured(rows)["training speed"]
        == "GRU forward+backward time = 0.5–1.5× LSTM's (median 1×, 2 shapes)"
    )


def test_flip_named_by_a_shape_axis() -> None:
    rows = [
        row
        for hidden, gru_time in ((4, 0.5), (8, 0.6), (16, 2.0))
        for row in (
            {"cell": "lstm", "hidden_size": hidden},
            {"cell": "gru", "hidden_size": hidden, "median_s": gru_time},
        )
    ]
    assert verdicts(rows)["training speed"] == (
        "depends: GRU faster at hidden_size = 4, 8; GRU not faster at hidden_size = 16"
    )


def test_confirmed_refuted_and_ties() -> None:
    rows = [{"cell": "lstm", "batch": b} for b in (1, 2)] + [
        {"cell": "gru", "batch": 1, "median_s": 1.2, "saved_bytes": 50},
        {
            "cell": "gru",
            "batch": 2,
            "median_s": 0.97,
            "saved_bytes": 60,
        },  # within 5%: a tie, not a win
    ]
    result = verdicts(rows)
    assert result["training speed"] == "refuted"
    assert result["memory usage"] == "confirmed"
    assert result["parameters"] == "confirmed"
    assert measured(rows)["parameters"] == "GRU params = 0.75× LSTM's (on every shape, 2 shapes)"


def test_gates_are_solved_from_parameter_counts() -> None:
    rows = [{"cell": cell, "hidden_size": 8, "input_size": 3} for cell in ("lstm", "gru")]
    assert verdicts(rows)["gates"] == "confirmed"
    assert "LSTM 3, GRU 2" in measured(rows)["gates"]
    wrong = frame_of(rows)
    wrong.loc[wrong["cell"] == "gru", "params"] *= 2  # 6 blocks: not a GRU's layout
    table = claims(wrong).set_index("aspect")
    assert table.loc["gates", "verdict"] == "refuted" and "GRU 5" in table.loc["gates", "measured"]


def test_rows_without_data_say_not_measured() -> None:
    result = verdicts([{"cell": "lstm"}, {"cell": "gru"}])  # forward_backward only, no inference
    assert result["inference speed"] == "not measured"
    assert result["accuracy"] == "not measured"
    assert result["cell state"] == "not measured"
    only_lstm = verdicts([{"cell": "lstm", "phase": "inference"}])
    assert set(only_lstm.values()) == {"not measured"}


def test_accuracy_from_quality_records() -> None:
    quality = {
        "phase": "train_quality",
        "device": "cpu",
        "task": "recall",
        "metric": "accuracy",
        "baseline": 0.25,
        "seeds": 2,
        "reached_target": 0,
    }
    rows = [
        {
            "cell": cell,
            "seq_len": seq_len,
            "metric_values": values,
            "metric_mean": sum(values) / 2,
            "metric_std": abs(values[0] - values[1]) / 2**0.5,
        }
        | quality
        for cell, seq_len, values in (
            ("lstm", 10, [0.99, 0.99]),
            ("gru", 10, [1.0, 1.0]),
            ("lstm", 20, [0.25, 0.27]),
            ("gru", 20, [1.0, 1.0]),
        )
    ]
    verdict = verdicts(rows)["accuracy"]
    assert verdict.startswith(
        "depends: comparable on 1 of 2 pairs; not on recall T=20 GRU vs LSTM (skill +0.99, p="
    )
    assert (
        "recall T=10 (accuracy): LSTM 0.990 ± 0.000, GRU 1.000 ± 0.000"
        in measured(rows)["accuracy"]
    )
    assert verdicts(rows[:2])["accuracy"] == "confirmed"
    assert verdicts(rows)["training speed"] == "not measured"  # quality rows are not timings


def test_cell_state_from_the_state_the_modules_returned() -> None:
    rows = [
        {"cell": "lstm", "state_tensors": 2, "state_bytes_per_seq": 32},
        {"cell": "gru", "state_tensors": 1, "state_bytes_per_seq": 16},
    ]
    assert verdicts(rows)["cell state"] == "confirmed"
    assert measured(rows)["cell state"] == (
        "state returned by the module, per sequence: LSTM 2 tensors (32 B per sequence); GRU 1 tensor (16 B per sequence); "
        "GRU state bytes = 0.5× LSTM's at the same shape (1 shapes)"
    )


def test_quality_records_stay_out_of_the_timed_tables() -> None:
    frame = frame_of(
        [{"cell": "lstm"}, {"cell": "gru", "phase": "train_quality", "accuracy_mean": 1.0}]
    )
    inputs = Inputs(frame=frame, environments=pd.DataFrame(), documents=[])
    assert inputs.ok["phase"].tolist() == ["forward_backward"]
    assert inputs.measured["phase"].tolist() == ["forward_backward", "train_quality"]
