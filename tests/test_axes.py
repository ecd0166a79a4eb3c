"""The impl, layout, threads and mixed-precision axes: ids, suite expansion and runs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch
from torch import nn

from rnnbench.cases import suite
from rnnbench.cases.case import Case
from rnnbench.errors import UserError
from rnnbench.measurement import runner
from rnnbench.measurement.timing import TimingPolicy
from rnnbench.models import impls, layout
from rnnbench.models.build import LayerOutput
from tests.conftest import tiny_case

POLICY = TimingPolicy(warmup_rounds=1, min_rounds=3, max_rounds=3)
SHAPE = 'cell = "lstm"\nbatch = 2\nseq_len = 4\ninput_size = 3\nhidden_size = 5\n'


def load(tmp_path: Path, body: str) -> list[Case]:
    path = tmp_path / "s.toml"
    path.write_text(body)
    return list(suite.load(str(path)).cases)


def test_default_values_keep_the_old_ids_and_old_records_load() -> None:
    case = tiny_case()
    assert case.id == "lstm-layer-b2-t3-i4-h5-l1-uni-cpu-fp32-forward"
    old = {k: v for k, v in case.to_dict().items() if k not in ("impl", "layout", "threads")}
    assert Case.from_dict(old) == case


def test_non_default_values_add_one_token_each() -> None:
    case = tiny_case(impl="scripted", layout="padded", threads=1, dtype="autocast_bf16")
    assert case.id == "lstm-layer-scripted-b2-t3-i4-h5-l1-uni-cpu-thr1-amp-bf16-forward"
    assert tiny_case(layout="packed").id == "lstm-layer-b2-t3-i4-h5-l1-uni-packed-cpu-fp32-forward"
    assert tiny_case(impl="cell_loop", device="cuda").id.endswith("-uni-cuda-fp32-forward")


def test_grid_drops_impossible_points_and_never_duplicates(tmp_path: Path) -> None:
    cases = load(
        tmp_path,
        f"""[[grid]]
{SHAPE}impl = ["fused", "native", "cell_loop"]
layout = ["padded", "packed"]
phases = ["forward"]
""",
    )
    cpu = sorted((c.impl, c.layout) for c in cases if c.device == "cpu")
    assert cpu == [("cell_loop", "padded"), ("fused", "packed"), ("fused", "padded")]
    cuda = {(c.impl, c.layout, c.cudnn) for c in cases if c.device == "cuda"}
    assert cuda == {
        ("fused", "padded", True),
        ("fused", "padded", False),  # native = fused with cuDNN off
        ("fused", "packed", True),
        ("fused", "packed", False),
        ("cell_loop", "padded", None),
    }
    assert len(cases) == len(set(cases)) == 8


def test_threads_axis_is_cpu_only_and_all_means_every_core(tmp_path: Path) -> None:
    cases = load(tmp_path, f'[[grid]]\n{SHAPE}threads = [1, "all"]\nphases = ["forward"]\n')
    assert sorted(c.threads for c in cases if c.device == "cpu") == sorted({1, os.cpu_count()})
    assert {c.threads for c in cases if c.device == "cuda"} == {None}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('impl = "native"\ndevice = "cpu"\n', "case[0].impl: 'native' (cuDNN off) is CUDA only"),
        (
            'impl = "scripted"\nlayout = "packed"\n',
            "case[0].layout: packed sequences need impl fused or compiled",
        ),
        (
            'layout = "packed"\nmodel = "classifier"\n',
            "case[0].layout: packed sequences are measured on the bare layer",
        ),
        ('impl = "jax"\n', "case[0].impl: unknown value 'jax'"),
        ('threads = "many"\n', "case[0].threads: unknown value 'many'"),
        ("threads = 0\n", "case[0].threads: must be a positive integer"),
        ('dtype = "autocast_fp8"\n', "case[0].dtype: unknown value 'autocast_fp8'"),
    ],
)
def test_explicit_impossible_cases_are_errors_naming_the_key(
    tmp_path: Path, table: str, message: str
) -> None:
    with pytest.raises(UserError) as info:
        load(tmp_path, f"[[case]]\n{SHAPE}{table}")
    assert message in str(info.value) and "\n" not in str(info.value)


def test_a_case_runs_at_its_thread_count_and_restores_the_session_s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = torch.get_num_threads()
    seen: list[int] = []
    monkeypatch.setattr(
        runner.workload, "build_workload", record_threads(runner.workload.build_workload, seen)
    )
    record, _ = runner.run_case(tiny_case(threads=1), POLICY)
    assert record["measures"]["threads"] == 1 and seen == [1]
    assert torch.get_num_threads() == before


def record_threads(build, seen: list[int]):  # type: ignore[no-untyped-def]
    def wrapped(*args: object):  # type: ignore[no-untyped-def]
        seen.append(torch.get_num_threads())
        return build(*args)

    return wrapped


@pytest.mark.parametrize("impl", ["fused", "cell_loop", "scripted", "compiled", "compiled_loop"])
def test_every_impl_runs_through_the_runner(impl: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(impls, "COMPILE_BACKEND", "aot_eager")
    record, error = runner.run_case(tiny_case(impl=impl, model="classifier", cell="gru"), POLICY)
    assert error is None and record["status"] == "ok"
    assert record["measures"]["first_round_s"] > 0
    assert record["measures"]["params"] > 0 and record["measures"]["saved_bytes"] > 0


def test_a_compile_failure_is_a_failed_record_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_backend(graph: torch.fx.GraphModule, inputs: list[torch.Tensor]) -> None:
        raise RuntimeError("no C++ compiler found")

    monkeypatch.setattr(impls, "COMPILE_BACKEND", broken_backend)
    record, error = runner.run_case(tiny_case(impl="compiled"), POLICY)
    assert record["status"] == "failed" and "no C++ compiler found" in record["reason"]
    assert isinstance(error, impls.CompileFailed) and runner.is_case_limit(error)


def test_mixed_precision_runs_the_forward_under_autocast() -> None:
    # GRU: oneDNN's fused LSTM has no autocast-bf16 primitive on AVX2-only CPUs (this VM's AMD EPYC),
    # where that case is recorded failed with oneDNN's reason; GRU's step ops autocast everywhere.
    record, _ = runner.run_case(
        tiny_case(cell="gru", dtype="autocast_bf16", phase="forward_backward"), POLICY
    )
    assert record["status"] == "ok", record["reason"]
    assert record["measures"]["param_bytes"] == 4 * record["measures"]["params"]  # float32 weights
    assert runner.skip_reason(tiny_case(dtype="autocast_fp16"), cuda_available=False) is not None
    assert (
        runner.skip_reason(tiny_case(dtype="autocast_fp16", device="cuda", cudnn=True), True)
        is None
    )


def test_lengths_are_seeded_and_within_half_to_full() -> None:
    lengths = layout.lengths(64, 10)
    assert torch.equal(lengths, layout.lengths(64, 10))
    assert lengths.min() >= 5 and lengths.max() <= 10 and lengths.unique().numel() > 1


def test_packed_output_equals_each_sequence_run_alone() -> None:
    torch.manual_seed(0)
    rnn = nn.GRU(3, 4, batch_first=True, bidirectional=True)
    lengths = layout.lengths(3, 6)
    x = torch.randn(3, 6, 3)
    packed = layout.PackedOutput(rnn, lengths)(x)
    for row, length in enumerate(lengths.tolist()):
        alone = LayerOutput(rnn)(x[row : row + 1, :length])
        torch.testing.assert_close(packed[row : row + 1, :length], alone, rtol=1e-5, atol=1e-6)
        assert not packed[row, length:].any()
