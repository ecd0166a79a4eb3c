"""Phase semantics: what one timed round of forward / backward / forward_backward / inference is.

- forward: training mode, autograd on; the graph is built and dropped inside the timed call.
- backward: each round's untimed setup zeroes gradients and runs a fresh forward; only
  `output.backward(grad)` is timed. The output gradient is made once, outside any round.
- forward_backward: setup zeroes gradients; forward and backward are timed together.
- inference: eval mode under `torch.inference_mode()`.
On CUDA every setup and every timed call ends with `torch.cuda.synchronize()`, so the timer
never sees queued work from setup nor misses queued work from the target.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from rnnbench.measurement.timing import Workload


def _no_sync() -> None:
    """CPU work is synchronous: nothing to wait for."""


def sync_for(device: str) -> Callable[[], None]:
    """The barrier that closes a timed region on `device`."""
    return torch.cuda.synchronize if device == "cuda" else _no_sync


def output_grad(model: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
    """A fixed, seeded gradient shaped like the model's output (made outside timing)."""
    with torch.no_grad():
        out = model(inputs)
    gen = torch.Generator().manual_seed(1)
    return torch.randn(out.shape, generator=gen, dtype=torch.float32).to(out.device, out.dtype)


def build_workload(phase: str, model: nn.Module, inputs: torch.Tensor, device: str) -> Workload:
    """The setup/target pair for one phase of `model` applied to `inputs`."""
    sync = sync_for(device)
    if phase == "inference":
        model.eval()

        def infer() -> None:
            with torch.inference_mode():
                model(inputs)
            sync()

        return Workload(setup=sync, target=infer)

    model.train()
    if phase == "forward":

        def forward() -> None:
            model(inputs)
            sync()

        return Workload(setup=sync, target=forward)

    grad = output_grad(model, inputs)
    if phase == "backward":
        pending: list[torch.Tensor] = []

        def forward_untimed() -> None:
            model.zero_grad(set_to_none=True)
            pending.append(model(inputs))
            sync()

        def backward() -> None:
            pending.pop().backward(grad)
            sync()

        return Workload(setup=forward_untimed, target=backward)

    if phase == "forward_backward":

        def zero_grads() -> None:
            model.zero_grad(set_to_none=True)
            sync()

        def forward_backward() -> None:
            model(inputs).backward(grad)
            sync()

        return Workload(setup=zero_grads, target=forward_backward)
    raise ValueError(f"phase: unknown value {phase!r}")
