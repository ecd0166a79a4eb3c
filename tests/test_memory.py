"""Peak bytes of a round (CPU: profiler memory events), the memory model, and the pre-flight check."""

from __future__ import annotations

import time

import pytest
import torch

from rnnbench.cases.case import PHASES
from rnnbench.measurement import analytic, memory, preflight, runner, workload
from rnnbench.measurement.timing import Workload
from tests.conftest import tiny_case

MIB = 2**20
# The model counts the tensors the algorithm keeps; PyTorch's CPU kernels add copies and padding
# it does not (oneDNN rounds its LSTM workspace up, at least 28 KiB), and backward frees the graph
# in an order the model only approximates. Over 128 CPU cases (LSTM and GRU, layer and classifier,
# b4-16, t8-128, h64-128, 1-2 layers, uni and bi, every phase; torch 2.13) measured/model ranged
# 0.70-1.25; 1.5 leaves room for that, while a wrong term (a missing gradient or saved set, a
# factor of D or G) moves the ratio by 2x or more and fails.
MODEL_TOLERANCE = 1.5
SHAPES = [
    dict(batch=8, seq_len=16, input_size=32, hidden_size=64),
    dict(batch=4, seq_len=12, input_size=16, hidden_size=32, num_layers=2, bidirectional=True),
]


def test_peak_after_counts_from_the_start_only() -> None:
    changes = [(1, 500), (5, 300), (6, -300), (7, 200), (7, -100), (9, -200)]
    assert memory.peak_after(changes, start_ns=5) == 300
    assert memory.peak_after(changes, start_ns=7) == 200  # same-time events keep their order
    assert memory.peak_after([(3, -50)], start_ns=0) == 0


def test_cpu_peak_sees_known_allocations_above_what_setup_left() -> None:
    kept: list[torch.Tensor] = []

    def setup() -> None:
        kept.clear()
        kept.append(
            torch.empty(4 * MIB, dtype=torch.uint8)
        )  # live when the target starts: not counted

    def target() -> None:
        first = torch.empty(2 * MIB, dtype=torch.uint8)
        second = torch.empty(3 * MIB, dtype=torch.uint8)
        del first
        third = torch.empty(MIB, dtype=torch.uint8)
        del second, third
        kept.pop()  # frees the setup's block: below the start, never above

    work = Workload(setup, target)
    assert [memory.peak_bytes(work, "cpu") for _ in range(2)] == [5 * MIB, 5 * MIB]


def test_cuda_peak_is_counted_from_after_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CUDA path's arithmetic, with the allocator counters faked (no GPU here)."""
    allocated = {"now": 0, "peak": 0}

    def alloc(nbytes: int) -> None:
        allocated["now"] += nbytes
        allocated["peak"] = max(allocated["peak"], allocated["now"])

    monkeypatch.setattr(torch.cuda, "memory_allocated", lambda: allocated["now"])
    monkeypatch.setattr(torch.cuda, "max_memory_allocated", lambda: allocated["peak"])
    monkeypatch.setattr(
        torch.cuda, "reset_peak_memory_stats", lambda: allocated.update(peak=allocated["now"])
    )
    work = Workload(setup=lambda: alloc(1000), target=lambda: (alloc(300), alloc(-300), alloc(50)))
    assert memory.peak_bytes(work, "cuda") == 300


# Every cell, model and shape; the classifier (embedding and head on top of the layers) costs 2-5 s
# of CPU a case in the profiler, so one classifier case stays in the fast loop and CI runs the rest.
PEAK_CASES = [
    pytest.param(
        cell,
        model,
        shape,
        id=f"{cell}-{model}-{name}",
        marks=[pytest.mark.slow]
        if model == "classifier" and (cell, name) != ("lstm", "l1-uni")
        else [],
    )
    for cell in ("lstm", "gru")
    for model in ("layer", "classifier")
    for name, shape in zip(("l1-uni", "l2-bi"), SHAPES)
]


@pytest.mark.parametrize(("cell", "model", "shape"), PEAK_CASES)
def test_model_peak_matches_measured_peak(cell: str, model: str, shape: dict[str, object]) -> None:
    ratios = {}
    for phase in PHASES:
        case = tiny_case(cell=cell, model=model, phase=phase, **shape)
        built, inputs = runner.build(case)
        work = workload.build_workload(phase, built, inputs, "cpu")
        work.setup(), work.target()  # warm: lazy initialisation is not the phase's memory
        ratios[phase] = memory.peak_bytes(work, "cpu") / analytic.memory_model(case).peak
    assert all(1 / MODEL_TOLERANCE <= r <= MODEL_TOLERANCE for r in ratios.values()), ratios


def test_model_parts_add_up() -> None:
    fb = analytic.memory_model(
        tiny_case(phase="forward_backward", num_layers=2, bidirectional=True)
    )
    inference = analytic.memory_model(
        tiny_case(phase="inference", num_layers=2, bidirectional=True)
    )
    assert (
        fb.gradients
        == fb.weights
        == 4 * analytic.model_params(tiny_case(num_layers=2, bidirectional=True))
    )
    assert inference.gradients == inference.saved == 0
    assert fb.total == fb.weights + fb.inputs + fb.peak
    assert fb.peak > inference.peak
    half = analytic.memory_model(
        tiny_case(phase="forward_backward", dtype="bfloat16", num_layers=2, bidirectional=True)
    )
    assert 2 * half.peak == fb.peak  # every term scales with the element size


def test_record_keeps_measured_and_model_peak() -> None:
    record = runner.measure_case(
        tiny_case(phase="forward_backward"), runner.TimingPolicy(1, 1, 1, 0.01)
    )
    measures = record["measures"]
    assert measures["peak_bytes"] > 0
    assert (
        measures["model_peak_bytes"]
        == analytic.memory_model(tiny_case(phase="forward_backward")).peak
    )


def test_preflight_skips_an_impossible_case_without_building_it() -> None:
    case = tiny_case(batch=100_000, seq_len=100_000, input_size=8192, hidden_size=8192)
    start = time.perf_counter()
    record = runner.skipped_record(case, cuda_available=False)
    assert time.perf_counter() - start < 0.5
    assert record is not None and record["status"] == "skipped"
    assert "by the memory model" in record["reason"] and "can give now" in record["reason"]
    assert record["measures"]["model_total_bytes"] > record["measures"]["available_bytes"] > 0


def test_preflight_limit_is_the_model_total() -> None:
    case = tiny_case(phase="forward_backward")
    total = analytic.memory_model(case).total
    assert preflight.too_big(case, (total, "test")) is None
    _reason, measures = preflight.too_big(case, (total - 1, "test"))  # type: ignore[misc]
    assert measures == {
        "model_total_bytes": total,
        "model_peak_bytes": analytic.memory_model(case).peak,
        "available_bytes": total - 1,
    }
    assert preflight.too_big(case, None) is None  # limit unknown: no check
    assert runner.skipped_record(tiny_case(), cuda_available=False) is None


def test_cpu_limit_comes_from_meminfo(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    meminfo = tmp_path / "meminfo"  # type: ignore[operator]
    meminfo.write_text("MemTotal:       1000 kB\nMemAvailable:    250 kB\n")
    monkeypatch.setattr(preflight, "MEMINFO", meminfo)
    assert preflight.available_bytes("cpu") == (250 * 1024, "MemAvailable")
    monkeypatch.setattr(preflight, "MEMINFO", meminfo.parent / "absent")
    assert preflight.available_bytes("cpu") is None


def test_a_cpu_allocation_failure_is_a_case_limit() -> None:
    """Recorded as the case's failure, never a traceback (issue 10 item 3)."""
    error = RuntimeError(
        "[enforce fail at alloc_cpu.cpp:121] DefaultCPUAllocator: can't allocate memory: you tried"
        " to allocate 327680000000000 bytes. Error code 12 (Cannot allocate memory)"
    )
    assert runner.is_case_limit(error)
