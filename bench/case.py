"""The frozen benchmark case: what is measured, and its readable id.

A `Case` names one (model, shape, device, phase) point of the grid. Reports and the
regression gate pivot on its fields, so the field names are the record schema's axis names.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from bench.errors import UserError

CELLS = ("lstm", "gru")
MODELS = ("layer", "classifier")
DTYPES = {"float32": "fp32", "bfloat16": "bf16", "float16": "fp16"}
DEVICES = ("cpu", "cuda")
PHASES = ("forward", "backward", "forward_backward", "inference")
POSITIVE_INTS = ("batch", "seq_len", "input_size", "hidden_size", "num_layers")

# The classifier's fixed parts (the project brief's reference model).
CLASSIFIER_VOCAB = 25000
CLASSIFIER_CLASSES = 2
CLASSIFIER_DROPOUT = 0.5


@dataclass(frozen=True, order=True)
class Case:
    """One measured point. `cudnn` is None on CPU, where it has no meaning."""

    cell: str
    model: str
    batch: int
    seq_len: int
    input_size: int
    hidden_size: int
    num_layers: int
    bidirectional: bool
    dtype: str
    device: str
    cudnn: bool | None
    phase: str

    def __post_init__(self) -> None:
        check_value("cell", self.cell, CELLS)
        check_value("model", self.model, MODELS)
        check_value("dtype", self.dtype, tuple(DTYPES))
        check_value("device", self.device, DEVICES)
        check_value("phase", self.phase, PHASES)
        for name in POSITIVE_INTS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise UserError(f"{name}: must be a positive integer, got {value!r}")
        if not isinstance(self.bidirectional, bool):
            raise UserError(f"bidirectional: must be true or false, got {self.bidirectional!r}")
        if self.device == "cpu" and self.cudnn is not None:
            raise UserError("cudnn: only meaningful on device 'cuda' (leave it unset for cpu)")
        if self.device == "cuda" and not isinstance(self.cudnn, bool):
            raise UserError(f"cudnn: must be on or off for device 'cuda', got {self.cudnn!r}")

    @property
    def directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def device_label(self) -> str:
        """`cpu`, `cuda-cudnn` or `cuda-native` (cuDNN disabled)."""
        if self.device == "cpu":
            return "cpu"
        return "cuda-cudnn" if self.cudnn else "cuda-native"

    @property
    def shape_id(self) -> str:
        """The id without the phase: identifies the built model and its inputs."""
        return "-".join(
            [
                self.cell,
                self.model,
                f"b{self.batch}",
                f"t{self.seq_len}",
                f"i{self.input_size}",
                f"h{self.hidden_size}",
                f"l{self.num_layers}",
                "bi" if self.bidirectional else "uni",
                self.device_label,
                DTYPES[self.dtype],
            ]
        )

    @property
    def id(self) -> str:
        """Readable test id, e.g. `lstm-layer-b32-t100-i300-h256-l2-bi-cpu-fp32-forward`."""
        return f"{self.shape_id}-{self.phase}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Case:
        return cls(**{f.name: data[f.name] for f in fields(cls)})


AXES = tuple(f.name for f in fields(Case))


def check_value(name: str, value: object, allowed: tuple[str, ...]) -> None:
    """Raise a one-line `UserError` naming the field when `value` is not allowed."""
    if value not in allowed:
        raise UserError(f"{name}: unknown value {value!r} (expected one of: {', '.join(allowed)})")
