"""The state a recurrent layer carries from one step to the next, read off its real output.

nn.LSTM returns `(output, (h_n, c_n))`, nn.GRU `(output, h_n)`: the second element is exactly what
a caller must keep to continue a sequence later (a streaming server, per user). A forward hook on
the model's recurrent layer captures it during one forward of the case's input.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from rnnbench.models import build as models
from rnnbench.results.schema import StateMeasures


def state_tensors(state: Tensor | tuple[Tensor, ...]) -> tuple[Tensor, ...]:
    """The state as a tuple: (h, c) for LSTM, (h,) for GRU."""
    return state if isinstance(state, tuple) else (state,)


def carried_state(model: nn.Module, inputs: Tensor) -> StateMeasures:
    """`state_tensors`, `state_shapes` and `state_bytes_per_seq` of `model`'s recurrent layer.

    Models without an nn.LSTM / nn.GRU inside (loop and compiled impls) give {}: the state of a
    cell does not depend on how its loop is run.
    """
    try:
        rnn = models.rnn_of(model)
    except TypeError:
        return {}
    captured: list[Tensor | tuple[Tensor, ...]] = []
    handle = rnn.register_forward_hook(lambda module, args, output: captured.append(output[1]))
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            model(inputs)
    finally:
        handle.remove()
        model.train(was_training)
    tensors = state_tensors(captured[-1])
    return {
        "state_tensors": len(tensors),
        "state_shapes": [list(t.shape) for t in tensors],
        # shape (layers x directions, batch, hidden): bytes of one sequence = one batch column
        "state_bytes_per_seq": sum(t.numel() // t.shape[1] * t.element_size() for t in tensors),
    }
