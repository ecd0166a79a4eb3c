"""Suite files: TOML that declares axes, expanded into a list of `Case`.

A suite has optional `[suite]` (description), `[settings]` (timing policy), `[quality]` (task and
training budget of `train_quality` cases, see rnnbench.cases.quality_settings) and `[defaults]` tables, any number of `[[grid]]` tables (each a cartesian product of its axes; a scalar is a
one-value axis) and of `[[case]]` tables (one shape each, scalars only except `phases`).
CPU cases are never duplicated over `cudnn`, nor CUDA cases over `threads`; a grid point that
cannot exist (impl `native` on CPU, where it equals `fused`; packed sequences with a loop impl) is
dropped, while a `[[case]]` asking for one is an error. `impl = "native"` is the fused module with
cuDNN disabled, i.e. the `cuda-native` cases (impl `fused`, cudnn off). `threads = "all"` means
every core of the machine loading the suite. `forget_bias = "default"` is PyTorch's init (None).
"""

from __future__ import annotations

import itertools
import math
import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from rnnbench import suites
from rnnbench.cases import cell_ref
from rnnbench.cases.case import (
    AXES,
    AXIS_DEFAULTS,
    CUDNN_IMPLS,
    PHASES,
    Case,
    unsupported,
    user_cell_limit,
)
from rnnbench.cases.quality_settings import QualitySettings
from rnnbench.cases.select import MAX_CASES
from rnnbench.errors import UserError
from rnnbench.measurement.policy import TimingPolicy

SUITES_DIR = suites.DIR  # package data: the checkout's suites/
# A suite lists phases; `cell` takes a name or a reference, whose full form `cell_ref` is derived.
AXIS_KEYS = tuple("phases" if axis == "phase" else axis for axis in AXES if axis != "cell_ref")
# A suite starts from the axes' defaults, but sweeps every device, cuDNN setting and phase.
BUILTIN_DEFAULTS: dict[str, Any] = {
    **{axis: value for axis, value in AXIS_DEFAULTS.items() if axis != "phase"},
    "device": ["cpu", "cuda"],
    "cudnn": ["on", "off"],
    "phases": list(PHASES),
}
TOP_LEVEL = ("suite", "settings", "quality", "defaults", "grid", "case")


@dataclass(frozen=True)
class Suite:
    """A loaded suite: its name, timing policy and expanded cases."""

    name: str
    path: Path
    description: str
    policy: TimingPolicy
    cases: tuple[Case, ...]
    quality: QualitySettings = QualitySettings()


def resolve(name_or_path: str) -> Path:
    """A shipped suite name (`smoke`) or a path to a TOML file."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise UserError(f"--suite: no such suite file: {name_or_path}")
        return path
    shipped = SUITES_DIR / f"{name_or_path}.toml"
    if not shipped.is_file():
        raise UserError(
            f"--suite: unknown suite {name_or_path!r} (shipped: {', '.join(suites.names())})"
        )
    return shipped


def load(name_or_path: str, max_cases: int = MAX_CASES) -> Suite:
    """Read, validate and expand a suite; any mistake is a one-line `UserError`, and so is a suite
    whose tables declare more than `max_cases` cases (counted before any is built)."""
    path = resolve(name_or_path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(
            f"{path}: cannot read the suite file: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path.name}: not valid TOML: {exc}") from None
    try:
        return _parse(path, data, max_cases)
    except UserError as exc:
        raise UserError(f"{path.name}: {exc}") from None


def _parse(path: Path, data: dict[str, Any], max_cases: int = MAX_CASES) -> Suite:
    for key in data:
        if key not in TOP_LEVEL:
            raise UserError(f"{key}: unknown table (expected one of: {', '.join(TOP_LEVEL)})")
    meta = _table(data, "suite")
    _check_keys("suite", meta, ("name", "description"))
    defaults = dict(BUILTIN_DEFAULTS)
    user_defaults = _table(data, "defaults")
    _check_keys("defaults", user_defaults, AXIS_KEYS)
    defaults.update(user_defaults)
    tables: list[tuple[str, dict[str, Any], bool]] = []
    for kind in ("grid", "case"):
        listed = data.get(kind, [])
        if not isinstance(listed, list):
            raise UserError(f"{kind}: must be an array of tables ([[{kind}]])")
        for index, table in enumerate(listed):
            where = f"{kind}[{index}]"
            _check_keys(where, table, AXIS_KEYS)
            if kind == "case":
                _check_scalars(where, table)
                _check_cudnn_device(where, table, defaults)
            tables.append((where, {**defaults, **table}, kind == "case"))
    _check_size(tables, max_cases)
    cases = [
        case for where, axes, strict in tables for case in _expand(where, axes, strict, path.parent)
    ]
    if not data.get("grid") and not data.get("case"):
        raise UserError("no [[grid]] or [[case]] tables: the suite declares nothing to run")
    cell_ref.check_unique((case.cell, case.cell_ref) for case in cases)
    return Suite(
        name=str(meta.get("name", path.stem)),
        path=path,
        description=str(meta.get("description", "")),
        policy=_settings("settings", TimingPolicy, _table(data, "settings")),
        cases=tuple(dict.fromkeys(cases)),
        quality=_settings("quality", QualitySettings, _table(data, "quality")),
    )


def _check_size(tables: list[tuple[str, dict[str, Any], bool]], max_cases: int) -> None:
    """Refuse a suite that declares more than `max_cases` grid points, before building any."""
    sizes = {where: _size(axes) for where, axes, _ in tables}
    total = sum(sizes.values())
    if total > max_cases:
        largest = max(sizes, key=sizes.__getitem__)
        raise UserError(
            f"declares {total} cases ({largest}: {sizes[largest]}), more than the limit of {max_cases};"
            f" split the suite, or raise the limit with --max-cases {total}"
        )


def _size(axes: dict[str, Any]) -> int:
    """How many cases a table's axes make (CPU cases have no cudnn axis, CUDA cases no threads axis)."""
    lengths = {key: len(_as_list(axes.get(key))) for key in AXIS_KEYS}
    devices = _as_list(axes.get("device"))
    cpu = devices.count("cpu")
    per_shape = math.prod(
        n for key, n in lengths.items() if key not in ("device", "cudnn", "threads")
    )
    return per_shape * (cpu * lengths["threads"] + (len(devices) - cpu) * lengths["cudnn"])


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise UserError(f"{key}: must be a table ([{key}])")
    return value


def _check_keys(where: str, table: dict[str, Any], allowed: tuple[str, ...]) -> None:
    for key in table:
        if key not in allowed:
            raise UserError(f"{where}.{key}: unknown key (expected one of: {', '.join(allowed)})")


def _check_scalars(where: str, table: dict[str, Any]) -> None:
    for key, value in table.items():
        if isinstance(value, list) and key != "phases":
            raise UserError(f"{where}.{key}: a [[case]] takes one value (use [[grid]] for lists)")


def _check_cudnn_device(where: str, table: dict[str, Any], defaults: dict[str, Any]) -> None:
    """A [[case]] that sets `cudnn` on a CPU-only device asks for something that cannot happen."""
    if "cudnn" in table and _as_list(table.get("device", defaults["device"])) == ["cpu"]:
        raise UserError(
            f'{where}.cudnn: CPU cases have no cuDNN setting (remove it, or set device = "cuda")'
        )


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _cudnn(where: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("on", "off"):
        return value == "on"
    raise UserError(f"{where}.cudnn: unknown value {value!r} (expected one of: on, off)")


def _threads(where: str, value: Any) -> Any:
    if value == "all":
        return os.cpu_count() or 1
    if isinstance(value, str):
        raise UserError(
            f"{where}.threads: unknown value {value!r} (expected a positive integer or 'all')"
        )
    return value


def _point(where: str, point: dict[str, Any], strict: bool, base: Path) -> dict[str, Any] | None:
    """Canonical axes of one grid point, or None when the point cannot exist (grids only).
    A file reference in `cell` is relative to `base`, the suite file's folder."""
    point["phase"] = point.pop("phases")
    try:
        point["cell"], point["cell_ref"] = cell_ref.parse(point["cell"], base)
    except UserError as exc:
        raise UserError(f"{where}.{exc}") from None
    cuda = point["device"] == "cuda"
    cudnn = _cudnn(where, point["cudnn"])
    if point["impl"] == "native":
        if not cuda:
            if strict:
                raise UserError(
                    f"{where}.impl: 'native' (cuDNN off) is CUDA only; on CPU it is 'fused'"
                )
            return None
        point["impl"], cudnn = "fused", False
    point["cudnn"] = cudnn if cuda and point["impl"] in CUDNN_IMPLS else None
    point["threads"] = None if cuda else _threads(where, point["threads"])
    if point["forget_bias"] == "default":  # TOML has no null: "default" is PyTorch's init
        point["forget_bias"] = None
    reason = unsupported(point["impl"], point["layout"], point["model"])
    if reason is not None:
        if strict:
            raise UserError(f"{where}.layout: {reason}")
        return None
    limit = user_cell_limit(point["cell_ref"], point["impl"], point["layout"])
    if limit is not None:
        if strict:
            raise UserError(f"{where}.{limit[0]}: {limit[1]} (cell {point['cell']!r})")
        return None
    return point


def _expand(where: str, axes: dict[str, Any], strict: bool, base: Path) -> list[Case]:
    missing = [key for key in AXIS_KEYS if key not in axes]
    if missing:
        raise UserError(f"{where}.{missing[0]}: missing (set it here or in [defaults])")
    names = list(AXIS_KEYS)
    values = []
    for key in names:
        options = _as_list(axes[key])
        if not options:
            raise UserError(f"{where}.{key}: empty list")
        values.append(options)
    cases = []
    for combo in itertools.product(*values):
        point = _point(where, dict(zip(names, combo)), strict, base)
        if point is None:
            continue
        try:
            cases.append(Case(**point))
        except UserError as exc:
            raise UserError(f"{where}.{exc}") from None
    return cases


def _settings(where: str, kind: Any, table: dict[str, Any]) -> Any:
    """A settings dataclass (`kind`) from its table, errors prefixed with the table's name."""
    _check_keys(where, table, tuple(f.name for f in fields(kind)))
    try:
        return kind(**table)
    except UserError as exc:
        raise UserError(f"{where}.{exc}") from None
