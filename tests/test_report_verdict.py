"""The verdict: its ratios are the records' medians, it finds where the winner flips, names the
memory measure it used, and picks the fastest device/implementation per shape."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure
from report_data import frame_of

from rnnbench.reports.plots import PLOTS
from rnnbench.reports.ratios import crossovers, judge
from rnnbench.reports.sections import fastest_sentences
from rnnbench.reports.verdict import (
    classifier_sentences,
    fastest,
    memory_sentence,
    shape_ratios,
    verdict,
)
from rnnbench.results import store


def timed(rows: list[dict]) -> pd.DataFrame:
    """Hand-built rows with raw times (three rounds around each median) and no noise flag."""
    frame = frame_of(rows)
    frame["times_s"] = [[m * 0.99, m, m * 1.01] for m in frame["median_s"]]
    frame["noisy"] = False
    return frame


def hidden_sweep(ratios: dict[int, float], phase: str = "inference") -> list[dict]:
    """LSTM at 1 s and GRU at `ratio` s for each hidden size."""
    return [
        row
        for h, r in ratios.items()
        for row in (
            {"cell": "lstm", "hidden_size": h, "phase": phase, "median_s": 1.0},
            {"cell": "gru", "hidden_size": h, "phase": phase, "median_s": r},
        )
    ]


def test_verdict_ratios_equal_the_record_medians(tiny_results: Path, tiny_report: Path) -> None:
    shapes = pd.read_csv(tiny_report / "tables" / "verdict_shapes.csv")
    axes = ("batch", "seq_len", "input_size", "hidden_size", "phase")
    medians = {
        (r["case"]["cell"], *(r["case"][a] for a in axes)): r["stats"]["median"]
        for doc in store.load([tiny_results])
        for r in doc["records"]
        if r["status"] == "ok"
    }
    assert len(shapes) == len(medians) // 2 > 0  # every timed shape pairs up, nothing extra
    for row in shapes.itertuples(index=False):
        shape = tuple(getattr(row, a) for a in axes)
        gru, lstm = medians[("gru", *shape)], medians[("lstm", *shape)]
        assert row.gru_median_s == pytest.approx(gru, rel=1e-12)
        assert row.lstm_median_s == pytest.approx(lstm, rel=1e-12)
        assert row.ratio == pytest.approx(gru / lstm, rel=1e-12)
        assert row.ci_low <= row.ratio <= row.ci_high
    lines = pd.read_csv(tiny_report / "tables" / "verdict.csv").set_index("phase")
    for phase, rows in shapes.groupby("phase"):
        assert lines.loc[phase, "median_ratio"] == pytest.approx(rows["ratio"].median(), rel=1e-12)
        assert lines.loc[phase, "shapes"] == len(rows)
        assert lines.loc[phase, "gru_faster"] + lines.loc[phase, "lstm_faster"] + lines.loc[
            phase, "ties"
        ] == len(rows)
    page = (tiny_report / "report.html").read_text()
    for phase in lines.index:
        assert f"{lines.loc[phase, 'median_ratio']:.3g}×" in page


def test_the_winner_flip_is_found_along_the_swept_axis() -> None:
    shapes = shape_ratios(timed(hidden_sweep({64: 0.8, 128: 0.9, 256: 1.2, 512: 1.3})))
    assert crossovers(shapes, judge=judge("gru", "lstm")) == ["hidden_size 128→256"]
    assert (
        crossovers(
            shape_ratios(timed(hidden_sweep({64: 0.8, 128: 0.7}))), judge=judge("gru", "lstm")
        )
        == []
    )
    found = verdict(timed(hidden_sweep({64: 0.8, 128: 0.9, 256: 1.2, 512: 1.3})))
    line = found.lines.iloc[0]
    assert (line.gru_faster, line.lstm_faster, line.ties, line.shapes) == (2, 2, 0, 4)
    assert line.median_ratio == pytest.approx(1.05)
    assert line.faster == "tie" and line.ci_low <= 1.05 <= line.ci_high


def test_memory_ratio_uses_peak_bytes_where_recorded_else_saved_bytes() -> None:
    rows = [{"cell": "lstm", "saved_bytes": 400}, {"cell": "gru", "saved_bytes": 300}]
    saved = "Memory (saved_bytes, forward+backward, cpu): GRU/LSTM median 0.75×"
    assert memory_sentence(frame_of(rows)).startswith(saved)
    with_peak = [{**rows[0], "peak_bytes": 1000.0}, {**rows[1], "peak_bytes": 900.0}]
    peak = "Memory (peak_bytes, forward+backward, cpu): GRU/LSTM median 0.9×"
    assert memory_sentence(frame_of(with_peak)).startswith(peak)
    assert memory_sentence(frame_of([rows[0]])).startswith("Memory: not measured")


def test_fastest_combination_per_shape_across_devices() -> None:
    rows = [
        {"cell": "lstm", "device_label": "cpu", "median_s": 4.0},
        {"cell": "gru", "device_label": "cpu", "median_s": 3.0},
        {"cell": "lstm", "device_label": "cuda-cudnn", "median_s": 0.5},
        {"cell": "gru", "device_label": "cuda-cudnn", "median_s": 0.7},
    ]
    best = fastest(frame_of(rows))
    assert best["fastest"].tolist() == ["cuda-cudnn fused LSTM"] and best[
        "contenders"
    ].tolist() == [4]
    assert fastest_sentences(best) == [
        "Fastest per shape, forward+backward (1 shape): cuda-cudnn fused LSTM on 1."
    ]
    assert fastest(frame_of(rows[:2])).empty  # one device, one implementation: nothing to pick


def test_heat_map_only_for_a_complete_two_axis_grid() -> None:
    one_axis = timed(
        hidden_sweep({64: 0.8, 128: 0.9})
        + [
            {"cell": cell, "batch": 8, "phase": "inference", "median_s": 1.0}
            for cell in ("lstm", "gru")
        ]
    )
    assert "no two axes form a complete grid" in PLOTS["ratio_heat_map"].draw(one_axis)
    grid = timed([{**row, "batch": b} for b in (2, 8) for row in hidden_sweep({64: 0.8, 128: 0.9})])
    assert isinstance(PLOTS["ratio_heat_map"].draw(grid), Figure)


def test_threads_is_a_swept_axis_and_the_classifier_ratio_is_named() -> None:
    rows = [
        {
            "cell": cell,
            "model": "classifier",
            "threads": thr,
            "batch": 32,
            "seq_len": 100,
            "phase": "inference",
            "median_s": s,
        }
        for thr, times in {1: (1.0, 0.8), 2: (1.0, 1.3)}.items()
        for cell, s in zip(("lstm", "gru"), times)
    ]
    shapes = shape_ratios(timed(rows))
    assert crossovers(shapes, judge=judge("gru", "lstm")) == ["threads 1→2"]
    (sentence,) = classifier_sentences(shapes)
    assert sentence.startswith(
        "Classifier, inference: GRU/LSTM time at b=32 t=100 i=4 h=4 l=1 uni thr=1 0.8× ("
    )
    assert "thr=2 1.3× (" in sentence
