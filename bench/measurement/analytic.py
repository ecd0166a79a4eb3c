"""Closed forms: parameter counts and FLOPs of a case.

Parameters per layer and direction (PyTorch keeps two bias vectors, b_ih and b_hh):
  LSTM: 4H*I + 4H^2 + 8H        GRU: 3H*I + 3H^2 + 6H
where I is the input size for layer 0 and D*H (D = directions) for later layers.

FLOPs of the forward pass, counting a multiply-add as 2 FLOPs and only the matrix products
(elementwise gate math is O(H), negligible next to O(H*(I+H))):
  per time step, batch element, direction and layer: LSTM 8*H*(I+H), GRU 6*H*(I+H)
  (G gates x 2 FLOPs x H x (I+H), with G = 4 for LSTM and 3 for GRU).
The classifier adds its Linear layer, 2*(D*H)*C per batch element; the embedding is a lookup.
Backward is taken as 2x forward (gradients w.r.t. inputs and weights), so
forward_backward = 3x forward and inference = forward.
"""

from __future__ import annotations

from rnnbench.cases.case import CLASSIFIER_CLASSES, CLASSIFIER_VOCAB, Case

GATES = {"lstm": 4, "gru": 3}
PHASE_FACTOR = {"forward": 1, "inference": 1, "backward": 2, "forward_backward": 3}


def layer_inputs(case: Case) -> list[int]:
    """Input width of each stacked layer."""
    return [case.input_size] + [case.directions * case.hidden_size] * (case.num_layers - 1)


def rnn_params(case: Case) -> int:
    """Parameters of the recurrent layer alone."""
    gates, hidden = GATES[case.cell], case.hidden_size
    per_direction = [gates * hidden * i + gates * hidden**2 + 2 * gates * hidden for i in layer_inputs(case)]
    return case.directions * sum(per_direction)


def model_params(case: Case) -> int:
    """Parameters of the whole timed model."""
    params = rnn_params(case)
    if case.model == "classifier":
        features = case.directions * case.hidden_size
        params += CLASSIFIER_VOCAB * case.input_size + features * CLASSIFIER_CLASSES + CLASSIFIER_CLASSES
    return params


def forward_flops(case: Case) -> int:
    """FLOPs of one forward pass over the whole batch."""
    gates, hidden = GATES[case.cell], case.hidden_size
    per_token = case.directions * sum(2 * gates * hidden * (i + hidden) for i in layer_inputs(case))
    flops = per_token * case.batch * case.seq_len
    if case.model == "classifier":
        flops += 2 * case.directions * hidden * CLASSIFIER_CLASSES * case.batch
    return flops


def phase_flops(case: Case) -> int:
    """FLOPs of the case's phase."""
    return PHASE_FACTOR[case.phase] * forward_flops(case)
