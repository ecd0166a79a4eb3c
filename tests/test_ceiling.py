"""rnnbench.measurement.ceiling and efficiency: the GEMM ceiling is timed, never a constant."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from rnnbench.cases.case import Case
from rnnbench.measurement import ceiling
from rnnbench.measurement.session import BenchSession
from rnnbench.measurement.timing import run_rounds


def clock(*durations: float) -> Callable[[], float]:
    """A fake timer whose i-th timed round (two readings) lasts durations[i]."""
    readings = iter(np.cumsum([0.0, *(x for d in durations for x in (d, 0.0))]))
    return lambda: float(next(readings))


def test_ceiling_is_the_best_round_of_the_timer() -> None:
    """Sizing round (warm-up) 9 s, then rounds of 0.5, 0.25 and 1 s: the ceiling uses 0.25 s."""
    measured = ceiling.measure_ceiling(
        "cpu", "float32", start=32, min_round_s=0.0, rounds=3, timer=clock(9.0, 0.5, 0.25, 1.0)
    )
    assert measured.size == 32 and measured.best_s == 0.25
    assert measured.gflops_per_s == pytest.approx(2 * 32**3 / 0.25 / 1e9)


def test_size_doubles_until_a_round_is_long_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    sizes: list[int] = []
    real = ceiling.gemm_workload
    monkeypatch.setattr(ceiling, "gemm_workload", lambda n, d, t: sizes.append(n) or real(n, d, t))
    capped = ceiling.measure_ceiling("cpu", "float32", start=16, max_size=64, min_round_s=1e9)
    assert sizes == [16, 32, 64] and capped.size == 64 and capped.gflops_per_s > 0


def test_real_gemm_rate_is_positive_and_finite() -> None:
    measured = ceiling.measure_ceiling(
        "cpu", "float32", start=64, max_size=256, min_round_s=0.0, rounds=3
    )
    assert 0 < measured.gflops_per_s < 1e6 and measured.rounds == 3
    assert measured.best_s > 0


def test_session_measures_each_device_dtype_once_and_efficiency_is_at_most_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, str]] = []
    real = ceiling.measure_ceiling

    def counted(device: str, dtype: str) -> ceiling.Ceiling:
        calls.append((device, dtype))
        return real(device, dtype, start=128, max_size=512, min_round_s=0.0)

    monkeypatch.setattr(ceiling, "measure_ceiling", counted)
    session = BenchSession(suite_name="smoke", results_dir=tmp_path)
    for cell in ("lstm", "gru"):
        case = Case(
            cell=cell,
            model="layer",
            batch=2,
            seq_len=3,
            input_size=4,
            hidden_size=4,
            num_layers=1,
            bidirectional=False,
            dtype="float32",
            device="cpu",
            cudnn=None,
            phase="forward",
        )
        record, error = session.run(case, run_rounds)
        assert error is None and 0 < record["measures"]["efficiency"] <= 1
    assert calls == [("cpu", "float32")]
    assert (
        session.env["gemm_gflops"]["cpu/float32"] > 0
        and session.env["gemm_size"]["cpu/float32"] >= 128
    )


def test_efficiency_above_the_ceiling_is_kept_and_warned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        ceiling, "measure_ceiling", lambda device, dtype: ceiling.Ceiling(1e-9, 1, 1.0, 1)
    )
    session = BenchSession(suite_name="smoke", results_dir=tmp_path)
    case = Case(
        cell="gru",
        model="layer",
        batch=2,
        seq_len=3,
        input_size=4,
        hidden_size=4,
        num_layers=1,
        bidirectional=False,
        dtype="float32",
        device="cpu",
        cudnn=None,
        phase="forward",
    )
    with pytest.warns(
        UserWarning,
        match="of the GEMM ceiling: either the ceiling was measured while the machine was busy, or",
    ):
        record, _ = session.run(case, run_rounds)
    assert record["measures"]["efficiency"] > 1


def test_autocast_cases_use_the_ceiling_of_their_compute_dtype(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[tuple[str, str]] = []

    def fake(device: str, dtype: str) -> ceiling.Ceiling:
        asked.append((device, dtype))
        return ceiling.Ceiling(gflops_per_s=100.0, size=256, best_s=0.01, rounds=5)

    monkeypatch.setattr(ceiling, "measure_ceiling", fake)
    session = BenchSession(suite_name="smoke")
    assert session.gemm_ceiling("cpu", "autocast_bf16") == 100.0
    assert session.gemm_ceiling("cpu", "bfloat16") == 100.0  # the same ceiling, measured once
    assert asked == [("cpu", "bfloat16")]
    assert set(session.env["gemm_gflops"]) == {"cpu/bfloat16"}
