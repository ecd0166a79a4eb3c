"""The report's memory parts: peak memory plots per device and phase, the model check table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure
from report_data import frame_of

from rnnbench.reports import memory_report
from rnnbench.reports.claims import claims

ROWS = [
    {
        "cell": cell,
        "device_label": device,
        "phase": phase,
        "seq_len": t,
        "peak_bytes": peak,
        "model_peak_bytes": model,
    }
    for cell, device, phase, t, peak, model in (
        ("lstm", "cpu", "forward_backward", 4, 1000.0, 800.0),
        ("lstm", "cpu", "forward_backward", 8, 2000.0, 1600.0),
        ("gru", "cpu", "forward_backward", 4, 600.0, 600.0),
        ("gru", "cpu", "forward_backward", 8, 1200.0, 1000.0),
        ("lstm", "cpu", "inference", 4, 300.0, 250.0),
        ("lstm", "cpu", "inference", 8, 500.0, 500.0),
    )
]


def test_memory_plot_has_a_panel_per_device_and_phase() -> None:
    rows = ROWS + [r | {"device_label": "cuda-cudnn"} for r in ROWS]
    *_, draw = memory_report.PLOTS["memory_vs_seq_len"]
    figure = draw(frame_of(rows))
    assert isinstance(figure, Figure)
    titles = sorted(ax.get_title() for ax in figure.axes)
    assert titles == [
        "cpu forward+backward",
        "cpu inference",
        "cuda-cudnn forward+backward",
        "cuda-cudnn inference",
    ]
    legend = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert {"LSTM peak", "LSTM model", "LSTM saved"} <= set(legend)
    assert isinstance(
        memory_report.PLOTS["memory_vs_batch"][-1](frame_of(rows)), str
    )  # batch does not vary


def test_model_check_is_measured_over_model() -> None:
    table = memory_report.model_check(frame_of(ROWS))
    assert table["measured/model peak"].tolist() == pytest.approx([1.25, 1.25, 1.0, 1.2, 1.2, 1.0])
    assert memory_report.model_check(frame_of(ROWS).drop(columns="model_peak_bytes")).empty


def test_memory_claim_reads_cpu_peaks() -> None:
    measured = claims(frame_of(ROWS)).set_index("aspect").loc["memory usage", "measured"]
    assert measured.startswith("GRU training-step peak memory = 0.6×")
    assert measured.endswith(
        "; GRU saved-for-backward bytes = 1× LSTM's (on every shape, 2 shapes)"
    )


def test_report_of_a_real_run_draws_peaks_and_the_model_table(tiny_report: Path) -> None:
    for x in memory_report.SWEEPS:
        assert (tiny_report / "plots" / f"memory_vs_{x}.png").exists()
    table = pd.read_csv(tiny_report / "tables" / "memory_model.csv")
    assert (
        set(table["phase"]) == {"forward_backward", "inference"} and (table["peak_bytes"] > 0).all()
    )
    assert 'id="table-memory_model"' in (tiny_report / "report.html").read_text()
