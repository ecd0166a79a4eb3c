"""Profile one workload under `torch.profiler`, outside the timed rounds, and summarise its ops.

Each profiler step is one round: the untimed `setup()` then the `target()` inside a
`record_function(TARGET_MARK)` range. The trace (written by `tensorboard_trace_handler` as
`<dir>/<worker>.<n>.pt.trace.json`, chrome-trace JSON that TensorBoard's profiler plugin and
Perfetto both read) shows whole rounds; the op summary counts only events that start inside a
target range, so setup work (e.g. the forward pass before a timed backward) never enters it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from torch.autograd import DeviceType
from torch.autograd.profiler_util import FunctionEvent
from torch.profiler import (
    ProfilerActivity,
    profile,
    record_function,
    schedule,
    tensorboard_trace_handler,
)

from rnnbench.measurement.timing import Workload
from rnnbench.results.schema import Profile

TARGET_MARK = "rnnbench::target"
TRACE_GLOB = "*.pt.trace.json"
CUDNN_MARKER = "cudnn"  # in aten::_cudnn_rnn* op names and cudnn:: kernel names


@dataclass(frozen=True)
class ProfileSchedule:
    """torch.profiler's step schedule: skipped, warmed-up (discarded) and recorded rounds."""

    wait: int = 1
    warmup: int = 1
    active: int = 3

    @property
    def steps(self) -> int:
        return self.wait + self.warmup + self.active


def profile_workload(
    work: Workload, trace_dir: Path, device: str, steps: ProfileSchedule = ProfileSchedule()
) -> tuple[Path, list[FunctionEvent]]:
    """Run `steps.steps` rounds under the profiler; return the trace file and the recorded events."""
    trace_dir.mkdir(parents=True, exist_ok=True)
    for old in trace_dir.glob(TRACE_GLOB):  # one run per case: a rerun replaces its trace
        old.unlink()
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device == "cuda" else [])
    with profile(
        activities=activities,
        schedule=schedule(wait=steps.wait, warmup=steps.warmup, active=steps.active, repeat=1),
        on_trace_ready=tensorboard_trace_handler(str(trace_dir)),
        record_shapes=True,
        profile_memory=True,
    ) as prof:
        for _ in range(steps.steps):
            work.setup()
            with record_function(TARGET_MARK):
                work.target()
            prof.step()
    traces = sorted(trace_dir.glob(TRACE_GLOB))
    if len(traces) != 1:
        raise RuntimeError(f"profiler wrote {len(traces)} trace files in {trace_dir}, expected 1")
    return traces[0], list(prof.events())


def events_frame(events: list[FunctionEvent]) -> pd.DataFrame:
    """One row per event that starts inside a target range (the CPU-side marks included).

    `kind` is `op` for CPU-side events (operators, autograd nodes, the marks) and `kernel`
    for device activity (kernels, memcpy); user annotations mirrored on the device are dropped.
    """
    marks = [
        (e.time_range.start, e.time_range.end)
        for e in events
        if e.name == TARGET_MARK and e.device_type == DeviceType.CPU
    ]
    rows = [
        {
            "name": e.name,
            "kind": "op" if e.device_type == DeviceType.CPU else "kernel",
            "self_cpu_s": e.self_cpu_time_total / 1e6,
            "self_cuda_s": e.self_device_time_total / 1e6,
        }
        for e in events
        if any(start <= e.time_range.start <= end for start, end in marks)
        and (e.device_type == DeviceType.CPU or not e.is_user_annotation)
    ]
    return pd.DataFrame(rows, columns=["name", "kind", "self_cpu_s", "self_cuda_s"])


def op_table(frame: pd.DataFrame, on_cuda: bool) -> tuple[pd.DataFrame, float]:
    """Operators by name (calls, self times, `share`), largest first, and the share's denominator.

    On CPU the denominator is all self CPU time in the target ranges (the marks' own time,
    i.e. Python between ops, included); on CUDA it is all device time there, and an op's
    self CUDA time is that of the kernels it launched itself. Each event counts once, so the
    shares over all operators sum to at most 1.
    """
    ranked_by = "self_cuda_s" if on_cuda else "self_cpu_s"
    total = float(frame.loc[frame["kind"] == ("kernel" if on_cuda else "op"), ranked_by].sum())
    ops = frame[(frame["kind"] == "op") & (frame["name"] != TARGET_MARK)]
    ops = ops.groupby("name", as_index=False).agg(
        calls=("name", "size"), self_cpu_s=("self_cpu_s", "sum"), self_cuda_s=("self_cuda_s", "sum")
    )
    ops["share"] = ops[ranked_by] / total if total > 0 else 0.0
    return ops.sort_values([ranked_by, "name"], ascending=[False, True], ignore_index=True), total


def cudnn_ran(op_names: list[str]) -> bool:
    """Whether any profiled op or kernel is a cuDNN one (name contains 'cudnn')."""
    return any(CUDNN_MARKER in name.lower() for name in op_names)


def summarize(
    trace: Path, events: list[FunctionEvent], device: str, steps: ProfileSchedule, top: int = 10
) -> Profile:
    """The record's `profile` entry (rnnbench.results.schema.Profile); times and calls are per round."""
    frame = events_frame(events)
    ops, total = op_table(frame, on_cuda=device == "cuda")
    summary: Profile = {
        "trace_dir": str(trace.parent),
        "trace": str(trace),
        "schedule": {"wait": steps.wait, "warmup": steps.warmup, "active": steps.active},
        "ranked_by": "self_cuda" if device == "cuda" else "self_cpu",
        "phase_self_s": total / steps.active,
        "op_calls": int(ops["calls"].sum()) // steps.active,
        "top_ops": [
            {
                "name": str(row["name"]),
                "calls": int(row["calls"]) // steps.active,
                "self_cpu_s": float(row["self_cpu_s"]) / steps.active,
                "self_cuda_s": float(row["self_cuda_s"]) / steps.active,
                "share": float(row["share"]),
            }
            for row in ops.head(top).to_dict("records")
        ],
    }
    if device == "cuda":
        summary["cudnn_ran"] = cudnn_ran(list(frame["name"]))
    return summary
