"""The timing logic itself, on CPU: warm-up excluded, GC off, raw times kept, phases separated."""

from __future__ import annotations

import gc
import itertools
import time

import pytest
import torch
from torch import nn

from rnnbench.errors import UserError
from rnnbench.measurement import workload
from rnnbench.measurement.timing import (
    Measurement,
    TimingPolicy,
    Workload,
    run_rounds,
    time_workload,
)


class Counting:
    """A workload that counts setup and target calls and notes whether GC was on."""

    def __init__(self) -> None:
        self.setups = 0
        self.targets = 0
        self.gc_states: list[bool] = []

    def workload(self) -> Workload:
        def setup() -> None:
            self.setups += 1

        def target() -> None:
            self.targets += 1
            self.gc_states.append(gc.isenabled())

        return Workload(setup=setup, target=target)


def test_warmup_is_excluded_and_every_timed_round_is_kept() -> None:
    counter = Counting()
    policy = TimingPolicy(warmup_rounds=4, min_rounds=7, max_rounds=7, max_time=1.0)
    seen: list[int] = []

    def runner(work: Workload, rounds: int) -> list[float]:
        seen.append(counter.targets)  # calls made before timing started = warm-up
        return run_rounds(work, rounds)

    result = time_workload(counter.workload(), policy, runner)
    assert seen == [4]
    assert result.rounds == 7 == counter.targets - 4
    assert counter.setups == counter.targets


def test_gc_is_off_during_rounds_and_restored_after() -> None:
    counter = Counting()
    assert gc.isenabled()
    time_workload(counter.workload(), TimingPolicy(warmup_rounds=1, min_rounds=3, max_rounds=3))
    assert counter.gc_states and not any(counter.gc_states)
    assert gc.isenabled()


def test_only_target_is_inside_the_timed_region() -> None:
    ticks = itertools.count()
    calls: list[str] = []
    work = Workload(setup=lambda: calls.append("setup"), target=lambda: calls.append("target"))
    # each timer read advances one tick: a round spans exactly start..end around target
    times = run_rounds(work, 3, timer=lambda: float(next(ticks)))
    assert times == [1.0, 1.0, 1.0]
    assert calls == ["setup", "target"] * 3


@pytest.mark.parametrize(
    ("estimate", "rounds"), [(0.001, 100), (0.1, 5), (10.0, 5), (0.0, 100), (0.02, 25)]
)
def test_round_count_fills_max_time_within_bounds(estimate: float, rounds: int) -> None:
    assert TimingPolicy(min_rounds=5, max_rounds=100, max_time=0.5).rounds_for(estimate) == rounds


def test_bad_policy_names_the_field() -> None:
    with pytest.raises(UserError, match="min_rounds"):
        TimingPolicy(min_rounds=10, max_rounds=5)
    with pytest.raises(UserError, match="warmup_rounds"):
        TimingPolicy(warmup_rounds=-1)


def test_measurement_statistics() -> None:
    result = Measurement((0.004, 0.001, 0.002, 0.003, 0.005))
    stats = result.stats()
    assert stats["median"] == pytest.approx(0.003)
    assert stats["q1"] == pytest.approx(0.002) and stats["q3"] == pytest.approx(0.004)
    assert stats["iqr"] == pytest.approx(0.002)
    assert stats["rounds"] == 5 and stats["min"] == 0.001 and stats["max"] == 0.005
    assert result.noisy
    assert not Measurement((1.0, 1.0, 1.01)).noisy


class SlowForward(nn.Module):
    """A linear layer whose forward sleeps: backward must not pay for it."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay
        self.linear = nn.Linear(4, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        time.sleep(self.delay)
        return self.linear(x)


def median_of(phase: str, delay: float = 0.02) -> float:
    work = workload.build_workload(phase, SlowForward(delay), torch.randn(2, 4), "cpu")
    return time_workload(work, TimingPolicy(warmup_rounds=1, min_rounds=5, max_rounds=5)).stats()[
        "median"
    ]


def test_backward_excludes_the_forward_and_forward_backward_includes_it() -> None:
    assert median_of("backward") < 0.005  # forward sleeps 20 ms in untimed setup
    assert median_of("forward_backward") >= 0.02
    assert median_of("forward") >= 0.02


def test_phase_modes() -> None:
    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))
    seen: list[tuple[bool, bool, bool]] = []
    model.register_forward_hook(
        lambda module, args, out: seen.append(
            (module.training, torch.is_grad_enabled(), torch.is_inference_mode_enabled())
        )
    )
    x = torch.randn(2, 4)
    for phase in ("inference", "forward", "backward", "forward_backward"):
        seen.clear()
        work = workload.build_workload(phase, model, x, "cpu")
        work.setup()
        work.target()
        assert seen[-1] == (
            (False, False, True) if phase == "inference" else (True, True, False)
        ), phase


def test_backward_setup_zeroes_gradients_outside_timing() -> None:
    model = nn.Linear(4, 4)
    work = workload.build_workload("backward", model, torch.randn(2, 4), "cpu")
    for _ in range(3):
        work.setup()
        assert model.weight.grad is None  # zeroed in setup, not accumulated across rounds
        work.target()
        assert model.weight.grad is not None


@pytest.mark.parametrize("phase", ["forward", "backward", "forward_backward", "inference"])
def test_cuda_cases_synchronize_after_setup_and_target(
    monkeypatch: pytest.MonkeyPatch, phase: str
) -> None:
    syncs: list[str] = []
    monkeypatch.setattr(torch.cuda, "synchronize", lambda *a, **k: syncs.append("sync"))
    order: list[str] = []
    work = workload.build_workload(
        phase, nn.Linear(4, 4), torch.randn(2, 4), "cuda"
    )  # tensors stay on CPU
    timed = Workload(
        setup=lambda: (work.setup(), order.append(f"setup:{len(syncs)}")),
        target=lambda: (work.target(), order.append(f"target:{len(syncs)}")),
    )
    run_rounds(timed, 2)
    assert order == ["setup:1", "target:2", "setup:3", "target:4"]
    assert workload.sync_for("cuda") is torch.cuda.synchronize


def test_cpu_cases_do_not_synchronize(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        torch.cuda, "synchronize", lambda *a, **k: pytest.fail("synchronized on CPU")
    )
    run_rounds(
        workload.build_workload("forward_backward", nn.Linear(4, 4), torch.randn(2, 4), "cpu"), 2
    )
