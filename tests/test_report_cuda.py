"""CUDA-only report parts (cuDNN speed-up, CPU vs CUDA, peak memory), tested on CPU with hand-built records."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure
from report_data import frame_of

from rnnbench.reports import tables
from rnnbench.reports.claims import claims
from rnnbench.reports.plots import PLOTS

ROWS = [
    {"cell": cell, "device_label": label, "median_s": time, "peak_bytes": peak}
    for cell, label, time, peak in (
        ("lstm", "cpu", 8.0, float("nan")),
        ("lstm", "cuda-cudnn", 1.0, 400.0),
        ("lstm", "cuda-native", 4.0, 500.0),
        ("gru", "cpu", 6.0, float("nan")),
        ("gru", "cuda-cudnn", 1.5, 300.0),
        ("gru", "cuda-native", 3.0, 450.0),
    )
]


def test_cudnn_and_device_speedups() -> None:
    ok = frame_of(ROWS)
    cudnn = tables.cudnn_speedup(ok).set_index("cell")
    assert cudnn.loc["lstm", "cuda-cudnn speedup"] == pytest.approx(4.0)
    assert cudnn.loc["gru", "cuda-cudnn speedup"] == pytest.approx(2.0)
    devices = tables.cpu_vs_cuda(ok).set_index("cell")
    assert devices.loc["lstm", "cuda-cudnn speedup"] == pytest.approx(8.0)
    assert devices.loc["gru", "cuda-native speedup"] == pytest.approx(2.0)
    assert tables.cudnn_speedup(frame_of(ROWS[:1] + ROWS[3:4])).empty


def test_cudnn_bars_drawn_only_with_cuda_pairs() -> None:
    draw = PLOTS["cudnn_speedup"].draw
    assert isinstance(draw(frame_of(ROWS)), Figure)
    assert isinstance(draw(frame_of([r for r in ROWS if r["device_label"] == "cpu"])), str)


def test_memory_claim_uses_peak_when_measured() -> None:
    table = claims(frame_of(ROWS)).set_index("aspect")
    assert table.loc["memory usage", "measured"].startswith(
        "GRU training-step peak memory = 0.75–0.9×"
    )
    assert table.loc["memory usage", "verdict"] == "confirmed"
    memory = tables.memory(frame_of(ROWS))
    assert "lstm peak_bytes" in memory.columns
