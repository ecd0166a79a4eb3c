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

Memory model (`memory_model`), in bytes. e = bytes per element of the storage dtype, N = B*T
tokens, L layers, D directions, I_l the input width of layer l, G = 4 (LSTM) or 3 (GRU) weight
blocks, C classes:
  weights    params * e
  gradients  weights in backward and forward_backward (one gradient per parameter), else 0
  inputs     N * I * e for a bare layer; N * 8 (int64 token ids) for the classifier
  outputs    N*D*H*e (output sequence) + S*L*D*B*H*e (final h, and c for LSTM: S = 2)
             + B*C*e logits for the classifier
  saved      L*D*N*K*H*e + N*e*(inputs of layers 2..L, and the classifier's RNN input): K is the
             H-wide vectors the fused kernels keep per token, layer and direction: GRU 7 (3H input-
             and 3H hidden-gate pre-activations, and h), LSTM 17 (h, and oneDNN's workspace of
             about 16H per token on CPU). The bare layer's input is saved too, but it was already
             allocated before the round, so it adds nothing.
  workspace  forward: a copy of the widest layer input N*I_l*e plus that layer's input projection
             D*N*G*H*e (and the classifier's embedding output N*I*e); CPU LSTMs add one layer-
             direction's weights in oneDNN's packed layout, which oneDNN makes on every call.
             backward, one kernel per layer (LSTM; CUDA): gradients of the widest layer's input
             and gates N*(I_l + D*G*H)*e (+ the packed weights on CPU); GRU on CPU runs step by
             step: three G*H*H*e buffers (a step's W_hh gradient, the running sum, the new sum),
             independent of T, layers and directions.
peak: one round's target above what was live after its setup (what measures.peak_bytes measures)
  inference         outputs + forward workspace
  forward           saved + outputs + forward workspace (the graph lives until the output drops)
  backward          max(gradients - saved, kept + backward workspace): backward frees the graph
                    its setup built as it goes, so the level ends near gradients - saved; kept is
                    one layer's gradients (D*G*H*(I_l+H+2)*e) where a layer's saved tensors go only
                    after its whole backward, 0 for GRU on CPU, which frees them step by step
  forward_backward  max(forward, saved + outputs + backward)
total = weights + inputs (+ saved and outputs for backward, built by its setup) + peak: what the
pre-flight check (rnnbench.measurement.preflight) compares with the memory a device can give.
K and the workspace terms follow what PyTorch 2.13's CPU kernels keep; other impls (cell_loop,
scripted, compiled) and CUDA use the same formulas unchecked. tests/test_memory.py holds the
model to the measured CPU peak of the fused kernels within a factor of 1.5 either way.
"""

from __future__ import annotations

from dataclasses import dataclass

from rnnbench.cases.case import CLASSIFIER_CLASSES, CLASSIFIER_VOCAB, Case
from rnnbench.models.precision import storage_dtype

GATES = {"lstm": 4, "gru": 3}
PHASE_FACTOR = {"forward": 1, "inference": 1, "backward": 2, "forward_backward": 3}
NOT_MODELLED = "not modelled"  # what reports and records say for a cell the formulas do not know


def modelled(case: Case) -> bool:
    """Whether the closed forms know the case's cell (the built-ins; not user cells)."""
    return case.cell_ref is None and case.cell in GATES


def layer_inputs(case: Case) -> list[int]:
    """Input width of each stacked layer."""
    return [case.input_size] + [case.directions * case.hidden_size] * (case.num_layers - 1)


def rnn_params(case: Case) -> int:
    """Parameters of the recurrent layer alone."""
    gates, hidden = GATES[case.cell], case.hidden_size
    per_direction = [
        gates * hidden * i + gates * hidden**2 + 2 * gates * hidden for i in layer_inputs(case)
    ]
    return case.directions * sum(per_direction)


def model_params(case: Case) -> int:
    """Parameters of the whole timed model."""
    params = rnn_params(case)
    if case.model == "classifier":
        features = case.directions * case.hidden_size
        params += (
            CLASSIFIER_VOCAB * case.input_size + features * CLASSIFIER_CLASSES + CLASSIFIER_CLASSES
        )
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


TRAINING = ("backward", "forward_backward")
SAVED_PER_TOKEN = {"lstm": 17, "gru": 7}  # K of the memory model
STATE_TENSORS = {"lstm": 2, "gru": 1}  # final h (and c) per layer and direction
TOKEN_BYTES = 8  # int64 token ids of the classifier


@dataclass(frozen=True)
class MemoryModel:
    """A case's memory by the model, in bytes (formulas in the module docstring)."""

    weights: int
    gradients: int
    inputs: int
    saved: int
    outputs: int
    workspace: int
    peak: int
    total: int


def memory_model(case: Case) -> MemoryModel:
    """The memory model of `case`'s phase."""
    e, n, hidden, d = (
        storage_dtype(case.dtype).itemsize,
        case.batch * case.seq_len,
        case.hidden_size,
        case.directions,
    )
    widths, gates, classifier = layer_inputs(case), GATES[case.cell], case.model == "classifier"
    weights = model_params(case) * e
    gradients = weights if case.phase in TRAINING else 0
    inputs = n * TOKEN_BYTES if classifier else n * case.input_size * e
    outputs = (
        n * d * hidden * e
        + STATE_TENSORS[case.cell] * case.num_layers * d * case.batch * hidden * e
    )
    outputs += case.batch * CLASSIFIER_CLASSES * e if classifier else 0
    new_inputs = widths[1:] + ([case.input_size] if classifier else [])
    saved = case.num_layers * d * n * SAVED_PER_TOKEN[case.cell] * hidden * e + sum(
        n * w * e for w in new_inputs
    )
    saved = saved if case.phase != "inference" else 0
    cpu_lstm = (case.cell, case.device) == ("lstm", "cpu")
    layer_weights = [gates * hidden * (w + hidden + 2) * e for w in widths]  # per direction
    packed = max(layer_weights) if cpu_lstm else 0
    forward_work = max(n * w * e for w in widths) + d * n * gates * hidden * e + packed
    forward_work += n * case.input_size * e if classifier else 0
    if (case.cell, case.device) == ("gru", "cpu"):  # step by step: three G*H*H gradient buffers
        backward_work, kept = 3 * gates * hidden * hidden * e, 0
    else:  # one kernel per layer: its graph goes only after the whole layer's gradients
        backward_work = max(n * (w + d * gates * hidden) * e for w in widths) + packed
        kept = d * max(layer_weights)
    forward = saved + outputs + forward_work
    backward = max(gradients - saved, kept + backward_work)
    peak, workspace = {
        "inference": (outputs + forward_work, forward_work),
        "forward": (forward, forward_work),
        "backward": (backward, backward_work),
        "forward_backward": (
            max(forward, saved + outputs + backward),
            max(forward_work, backward_work),
        ),
    }[case.phase]
    before = weights + inputs + (saved + outputs if case.phase == "backward" else 0)
    return MemoryModel(weights, gradients, inputs, saved, outputs, workspace, peak, before + peak)
