"""minGRU / minLSTM: the log-space parallel scan computes what the step-by-step recurrence computes."""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

from rnnbench.models import minrnn

CELLS = {"mingru": minrnn.MinGRU, "minlstm": minrnn.MinLSTM}


def forward_backward(module: nn.Module, x: torch.Tensor, grad: torch.Tensor) -> list[torch.Tensor]:
    """Output, input gradient and every parameter gradient of one forward + backward."""
    x = x.clone().requires_grad_(True)
    output = module(x)
    output.backward(grad)
    assert x.grad is not None
    return [output.detach(), x.grad, *(p.grad for p in module.parameters())]


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize(("num_layers", "bidirectional"), [(1, False), (2, True)])
def test_parallel_and_sequential_modes_agree_on_outputs_and_gradients(
    cell: str, num_layers: int, bidirectional: bool
) -> None:
    """In float64, so a mismatch is a difference in the maths, not float32 rounding."""
    torch.manual_seed(0)
    parallel = CELLS[cell](3, 4, num_layers=num_layers, bidirectional=bidirectional).double()
    sequential = copy.deepcopy(parallel)
    sequential.mode = "sequential"
    gen = torch.Generator().manual_seed(1)
    x = (
        torch.randn(2, 7, 3, generator=gen, dtype=torch.float64) * 3
    )  # both signs: both branches of g
    grad = torch.randn(2, 7, 4 * (2 if bidirectional else 1), generator=gen, dtype=torch.float64)
    got, want = forward_backward(parallel, x, grad), forward_backward(sequential, x, grad)
    assert len(got) == 2 + 2 * num_layers * (2 if bidirectional else 1)
    for a, b in zip(got, want):
        torch.testing.assert_close(a, b)


@pytest.mark.parametrize("cell", CELLS)
def test_modes_agree_over_a_long_sequence(cell: str) -> None:
    """In float32 over 2048 steps: the log-space prefix sum grows to ~T·|log a|, and float32 keeps
    ~7 digits of it, so the scan loses a few digits against the loop (seen: 1.6e-4 relative)."""
    torch.manual_seed(0)
    module = CELLS[cell](2, 3)
    x = torch.randn(1, 2048, 2, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        parallel = module(x)
        module.mode = "sequential"
        torch.testing.assert_close(parallel, module(x), rtol=1e-3, atol=1e-4)


def test_mingru_step_is_the_paper_equation() -> None:
    """h_t = (1 − z_t) h_{t-1} + z_t g(h̃_t), z_t = σ(k_t), from h_0 = 0, checked for two steps by hand."""
    torch.manual_seed(0)
    module = minrnn.MinGRU(2, 3)
    x = torch.randn(1, 2, 2)
    with torch.no_grad():
        k, h_tilde = module.layers[0][0].proj(x).chunk(2, dim=-1)
        z, cand = torch.sigmoid(k), minrnn.g(h_tilde)
        h1 = z[:, 0] * cand[:, 0]
        h2 = (1 - z[:, 1]) * h1 + z[:, 1] * cand[:, 1]
        torch.testing.assert_close(module(x), torch.stack([h1, h2], dim=1))


def test_minlstm_gates_are_normalised() -> None:
    """f' + i' = 1 (the paper's time-independent normalisation), so h stays a convex mix of candidates."""
    torch.manual_seed(0)
    projected = torch.randn(4, 5, 9) * 4
    log_f, log_b = minrnn.minlstm_coefficients(projected)
    log_i = log_b - minrnn.log_g(projected.chunk(3, dim=-1)[2])
    torch.testing.assert_close(log_f.exp() + log_i.exp(), torch.ones_like(log_f))


@pytest.mark.parametrize("cell", CELLS)
def test_contract_shapes_params_and_batch_first(cell: str) -> None:
    """Constructed like nn.LSTM; (batch, seq, input) → (batch, seq, hidden × directions); one
    projection per direction and layer (minGRU 2 blocks, minLSTM 3); batch_first=False transposes."""
    module = CELLS[cell](5, 4, num_layers=2, bidirectional=True, batch_first=True)
    x = torch.randn(3, 6, 5)
    assert module(x).shape == (3, 6, 8)
    blocks = 2 if cell == "mingru" else 3
    want = 2 * blocks * 4 * (5 + 1) + 2 * blocks * 4 * (8 + 1)
    assert sum(p.numel() for p in module.parameters()) == want
    seq_first = CELLS[cell](5, 4, num_layers=2, bidirectional=True, batch_first=False)
    seq_first.load_state_dict(module.state_dict())
    torch.testing.assert_close(seq_first(x.transpose(0, 1)).transpose(0, 1), module(x))


def test_sequential_entry_point_classes_default_to_the_loop_and_bad_modes_are_refused() -> None:
    assert minrnn.MinGRUSequential(2, 2).mode == minrnn.MinLSTMSequential(2, 2).mode == "sequential"
    assert minrnn.MinGRU(2, 2).mode == "parallel"
    with pytest.raises(ValueError, match="mode"):
        minrnn.MinGRU(2, 2, mode="blelloch")


def test_registered_through_the_rnnbench_cells_entry_point() -> None:
    """The installed package names its cells in the `rnnbench.cells` group (pyproject.toml)."""
    from importlib.metadata import entry_points

    found = {ep.name: ep.load() for ep in entry_points(group="rnnbench.cells")}
    assert found["mingru"] is minrnn.MinGRU and found["minlstm"] is minrnn.MinLSTM
    assert (
        found["mingru-seq"] is minrnn.MinGRUSequential
        and found["minlstm-seq"] is minrnn.MinLSTMSequential
    )
