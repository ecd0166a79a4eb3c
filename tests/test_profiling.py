"""rnnbench.measurement.profiling: traces in TensorBoard's layout, op summaries of the timed target only."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import torch

from rnnbench.cases.case import Case
from rnnbench.measurement import runner
from rnnbench.measurement.profiling import TARGET_MARK, cudnn_ran, op_table


def tiny(
    cell: str = "lstm", phase: str = "backward", device: str = "cpu", cudnn: bool | None = None
) -> Case:
    return Case(
        cell=cell,
        model="layer",
        batch=2,
        seq_len=3,
        input_size=4,
        hidden_size=4,
        num_layers=1,
        bidirectional=False,
        dtype="float32",
        device=device,
        cudnn=cudnn,
        phase=phase,
    )


def test_trace_is_chrome_json_in_tensorboard_layout(tmp_path: Path) -> None:
    case = tiny()
    summary = runner.profile_case(case, tmp_path / case.id)
    trace = Path(summary["trace"])
    assert trace.parent == tmp_path / case.id and trace.name.endswith(".pt.trace.json")
    assert trace.name.count(".") >= 4  # <worker>.<n>.pt.trace.json
    events = json.loads(trace.read_text())["traceEvents"]
    names = {event.get("name") for event in events}
    assert TARGET_MARK in names and "ProfilerStep#2" in names  # steps 0, 1: wait and warm-up


def test_summary_counts_the_target_not_the_setup(tmp_path: Path) -> None:
    """A timed backward's setup runs the forward: it is in the trace but not in the op summary."""
    case = tiny(phase="backward")
    summary = runner.profile_case(case, tmp_path / case.id)
    trace_names = {
        event.get("name") for event in json.loads(Path(summary["trace"]).read_text())["traceEvents"]
    }
    op_names = [op["name"] for op in summary["top_ops"]]
    assert "aten::lstm" in trace_names
    assert op_names and "aten::lstm" not in op_names
    assert any("Backward" in name for name in op_names)
    assert 0 < sum(op["share"] for op in summary["top_ops"]) <= 1
    assert summary["op_calls"] >= sum(op["calls"] for op in summary["top_ops"]) > 0
    assert summary["ranked_by"] == "self_cpu" and "cudnn_ran" not in summary


def test_rerun_replaces_the_trace(tmp_path: Path) -> None:
    case = tiny(phase="forward")
    first = runner.profile_case(case, tmp_path / case.id)["trace"]
    second = runner.profile_case(case, tmp_path / case.id)["trace"]
    assert first != second and list((tmp_path / case.id).iterdir()) == [Path(second)]


def events(*rows: tuple[str, str, float, float]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["name", "kind", "self_cpu_s", "self_cuda_s"])


def test_op_table_cpu_shares_include_python_time_in_the_denominator() -> None:
    frame = events(
        (TARGET_MARK, "op", 1.0, 0.0),
        ("aten::mm", "op", 2.0, 0.0),
        ("aten::mm", "op", 4.0, 0.0),
        ("aten::add", "op", 3.0, 0.0),
    )
    ops, total = op_table(frame, on_cuda=False)
    assert total == 10.0
    assert list(ops["name"]) == ["aten::mm", "aten::add"] and list(ops["calls"]) == [2, 1]
    assert list(ops["share"]) == [0.6, 0.3]


def test_op_table_cuda_ranks_by_device_time_without_double_counting_kernels() -> None:
    frame = events(
        (TARGET_MARK, "op", 1.0, 0.0),
        ("aten::_cudnn_rnn", "op", 2.0, 5.0),
        ("aten::add", "op", 1.0, 1.0),
        ("cudnn_rnn_fwd_kernel", "kernel", 0.0, 5.0),
        ("add_kernel", "kernel", 0.0, 1.0),
        ("Memcpy HtoD", "kernel", 0.0, 2.0),
    )
    ops, total = op_table(frame, on_cuda=True)
    assert total == 8.0 and list(ops["name"]) == ["aten::_cudnn_rnn", "aten::add"]
    assert ops["share"].sum() == pytest.approx(0.75)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["aten::_cudnn_rnn", "void cudnn::rnn::fwd_kernel<float>"], True),
        (["aten::lstm", "aten::_thnn_fused_lstm_cell", "ampere_sgemm_32x128_tn"], False),
        (["void cudnn::detail::dgrad_engine<float>"], True),
        ([], False),
    ],
)
def test_cudnn_ran_reads_op_and_kernel_names(names: list[str], expected: bool) -> None:
    assert cudnn_ran(names) is expected


@pytest.mark.skipif(
    not torch.cuda.is_available(), reason="needs CUDA: cuDNN on/off shows only on a GPU"
)
@pytest.mark.parametrize("cudnn", [True, False])
def test_cuda_profile_says_whether_cudnn_ran(tmp_path: Path, cudnn: bool) -> None:
    case = tiny(phase="forward_backward", device="cuda", cudnn=cudnn)
    summary = runner.profile_case(case, tmp_path / case.id)
    assert summary["ranked_by"] == "self_cuda" and summary["cudnn_ran"] is cudnn
