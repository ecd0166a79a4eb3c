"""The dtype axis: storage dtype of weights and inputs, and autocast around the forward pass.

`autocast_bf16` / `autocast_fp16` keep float32 weights and inputs and run the model's forward
under `torch.autocast(device, dtype)`; backward runs outside autocast, as PyTorch recommends.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

AUTOCAST = {"autocast_bf16": torch.bfloat16, "autocast_fp16": torch.float16}
CPU_UNSUPPORTED = {
    "float16": "float16 RNNs are not supported on CPU",
    "autocast_fp16": "float16 autocast of RNNs is not supported on CPU (oneDNN has no fp16 LSTM primitive)",
}


def storage_dtype(dtype: str) -> torch.dtype:
    """The dtype weights and inputs are stored in."""
    return torch.float32 if dtype in AUTOCAST else getattr(torch, dtype)


def compute_dtype(dtype: str) -> str:
    """The dtype the matrix products run in: autocast's, else the storage dtype (e.g. `bfloat16`)."""
    return str(AUTOCAST[dtype]).removeprefix("torch.") if dtype in AUTOCAST else dtype


def skip_reason(dtype: str, device: str) -> str | None:
    """Why `dtype` cannot run on `device`, or None."""
    return CPU_UNSUPPORTED.get(dtype) if device == "cpu" else None


class Autocast(nn.Module):
    """Runs the wrapped module's forward under autocast at `dtype` on `device`."""

    def __init__(self, inner: nn.Module, device: str, dtype: torch.dtype) -> None:
        super().__init__()
        self.inner, self.device, self.dtype = inner, device, dtype

    def forward(self, x: Tensor) -> Tensor:
        with torch.autocast(self.device, dtype=self.dtype):
            return self.inner(x)


def wrap(model: nn.Module, dtype: str, device: str) -> nn.Module:
    """`model` under autocast when `dtype` asks for it, else unchanged."""
    return Autocast(model, device, AUTOCAST[dtype]) if dtype in AUTOCAST else model
