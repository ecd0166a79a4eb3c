"""The front door, used as a notebook would: only names from `rnnbench.__all__`."""

from __future__ import annotations

from pathlib import Path

import pytest

import rnnbench

TINY = dict(batch=2, seq_len=3, input_size=4, hidden_size=5)
QUICK = rnnbench.TimingPolicy(warmup_rounds=1, min_rounds=3, max_rounds=3, max_time=0.01)


def test_the_public_surface_is_small_and_named() -> None:
    assert sorted(rnnbench.__all__) == [
        "Case",
        "TimingPolicy",
        "load_results",
        "load_suite",
        "measure",
    ]
    assert all(hasattr(rnnbench, name) for name in rnnbench.__all__)


def test_case_by_keyword_takes_the_axis_defaults() -> None:
    case = rnnbench.Case(cell="gru", **TINY)
    assert (
        case.model,
        case.num_layers,
        case.bidirectional,
        case.dtype,
        case.device,
        case.phase,
    ) == (
        "layer",
        1,
        False,
        "float32",
        "cpu",
        "forward",
    )
    assert case.id == "gru-layer-b2-t3-i4-h5-l1-uni-cpu-fp32-forward"
    with pytest.raises(TypeError):
        rnnbench.Case("gru", "layer", 2, 3, 4, 5)  # keyword only: no 12-field positional call


def test_measure_returns_the_record_pytest_bench_stores() -> None:
    record = rnnbench.measure(
        rnnbench.Case(cell="lstm", phase="forward_backward", **TINY), QUICK, threads=1
    )
    assert record["status"] == "ok", record["reason"]
    assert len(record["times_s"]) == 3 and record["stats"]["median"] > 0
    assert record["measures"]["threads"] == 1
    assert record["measures"]["params"] == 4 * (
        5 * 4 + 5 * 5 + 2 * 5
    )  # 4 gates x (W_ih, W_hh, two biases)


def test_measure_skips_cuda_with_a_reason_on_a_cpu_machine() -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    record = rnnbench.measure(rnnbench.Case(cell="gru", device="cuda", cudnn=True, **TINY), QUICK)
    assert record["status"] == "skipped" and "CUDA" in record["reason"]


def test_load_suite_and_results(tiny_results: Path) -> None:
    suite = rnnbench.load_suite("smoke")
    assert len([c for c in suite.cases if c.device == "cpu"]) == 32 and {
        c.cell for c in suite.cases
    } == {"lstm", "gru"}
    frame = rnnbench.load_results([tiny_results])
    assert {"id", "cell", "phase", "median_s"} <= set(frame.columns)
    assert (frame[frame["status"] == "ok"]["median_s"] > 0).all()


def test_bad_arguments_are_value_errors_naming_the_field() -> None:
    with pytest.raises(ValueError, match=r"^batch: must be a positive integer, got 0$"):
        rnnbench.Case(cell="gru", **{**TINY, "batch": 0})
    with pytest.raises(ValueError, match=r"^max_time: "):
        rnnbench.TimingPolicy(max_time=0)
