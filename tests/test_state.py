"""The carried state is read off the modules' real outputs: LSTM (h, c), GRU h."""

from __future__ import annotations

import pytest

from rnnbench.measurement import runner, state
from rnnbench.measurement.timing import TimingPolicy
from rnnbench.models import build as models
from tests.conftest import tiny_case


@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("cell, tensors", [("lstm", 2), ("gru", 1)])
def test_state_tensors_and_bytes_match_the_cell(
    cell: str, tensors: int, layers: int, bidirectional: bool
) -> None:
    case = tiny_case(cell=cell, num_layers=layers, bidirectional=bidirectional)
    model = models.build_model(case)
    measured = state.carried_state(model, models.build_input(case))
    directions = 2 if bidirectional else 1
    assert measured["state_tensors"] == tensors
    assert (
        measured["state_shapes"] == [[layers * directions, case.batch, case.hidden_size]] * tensors
    )
    assert measured["state_bytes_per_seq"] == tensors * layers * directions * case.hidden_size * 4
    assert model.training  # the probe leaves the model as it found it


def test_the_classifier_and_a_narrower_dtype() -> None:
    case = tiny_case(model="classifier", dtype="bfloat16")
    measured = state.carried_state(models.build_model(case), models.build_input(case))
    assert measured["state_bytes_per_seq"] == 2 * case.hidden_size * 2


def test_a_loop_implementation_has_no_module_state_to_read() -> None:
    case = tiny_case(impl="cell_loop")
    assert state.carried_state(models.build_model(case), models.build_input(case)) == {}


def test_timed_records_carry_the_state() -> None:
    policy = TimingPolicy(warmup_rounds=1, min_rounds=1, max_rounds=1)
    measures = runner.measure_case(tiny_case(cell="gru", phase="inference"), policy)["measures"]
    assert measures["state_tensors"] == 1 and measures["state_bytes_per_seq"] == 5 * 4
