"""Closed-form parameter counts must equal PyTorch's; FLOP formulas follow the documented rule."""

from __future__ import annotations

import pytest

from rnnbench.measurement import analytic
from rnnbench.models import build as models
from tests.conftest import tiny_case


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("num_layers", [1, 2, 3])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("model", ["layer", "classifier"])
def test_param_formula_matches_pytorch(
    cell: str, num_layers: int, bidirectional: bool, model: str
) -> None:
    case = tiny_case(
        cell=cell,
        num_layers=num_layers,
        bidirectional=bidirectional,
        model=model,
        input_size=7,
        hidden_size=5,
    )
    built = models.build_model(case)
    assert analytic.model_params(case) == sum(p.numel() for p in built.parameters())
    assert analytic.rnn_params(case) == sum(p.numel() for p in models.rnn_of(built).parameters())


def test_param_closed_form_per_layer_direction() -> None:
    h, i = 256, 300
    lstm = tiny_case(cell="lstm", input_size=i, hidden_size=h)
    gru = tiny_case(cell="gru", input_size=i, hidden_size=h)
    assert analytic.rnn_params(lstm) == 4 * h * i + 4 * h * h + 8 * h
    assert analytic.rnn_params(gru) == 3 * h * i + 3 * h * h + 6 * h
    # a second bidirectional layer sees D*H inputs
    deep = tiny_case(cell="gru", input_size=i, hidden_size=h, num_layers=2, bidirectional=True)
    assert analytic.rnn_params(deep) == 2 * (3 * h * i + 3 * h * h + 6 * h) + 2 * (
        3 * h * 2 * h + 3 * h * h + 6 * h
    )


def test_reference_classifier_sizes() -> None:
    case = tiny_case(
        model="classifier", input_size=300, hidden_size=256, num_layers=2, bidirectional=True
    )
    lstm = models.build_model(case)
    assert sum(p.numel() for p in lstm.parameters()) == analytic.model_params(case)
    assert lstm(models.build_input(tiny_case(model="classifier", batch=4, seq_len=5))).shape == (
        4,
        2,
    )


def test_forward_flops_rule() -> None:
    b, t, i, h = 3, 7, 11, 13
    lstm = tiny_case(cell="lstm", batch=b, seq_len=t, input_size=i, hidden_size=h)
    gru = tiny_case(cell="gru", batch=b, seq_len=t, input_size=i, hidden_size=h)
    assert analytic.forward_flops(lstm) == 8 * h * (i + h) * b * t
    assert analytic.forward_flops(gru) == 6 * h * (i + h) * b * t
    bi2 = tiny_case(
        cell="lstm",
        batch=b,
        seq_len=t,
        input_size=i,
        hidden_size=h,
        num_layers=2,
        bidirectional=True,
    )
    assert analytic.forward_flops(bi2) == 2 * (8 * h * (i + h) + 8 * h * (2 * h + h)) * b * t


@pytest.mark.parametrize(
    ("phase", "factor"),
    [("forward", 1), ("inference", 1), ("backward", 2), ("forward_backward", 3)],
)
def test_phase_flops_factor(phase: str, factor: int) -> None:
    case = tiny_case(phase=phase)
    assert analytic.phase_flops(case) == factor * analytic.forward_flops(tiny_case())
