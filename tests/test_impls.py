"""Every implementation computes what nn.LSTM / nn.GRU computes, given the same weights."""

from __future__ import annotations

import copy
import shutil

import pytest
import torch
from torch import nn

from rnnbench.models import impls
from rnnbench.models.build import LayerOutput

FP32 = {"rtol": 1e-5, "atol": 1e-6}


def fused(cell: str, num_layers: int, bidirectional: bool) -> nn.RNNBase:
    torch.manual_seed(0)
    rnn_type = nn.LSTM if cell == "lstm" else nn.GRU
    return rnn_type(3, 4, num_layers=num_layers, bidirectional=bidirectional, batch_first=True)


def run(
    module: nn.Module, x: torch.Tensor, grad: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, list[torch.Tensor]]:
    """Output, input gradient and parameter gradients of one forward + backward."""
    x = x.clone().requires_grad_(True)
    output = module(x)
    output.backward(grad)
    assert x.grad is not None
    return output.detach(), x.grad, [p.grad for p in module.parameters()]


def assert_equivalent(
    impl: str, cell: str, num_layers: int, bidirectional: bool, steps: int = 5
) -> None:
    reference = LayerOutput(fused(cell, num_layers, bidirectional))
    candidate = impls.apply(copy.deepcopy(reference), impl)
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(2, steps, 3, generator=gen)
    grad = torch.randn(2, steps, 4 * (2 if bidirectional else 1), generator=gen)
    want_out, want_dx, want_dw = run(reference, x, grad)
    got_out, got_dx, got_dw = run(candidate, x, grad)
    torch.testing.assert_close(got_out, want_out, **FP32)
    torch.testing.assert_close(got_dx, want_dx, **FP32)
    assert len(got_dw) == len(want_dw) == 4 * num_layers * (2 if bidirectional else 1)
    for got, want in zip(got_dw, want_dw):
        torch.testing.assert_close(got, want, **FP32)


SLOW = (
    pytest.mark.slow
)  # torch.compile traces for seconds per shape; the fast loop runs both compiled impls in test_axes


@pytest.mark.parametrize(
    "impl",
    [
        "cell_loop",
        "scripted",
        pytest.param("compiled", marks=SLOW),
        pytest.param("compiled_loop", marks=SLOW),
    ],
)
@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_outputs_and_gradients_match_the_fused_module(
    impl: str, cell: str, num_layers: int, bidirectional: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # aot_eager traces exactly what inductor compiles (dynamo + AOT autograd), without C++ codegen
    monkeypatch.setattr(impls, "COMPILE_BACKEND", "aot_eager")
    assert_equivalent(impl, cell, num_layers, bidirectional)


def test_final_states_match_the_fused_module() -> None:
    for cell in ("lstm", "gru"):
        rnn = fused(cell, 2, True)
        x = torch.randn(2, 4, 3)
        want_out, want_state = rnn(x)
        for impl in ("cell_loop", "scripted"):
            got_out, got_state = impls.loop_for(rnn, impl)(x)
            torch.testing.assert_close(got_out, want_out, **FP32)
            for got, want in zip(*(s if cell == "lstm" else (s,) for s in (got_state, want_state))):
                assert got.shape == want.shape == (4, 2, 4)  # layers x directions, batch, hidden
                torch.testing.assert_close(got, want, **FP32)


def test_loops_hold_copies_not_the_fused_weights() -> None:
    rnn = fused("lstm", 1, False)
    loop = impls.loop_for(rnn, "scripted")
    with torch.no_grad():
        next(loop.parameters()).add_(1.0)
    assert not torch.equal(next(loop.parameters()), rnn.weight_ih_l0)


@pytest.mark.slow  # inductor runs a C++ compiler in subprocesses
@pytest.mark.skipif(
    shutil.which("g++") is None and shutil.which("clang++") is None,
    reason="inductor needs a C++ compiler",
)
def test_inductor_compiles_both_compiled_impls() -> None:
    """The real backend at the smallest shape (tens of seconds on a cold 2-core machine)."""
    assert_equivalent("compiled", "lstm", 1, False, steps=2)
    assert_equivalent("compiled_loop", "gru", 1, False, steps=2)
