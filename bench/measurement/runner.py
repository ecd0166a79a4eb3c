"""Run one case: build model and input, measure memory, time the phase, make the record."""

from __future__ import annotations

import contextlib
import hashlib
import inspect
from collections.abc import Iterator
from pathlib import Path

import torch

from rnnbench.cases.case import QUALITY_PHASE, Case
from rnnbench.measurement import (
    analytic,
    flops,
    memory,
    pace,
    preflight,
    profiling,
    quality,
    state,
    tasks,
    timing,
    workload,
)
from rnnbench.measurement import env as envmod
from rnnbench.measurement.timing import Measurement, RoundRunner, TimingPolicy, time_workload
from rnnbench.models import build as models
from rnnbench.models import impls, layout, loops, precision, user_cell
from rnnbench.results.schema import Measures, Profile, QualityMeasures, Record, Status

CODE_HASH = hashlib.sha256(
    "".join(
        inspect.getsource(m)
        for m in (
            models,
            impls,
            loops,
            layout,
            precision,
            quality,
            tasks,
            state,
            workload,
            timing,
            user_cell,
        )
    ).encode()
).hexdigest()
LIMIT_MARKERS = (
    "out of memory",
    "can't allocate memory",
    "defaultcpuallocator",
    "failed to allocate",  # allocation failures
    "not implemented",
    "not supported",
    "unsupported",
)


def skip_reason(case: Case, cuda_available: bool) -> str | None:
    """Why a case cannot run on this machine, or None."""
    if case.device == "cuda" and not cuda_available:
        return "CUDA is not available on this machine"
    if case.phase == QUALITY_PHASE and (reason := quality.skip_reason(case)) is not None:
        return reason
    return envmod.oversubscribed(case.threads) or precision.skip_reason(case.dtype, case.device)


def skipped_record(case: Case, cuda_available: bool) -> Record | None:
    """The `skipped` record of a case that cannot run here or cannot fit in memory (pre-flight:
    nothing is built), or None when it may run."""
    reason = skip_reason(case, cuda_available)
    if reason is not None:
        return base_record(case, "skipped", reason)
    refused = preflight.too_big(case, preflight.available_bytes(case.device))
    if refused is None:
        return None
    return base_record(case, "skipped", refused[0]) | {"measures": {**refused[1]}}


class NonFiniteOutput(RuntimeError):
    """A user cell's output holds NaN or inf: the case is recorded as failed, and the run goes on."""


def is_case_limit(exc: BaseException) -> bool:
    """A failure that belongs to the case on this machine (OOM, unsupported combo), not a bug."""
    if isinstance(exc, (MemoryError, torch.cuda.OutOfMemoryError, impls.CompileFailed)):
        return True
    return isinstance(exc, (RuntimeError, NotImplementedError)) and any(
        marker in str(exc).lower() for marker in LIMIT_MARKERS
    )


def code_hash(case: Case) -> str:
    """Changes when the case or the code that builds and times it changes."""
    return hashlib.sha256(f"{case.id}:{CODE_HASH}".encode()).hexdigest()[:16]


@contextlib.contextmanager
def backend_flags(case: Case) -> Iterator[None]:
    """cuDNN on or off for CUDA cases; nothing to switch on CPU."""
    if case.device == "cuda":
        with torch.backends.cudnn.flags(enabled=bool(case.cudnn)):
            yield
    else:
        yield


def base_record(case: Case, status: Status, reason: str | None = None) -> Record:
    """A record with no timing (skipped or failed cases)."""
    return {
        "id": case.id,
        "case": case.to_dict(),
        "status": status,
        "reason": reason,
        "times_s": [],
        "stats": None,
        "noisy": None,
        "measures": {},
        "code_hash": code_hash(case),
        "cell_code": user_cell.cell_code(case),
    }


def measured_record(
    case: Case, result: Measurement, measures: Measures | QualityMeasures
) -> Record:
    """An `ok` record: the raw times, their statistics, and `measures` plus the thread count."""
    return base_record(case, "ok") | {
        "times_s": list(result.times),
        "stats": result.stats(),
        "noisy": result.noisy,
        "measures": {**measures, "threads": torch.get_num_threads()},
    }


def ok_record(case: Case, result: Measurement, measures: Measures) -> Record:
    """The record of a timed case, with derived throughput: GFLOP/s from the analytic FLOPs where
    the formulas know the cell, else from the measured ones (`flops` is then None)."""
    median = result.stats()["median"]
    analytic_flops = analytic.phase_flops(case) if analytic.modelled(case) else None
    rate_flops = analytic_flops if analytic_flops is not None else measures.get("flops_measured")
    derived: Measures = {
        "flops": analytic_flops,
        "gflops_per_s": rate_flops / median / 1e9 if rate_flops else None,
        "tokens_per_s": case.batch * case.seq_len / median,
    }
    return measured_record(case, result, {**measures, **derived})


def build(case: Case) -> tuple[torch.nn.Module, torch.Tensor]:
    """The seeded model and input of `case`."""
    torch.manual_seed(0)
    return models.build_model(case), models.build_input(case)


def quality_record(case: Case, settings: quality.QualitySettings) -> Record:
    """A `train_quality` record: per-seed training seconds as times, metrics and curves as measures."""
    times, measures = quality.train_seeds(case, settings)
    return measured_record(case, Measurement(tuple(times)), measures)


def measure_case(
    case: Case,
    policy: TimingPolicy,
    runner: RoundRunner = timing.run_rounds,
    settings: quality.QualitySettings = quality.QualitySettings(),
) -> Record:
    """Build, measure and time `case` (at its thread count); exceptions propagate to the caller.
    A `train_quality` case trains instead, with the suite's quality `settings`."""
    with envmod.threads_for(case.threads), backend_flags(case):
        if case.phase == QUALITY_PHASE:
            return quality_record(case, settings)
        model, inputs = build(case)
        if (reason := untrainable(case, model)) is not None:
            return base_record(case, "skipped", reason)
        check_finite(case, model, inputs)
        work = workload.build_workload(case.phase, model, inputs, case.device)
        first_round_s = timing.first_round(work)  # compiled impls compile here
        model.zero_grad(
            set_to_none=True
        )  # the profiler cannot count frees of blocks it never saw allocated
        measures: Measures = {
            "first_round_s": first_round_s,
            "params": sum(p.numel() for p in model.parameters()),
            "param_bytes": memory.param_bytes(model),
            "saved_bytes": 0 if case.phase == "inference" else memory.saved_bytes(model, inputs),
            "peak_bytes": memory.peak_bytes(work, case.device),
            "model_peak_bytes": analytic.memory_model(case).peak
            if analytic.modelled(case)
            else None,
            **state.carried_state(model, inputs),
        }
        timed, probes = pace.paced(work) if case.device == "cpu" else (work, [])
        result = time_workload(timed, policy, runner)
        measures.update(flops.measure_flops(work))  # one more untimed round, after the timed ones
        record = ok_record(case, result, measures)
        if len(probes) >= result.rounds:  # the probe before each timed round (warm-up's go first)
            record["pace"] = {"probe": pace.PROBE, "times_s": probes[len(probes) - result.rounds :]}
        return record


def untrainable(case: Case, model: torch.nn.Module) -> str | None:
    """Why a training phase of `model` cannot be timed (no trainable parameters), or None."""
    if case.phase in analytic.TRAINING and not any(p.requires_grad for p in model.parameters()):
        return f"phase {case.phase}: cell {case.cell!r} has no trainable parameters, so there is no backward pass to time"
    return None


def check_finite(case: Case, model: torch.nn.Module, inputs: torch.Tensor) -> None:
    """Raise `NonFiniteOutput` when a user cell's output on the case's input holds NaN or inf
    (built-in cells are PyTorch's own and are not re-checked)."""
    if case.cell_ref is None:
        return
    with torch.no_grad():
        out = user_cell.output_of(model(inputs))
    if not bool(torch.isfinite(out).all()):
        raise NonFiniteOutput(
            f"cell {case.cell!r} ({case.cell_ref}): output holds NaN or inf on the case's seeded input"
        )


def one_line(exc: BaseException, limit: int = 300) -> str:
    """`Type: message` on one line (dynamo puts the backend's own error on the second line)."""
    text = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
    return f"{type(exc).__name__}: {text if len(text) <= limit else text[: limit - 3] + '...'}"


def compile_failure(exc: BaseException) -> impls.CompileFailed:
    """A compiled impl's failure as a case limit, naming the backend."""
    backend = getattr(impls.COMPILE_BACKEND, "__name__", impls.COMPILE_BACKEND)
    failure = impls.CompileFailed(f"torch.compile ({backend}): {one_line(exc)}")
    failure.__cause__ = exc
    return failure


def run_case(
    case: Case,
    policy: TimingPolicy,
    runner: RoundRunner = timing.run_rounds,
    settings: quality.QualitySettings = quality.QualitySettings(),
) -> tuple[Record, BaseException | None]:
    """Like `measure_case`, but a failure becomes a `failed` record (and is handed back).
    Any failure of a compiled impl is handed back as `impls.CompileFailed` (a case limit)."""
    try:
        return measure_case(case, policy, runner, settings), None
    except Exception as exc:  # recorded, then the caller decides whether the run goes on
        if case.device == "cuda":
            torch.cuda.empty_cache()
        error = compile_failure(exc) if case.impl in impls.COMPILED else exc
        return base_record(case, "failed", one_line(exc) if error is exc else str(error)), error


def profile_case(case: Case, trace_dir: Path) -> Profile:
    """Profile `case`'s workload on a freshly built model (never inside timed rounds)."""
    steps = profiling.ProfileSchedule()
    with envmod.threads_for(case.threads), backend_flags(case):
        model, inputs = build(case)
        work = workload.build_workload(case.phase, model, inputs, case.device)
        trace, events = profiling.profile_workload(work, trace_dir, case.device, steps)
    return profiling.summarize(trace, events, case.device, steps)
