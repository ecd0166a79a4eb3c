"""One case end to end: measures, skips and failures become records."""

from __future__ import annotations

import pytest
import torch

from rnnbench.measurement import analytic, pace, runner
from rnnbench.measurement.timing import TimingPolicy
from tests.conftest import tiny_case

POLICY = TimingPolicy(warmup_rounds=1, min_rounds=3, max_rounds=3)


@pytest.mark.parametrize("phase", ["forward", "backward", "forward_backward", "inference"])
def test_record_has_every_measure(phase: str) -> None:
    case = tiny_case(phase=phase, cell="gru", bidirectional=True)
    record = runner.measure_case(case, POLICY)
    measures = record["measures"]
    assert record["status"] == "ok" and record["id"] == case.id
    assert len(record["times_s"]) == record["stats"]["rounds"] == 3
    assert measures["params"] == analytic.model_params(case)
    assert measures["param_bytes"] == 4 * measures["params"]
    assert (measures["saved_bytes"] == 0) == (phase == "inference")
    assert measures["peak_bytes"] > 0 and measures["model_peak_bytes"] > 0  # CPU too
    assert measures["flops"] == analytic.phase_flops(case)
    median = record["stats"]["median"]
    assert measures["gflops_per_s"] == pytest.approx(measures["flops"] / median / 1e9)
    assert measures["tokens_per_s"] == pytest.approx(case.batch * case.seq_len / median)
    assert measures["threads"] == torch.get_num_threads()


def test_the_pace_probe_runs_before_each_timed_round_outside_its_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pace, "PRODUCTS", 300)  # a probe far longer than a tiny round
    record = runner.measure_case(tiny_case(), POLICY)
    probes = record["pace"]
    assert probes["probe"] == pace.PROBE and len(probes["times_s"]) == len(record["times_s"]) == 3
    rounds, probed = (sorted(t)[1] for t in (record["times_s"], probes["times_s"]))  # medians
    assert rounds < probed / 3  # the probe is not inside the timed region


def test_saved_bytes_grow_with_sequence_length() -> None:
    short = runner.measure_case(tiny_case(seq_len=4), POLICY)["measures"]["saved_bytes"]
    long = runner.measure_case(tiny_case(seq_len=16), POLICY)["measures"]["saved_bytes"]
    assert 0 < short < long


def test_skip_logic_on_a_machine_without_cuda() -> None:
    cuda = tiny_case(device="cuda", cudnn=True)
    assert runner.skip_reason(cuda, cuda_available=False) == "CUDA is not available on this machine"
    assert runner.skip_reason(cuda, cuda_available=True) is None
    assert runner.skip_reason(tiny_case(dtype="float16"), cuda_available=True) is not None
    assert runner.skip_reason(tiny_case(), cuda_available=False) is None


def test_a_runtime_failure_is_recorded_with_its_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    def oom(*args: object) -> None:
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(runner.models, "build_model", oom)
    record, error = runner.run_case(tiny_case(), POLICY)
    assert record["status"] == "failed"
    assert record["reason"] == "OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB"
    assert runner.is_case_limit(error)
    assert not runner.is_case_limit(ValueError("a bug"))


def test_code_hash_follows_the_case() -> None:
    assert runner.code_hash(tiny_case()) == runner.code_hash(tiny_case())
    assert runner.code_hash(tiny_case()) != runner.code_hash(tiny_case(batch=3))
