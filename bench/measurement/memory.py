"""Memory measures: parameter bytes, bytes autograd saves for backward, peak bytes of a round."""

from __future__ import annotations

from operator import itemgetter

import torch
from torch import nn
from torch.autograd import DeviceType

from rnnbench.measurement.timing import Workload

TARGET_MARK = "rnnbench::memory_target"  # profiler range around the target of the memory round


def param_bytes(model: nn.Module) -> int:
    return sum(p.numel() * p.element_size() for p in model.parameters())


def _storage(tensor: torch.Tensor) -> tuple[int, int]:
    """(key, bytes) of the memory behind a tensor; views of one buffer share a key."""
    try:
        storage = tensor.untyped_storage()
        return storage.data_ptr(), storage.nbytes()
    except (RuntimeError, NotImplementedError):  # opaque tensors (e.g. mkldnn) have no storage
        return id(tensor), tensor.numel() * tensor.element_size()


def saved_bytes(model: nn.Module, inputs: torch.Tensor) -> int:
    """Bytes of distinct buffers autograd saves in one training-mode forward.

    Counts activations (and the input batch when it is saved), not parameters: those exist
    whether or not a backward follows.
    """
    params = {_storage(p)[0] for p in model.parameters()}
    saved: dict[int, int] = {}

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        key, nbytes = _storage(tensor)
        if key not in params:
            saved[key] = nbytes
        return tensor

    was_training = model.training
    model.train()
    try:
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
            model(inputs)
    finally:
        model.train(was_training)
    return sum(saved.values())


def peak_bytes(workload: Workload, device: str) -> int:
    """Peak bytes live during one round's target above those live when it began (after setup).

    Runs one extra round, untimed. CUDA: the caching allocator's counters. CPU: torch.profiler's
    memory events (`profile_memory=True`), which report every allocation and free made through
    c10's CPU allocator: tensors, and oneDNN's buffers (PyTorch hands oneDNN that allocator).
    Chosen over the process RSS, which also moves with the allocator's caching, the Python heap
    and pages the OS has not reclaimed, and over tracemalloc, which sees Python objects only.
    Not seen on CPU: memory a library takes from malloc itself (OpenMP or BLAS scratch buffers).
    """
    return cuda_peak_bytes(workload) if device == "cuda" else cpu_peak_bytes(workload)


def cuda_peak_bytes(workload: Workload) -> int:
    """Peak CUDA bytes allocated during one round's target, above those allocated after its setup."""
    workload.setup()  # ends synchronized
    before = torch.cuda.memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    workload.target()
    return int(torch.cuda.max_memory_allocated()) - before


def cpu_peak_bytes(workload: Workload) -> int:
    """Peak CPU bytes allocated during one round's target, above those allocated after its setup.

    The setup runs under the profiler too: the profiler reports the free of a block only when it
    saw the block allocated, and backward's target frees the graph its setup built.
    """
    with torch.profiler.profile(
        activities=[torch.profiler.ProfilerActivity.CPU], profile_memory=True
    ) as prof:
        workload.setup()
        with torch.profiler.record_function(TARGET_MARK):
            workload.target()
    events = prof.profiler.kineto_results.events()
    start = next(event.start_ns() for event in events if event.name() == TARGET_MARK)
    changes = [
        (event.start_ns(), event.nbytes())
        for event in events
        if event.name() == "[memory]" and event.device_type() == DeviceType.CPU
    ]
    return peak_after(changes, start)


def peak_after(changes: list[tuple[int, int]], start_ns: int) -> int:
    """The highest running sum of (time in ns, bytes allocated or freed) from `start_ns` on,
    above its value at `start_ns`; 0 when nothing more was allocated. Ties keep their order."""
    level = peak = 0
    for _, nbytes in sorted((c for c in changes if c[0] >= start_ns), key=itemgetter(0)):
        level += nbytes
        peak = max(peak, level)
    return peak
