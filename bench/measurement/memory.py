"""Memory measures: parameter bytes, bytes autograd saves for backward, CUDA peak."""

from __future__ import annotations

import torch
from torch import nn

from rnnbench.measurement.timing import Workload


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


def cuda_peak_bytes(workload: Workload) -> int:
    """Peak CUDA memory allocated during one round (counters reset just before)."""
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    workload.setup()
    workload.target()
    return int(torch.cuda.max_memory_allocated())
