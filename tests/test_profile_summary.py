"""rnnbench.reports.profile_summary: side-by-side op tables and efficiency views from stored records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rnnbench.cases.case import Case
from rnnbench.reports import profile_summary as why
from rnnbench.results.schema import document
from rnnbench.results.store import to_frame


def record(
    cell: str, hidden: int, efficiency: float, ops: list[tuple[str, float]] | None
) -> dict[str, Any]:
    case = Case(
        cell=cell,
        model="layer",
        batch=8,
        seq_len=32,
        input_size=64,
        hidden_size=hidden,
        num_layers=1,
        bidirectional=False,
        dtype="float32",
        device="cpu",
        cudnn=None,
        phase="forward_backward",
    )
    rec: dict[str, Any] = {
        "id": case.id,
        "case": case.to_dict(),
        "status": "ok",
        "reason": None,
        "times_s": [0.01],
        "stats": {"median": 0.01},
        "noisy": False,
        "code_hash": "x",
        "measures": {"gflops_per_s": 100 * efficiency, "efficiency": efficiency},
    }
    if ops is not None:
        top = [
            {"name": n, "calls": 1, "self_cpu_s": s, "self_cuda_s": 0.0, "share": s} for n, s in ops
        ]
        rec["profile"] = {
            "trace_dir": f"profiles/{case.id}",
            "op_calls": 10 * len(ops),
            "top_ops": top,
        }
    return rec


def doc(run_id: str, *records: dict[str, Any]) -> dict[str, Any]:
    return document({"id": run_id}, {"fingerprint": "f"}, list(records))


LSTM_OPS = [
    ("aten::mkldnn_rnn_layer_backward", 0.5),
    ("aten::mkldnn_rnn_layer", 0.3),
    ("aten::copy_", 0.1),
]
GRU_OPS = [("aten::mm", 0.4), ("aten::addmm", 0.2), ("aten::mul", 0.1), ("aten::sigmoid", 0.05)]


def test_pairs_differ_in_one_axis_within_one_run() -> None:
    docs = [
        doc(
            "run1",
            record("lstm", 64, 0.1, LSTM_OPS),
            record("gru", 64, 0.05, GRU_OPS),
            record("gru", 128, 0.2, GRU_OPS),
            record("lstm", 128, 0.3, None),
        ),
        doc("run2", record("lstm", 64, 0.1, LSTM_OPS)),
    ]
    found = why.pairs(docs, "cell")
    assert [(a["case"]["cell"], b["case"]["cell"], a["run_id"]) for a, b in found] == [
        ("gru", "lstm", "run1")
    ]
    with pytest.raises(ValueError, match="vary"):
        why.pairs(docs, "colour")


def test_top_ops_side_by_side_one_row_per_rank() -> None:
    table = why.top_ops_side_by_side(
        record("gru", 64, 0.05, GRU_OPS), record("lstm", 64, 0.1, LSTM_OPS), top=3
    )
    assert list(table.index) == [1, 2, 3]
    assert table[("cell=gru", "name")].tolist() == ["aten::mm", "aten::addmm", "aten::mul"]
    assert table[("cell=lstm", "share")].tolist() == [0.5, 0.3, 0.1]


def test_why_tables_link_the_trace_dirs() -> None:
    (entry,) = why.why_tables(
        [doc("r", record("lstm", 64, 0.1, LSTM_OPS), record("gru", 64, 0.05, GRU_OPS))]
    )
    assert entry["title"].startswith("cell=gru vs cell=lstm: gru-layer-b8-t32")
    assert all(path.startswith("profiles/") for path in entry["trace_dirs"])
    assert entry["op_calls"] == [40, 30]


def test_efficiency_table_and_plot(tmp_path: Path) -> None:
    frame = to_frame(
        [
            doc(
                "r",
                record("lstm", 64, 0.1, None),
                record("gru", 64, 0.05, None),
                record("gru", 256, 0.25, None),
            )
        ]
    )
    table = why.efficiency_table(frame)
    assert table["efficiency_pct"].tolist() == pytest.approx([5.0, 10.0, 25.0])
    assert {"cell", "hidden_size"} <= set(table.columns) and "batch" not in table.columns
    path = why.plot_efficiency(frame, "hidden_size", tmp_path / "plots" / "efficiency.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="no ok records"):
        why.plot_efficiency(frame.iloc[0:0], "batch", tmp_path / "empty.png")
