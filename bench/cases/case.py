"""The frozen benchmark case: what is measured, and its readable id.

A `Case` names one (model, shape, device, phase) point of the grid. Reports and the
regression gate pivot on its fields, so the field names are the record schema's axis names.
"""

from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass, fields
from typing import TYPE_CHECKING, Any, cast

from rnnbench.cases import cell_ref
from rnnbench.errors import UserError

if TYPE_CHECKING:
    from rnnbench.results.schema import CaseDict

CELLS = cell_ref.BUILTIN_CELLS
MODELS = ("layer", "classifier")
# autocast_* keep float32 weights and run the forward under torch.autocast at that dtype.
DTYPES = {
    "float32": "fp32",
    "bfloat16": "bf16",
    "float16": "fp16",
    "autocast_bf16": "amp-bf16",
    "autocast_fp16": "amp-fp16",
}
DEVICES = ("cpu", "cuda")
PHASES = ("forward", "backward", "forward_backward", "inference")
QUALITY_PHASE = "train_quality"  # train the classifier to accuracy (rnnbench.measurement.quality); never a default
# fused: nn.LSTM / nn.GRU; cell_loop: nn.*Cell per step; scripted: TorchScript custom loop;
# compiled: torch.compile of the fused module; compiled_loop: torch.compile of the custom loop.
IMPLS = ("fused", "cell_loop", "scripted", "compiled", "compiled_loop")
CUDNN_IMPLS = ("fused", "compiled")  # the others never call cuDNN: their `cudnn` is None
LAYOUTS = ("padded", "packed")
POSITIVE_INTS = ("batch", "seq_len", "input_size", "hidden_size", "num_layers")
# Quality tasks (rnnbench.measurement.tasks) and the model each trains; a quality case without a task trains recall.
TASK_MODELS = {"recall": "classifier", "adding": "layer", "sentiment": "classifier"}
ADDING_FEATURES = 2  # the adding problem feeds (value, marker) at each step
MATCHES = ("hidden", "params")  # params: GRU's hidden size raised to LSTM's parameter count

# The classifier's fixed parts (the project brief's reference model).
CLASSIFIER_VOCAB = 25000
CLASSIFIER_CLASSES = 2
CLASSIFIER_DROPOUT = 0.5


@dataclass(frozen=True, order=True, kw_only=True)
class Case:
    """One measured point, by keyword: `Case(cell="gru", batch=8, seq_len=32, input_size=64, hidden_size=64)`.

    The fields are the axes, and their defaults are the axes' defaults (suite files start from them).
    `cudnn` is None on CPU, where it has no meaning.
    """

    cell: str
    model: str = "layer"
    batch: int
    seq_len: int
    input_size: int
    hidden_size: int
    num_layers: int = 1
    bidirectional: bool = False
    dtype: str = "float32"
    device: str = "cpu"
    cudnn: bool | None = None
    phase: str = "forward"
    impl: str = "fused"
    layout: str = "padded"
    threads: int | None = None  # CPU intra-op threads for this case; None = the session's
    task: str | None = None  # train_quality only: what it trains on (None: recall)
    forget_bias: float | None = (
        None  # train_quality, LSTM only: forget-gate bias at init; None: PyTorch's
    )
    match: str = "hidden"  # train_quality: "params" sizes GRU to LSTM's parameter count
    # A user cell's full reference (rnnbench.cases.cell_ref); `cell` is then its short name. None: built-in.
    cell_ref: str | None = None

    def __post_init__(self) -> None:
        if self.cell_ref is None:  # `cell` as a user writes it: a name or a reference
            short, ref = cell_ref.parse(self.cell)
            object.__setattr__(self, "cell", short)
            object.__setattr__(self, "cell_ref", ref)
        elif self.cell != cell_ref.short_name(self.cell) or self.cell in CELLS:
            raise UserError(
                f"cell: {self.cell!r} is not a user cell's short name (its cell_ref is {self.cell_ref!r})"
            )
        check_user_cell(self)
        check_value("model", self.model, MODELS)
        check_value("dtype", self.dtype, tuple(DTYPES))
        check_value("device", self.device, DEVICES)
        check_value("phase", self.phase, (*PHASES, QUALITY_PHASE))
        check_value("impl", self.impl, IMPLS)
        check_value("layout", self.layout, LAYOUTS)
        for name in POSITIVE_INTS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise UserError(f"{name}: must be a positive integer, got {value!r}")
        if not isinstance(self.bidirectional, bool):
            raise UserError(f"bidirectional: must be true or false, got {self.bidirectional!r}")
        if self.device == "cpu" and self.cudnn is not None:
            raise UserError("cudnn: only meaningful on device 'cuda' (leave it unset for cpu)")
        uses_cudnn = self.impl in CUDNN_IMPLS
        if self.device == "cuda" and uses_cudnn and not isinstance(self.cudnn, bool):
            raise UserError(f"cudnn: must be on or off for device 'cuda', got {self.cudnn!r}")
        if not uses_cudnn and self.cudnn is not None:
            raise UserError(f"cudnn: impl {self.impl!r} never calls cuDNN (leave it unset)")
        if self.threads is not None and (
            isinstance(self.threads, bool) or not isinstance(self.threads, int) or self.threads < 1
        ):
            raise UserError(f"threads: must be a positive integer, got {self.threads!r}")
        if self.threads is not None and self.device != "cpu":
            raise UserError("threads: only meaningful on device 'cpu' (leave it unset for cuda)")
        check_quality(self)
        reason = unsupported(self.impl, self.layout, self.model)
        if reason is not None:
            raise UserError(f"layout: {reason}")

    @property
    def directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def device_label(self) -> str:
        """`cpu`, `cuda-cudnn`, `cuda-native` (cuDNN disabled) or `cuda` (impls without cuDNN)."""
        if self.device == "cpu" or self.cudnn is None:
            return self.device
        return "cuda-cudnn" if self.cudnn else "cuda-native"

    @property
    def shape_id(self) -> str:
        """The id without the phase: identifies the built model and its inputs."""
        return "-".join(
            [
                self.cell,
                self.model,
                *([self.task] if self.task is not None else []),
                *([self.impl] if self.impl != "fused" else []),
                f"b{self.batch}",
                f"t{self.seq_len}",
                f"i{self.input_size}",
                f"h{self.hidden_size}",
                f"l{self.num_layers}",
                "bi" if self.bidirectional else "uni",
                *([self.layout] if self.layout != "padded" else []),
                self.device_label,
                *([f"thr{self.threads}"] if self.threads is not None else []),
                DTYPES[self.dtype],
                *([f"fb{self.forget_bias:g}"] if self.forget_bias is not None else []),
                *(["peq"] if self.match == "params" else []),
            ]
        )

    @property
    def id(self) -> str:
        """Readable test id, e.g. `lstm-layer-b32-t100-i300-h256-l2-bi-cpu-fp32-forward`."""
        return f"{self.shape_id}-{self.phase}"

    def to_dict(self) -> CaseDict:
        return cast("CaseDict", asdict(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Case:
        """Read a stored case; axes added after a record was written (`ADDED_AXES`) take their defaults."""
        return cls(
            **{
                f.name: data[f.name]
                for f in fields(cls)
                if f.name in data or f.name not in ADDED_AXES
            }
        )


# The axes and their defaults are declared once, by `Case` itself; everything else derives from it.
AXES = tuple(f.name for f in fields(Case))
AXIS_DEFAULTS = {f.name: f.default for f in fields(Case) if f.default is not MISSING}
ADDED_AXES = (
    "impl",
    "layout",
    "threads",
    "task",
    "forget_bias",
    "match",
    "cell_ref",
)  # not in early schema-1 records: read as their defaults
QUALITY_AXES = (
    "task",
    "forget_bias",
    "match",
)  # train_quality only (check_quality); other cases keep the defaults
# What is built and fed (model, sizes, dtype, impl, ...), across cells, devices and phases: what reports pair on.
# Quality axes stay out: timed records never vary in them (rnnbench.reports.accuracy pairs on them itself).
SHAPE_AXES = tuple(
    axis
    for axis in AXES
    if axis not in ("cell", "cell_ref", "device", "cudnn", "phase", *QUALITY_AXES)
)
USER_CELL_IMPLS = (
    "fused",
    "compiled",
)  # the loop impls rebuild nn.LSTM / nn.GRU from their weights


def unsupported(impl: str, layout: str, model: str) -> str | None:
    """Why an (impl, layout, model) combination cannot exist, or None."""
    if layout == "packed" and impl not in CUDNN_IMPLS:
        return f"packed sequences need impl fused or compiled (nn.LSTM / nn.GRU), not {impl!r}"
    if layout == "packed" and model != "layer":
        return "packed sequences are measured on the bare layer (model 'layer') only"
    return None


def user_cell_limit(cell_ref: str | None, impl: str, layout: str) -> tuple[str, str] | None:
    """(field, reason) when a user cell cannot run as `impl` / `layout`, else None."""
    if cell_ref is None:
        return None
    if impl not in USER_CELL_IMPLS:
        return (
            "impl",
            f"{impl!r} rebuilds nn.LSTM / nn.GRU; a user cell runs as: {', '.join(USER_CELL_IMPLS)}",
        )
    if layout != "padded":
        return "layout", "packed sequences need nn.LSTM / nn.GRU; a user cell runs padded"
    return None


def check_user_cell(case: Case) -> None:
    """A user cell runs as the module it is (or torch.compile'd), padded, and is not trained for quality."""
    limit = user_cell_limit(case.cell_ref, case.impl, case.layout)
    if limit is not None:
        raise UserError(f"{limit[0]}: {limit[1]} (cell {case.cell!r})")
    if case.cell_ref is not None and case.phase == QUALITY_PHASE:
        raise UserError(
            f"phase: {QUALITY_PHASE} trains the built-in cells only (lstm, gru), not {case.cell!r}"
        )


def check_quality(case: Case) -> None:
    """Quality axes belong to train_quality cases, and each task trains one kind of model."""
    check_value("match", case.match, MATCHES)
    if case.phase != QUALITY_PHASE:
        for name in QUALITY_AXES:
            if getattr(case, name) != AXIS_DEFAULTS[name]:
                raise UserError(
                    f"{name}: only {QUALITY_PHASE} cases use it (phase is {case.phase!r})"
                )
        return
    task = case.task or "recall"
    check_value("task", task, tuple(TASK_MODELS))
    if case.model != TASK_MODELS[task]:
        raise UserError(
            f"model: task {task!r} trains model {TASK_MODELS[task]!r}, not {case.model!r}"
        )
    if task == "adding" and case.input_size != ADDING_FEATURES:
        raise UserError(
            f"input_size: task 'adding' feeds {ADDING_FEATURES} features per step, got {case.input_size!r}"
        )
    if case.forget_bias is not None and (
        isinstance(case.forget_bias, bool) or not isinstance(case.forget_bias, (int, float))
    ):
        raise UserError(
            f"forget_bias: must be a number or 'default' (PyTorch's init), got {case.forget_bias!r}"
        )


def check_value(name: str, value: object, allowed: tuple[str, ...]) -> None:
    """Raise a one-line `UserError` naming the field when `value` is not allowed."""
    if value not in allowed:
        raise UserError(f"{name}: unknown value {value!r} (expected one of: {', '.join(allowed)})")
