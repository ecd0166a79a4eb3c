"""User cells: the contract they meet, loading them, and checking them before anything is timed.

A reference (rnnbench.cases.cell_ref) names a class or factory meeting `RecurrentCell`. Loading
imports it (a file reference is imported from its path, once per process); `check_cells` proves
every distinct user cell of a selection on a tiny probe input and turns any mistake into one
`UserError` line naming the `cell` field, so a bad reference stops the run before any case runs.
`cell_code` is what a record keeps to say which code ran: the reference, the short name and a
hash of the source file that defines the cell (the whole file, so helpers beside it count).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import torch
from torch import Tensor, nn

from rnnbench.cases.case import Case
from rnnbench.errors import UserError
from rnnbench.results.schema import CellCode

PROBE = {
    "batch": 2,
    "seq_len": 3,
    "input_size": 5,
    "hidden_size": 4,
}  # sizes differ, so swapped ones show
BUILTIN_REFS = {"lstm": "torch.nn:LSTM", "gru": "torch.nn:GRU"}


@runtime_checkable
class RecurrentCell(Protocol):
    """What rnnbench calls a cell: constructed and called like nn.LSTM with `batch_first=True`.

    `cls(input_size, hidden_size, num_layers=L, bidirectional=B, batch_first=True)` returns an
    nn.Module (or any callable with `.parameters()`); `forward(x)` takes `x` of shape
    (batch, seq, input_size) and returns the output of shape (batch, seq, hidden_size x D), D = 2
    when bidirectional else 1, or a tuple whose first element is that output (nn.LSTM's
    `(output, (h, c))` qualifies). Backward phases need trainable parameters. The cell may ignore
    arguments it has no use for, but must accept them.
    """

    def __call__(self, x: Tensor) -> Tensor | tuple[Any, ...]: ...

    def parameters(self, recurse: bool = True) -> Any: ...


def reference(case: Case) -> str:
    """The full reference of a case's cell (built-ins as their torch.nn reference)."""
    return case.cell_ref or BUILTIN_REFS[case.cell]


@cache
def _file_module(path: str) -> Any:
    """Import a Python file as a module once, under a name unique to its path."""
    name = f"rnnbench_user_cell_{hashlib.sha256(path.encode()).hexdigest()[:12]}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"not a Python file: {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses, pickling and torch.compile look modules up by name
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def load(ref: str) -> Any:
    """The object a full reference names; `ImportError` / `AttributeError` when it cannot be had."""
    where, _, name = ref.rpartition(":")
    if where.endswith(".py"):
        if not Path(where).is_file():
            raise ImportError(f"no such file: {where}")
        module = _file_module(where)
    else:
        module = importlib.import_module(where)
    if not hasattr(module, name):
        raise AttributeError(f"{where} has no {name!r}")
    return getattr(module, name)


def construct(
    cell: Any, input_size: int, hidden_size: int, num_layers: int, bidirectional: bool
) -> nn.Module:
    """The cell built as the contract says (nn.LSTM's signature, batch first)."""
    return cell(
        input_size,
        hidden_size,
        num_layers=num_layers,
        bidirectional=bidirectional,
        batch_first=True,
    )


def output_of(result: Any) -> Tensor:
    """The output of a forward: the result, or its first element."""
    return result[0] if isinstance(result, (tuple, list)) and result else result


def build(case: Case, input_size: int | None = None) -> nn.Module:
    """The case's cell module, built at `input_size` (default: the case's)."""
    return construct(
        load(reference(case)),
        input_size or case.input_size,
        case.hidden_size,
        case.num_layers,
        case.bidirectional,
    )


def probe(ref: str, num_layers: int, bidirectional: bool) -> str | None:
    """Why the cell at `ref` breaks the contract on a tiny input, or None when it keeps it."""
    try:
        cell = load(ref)
    except Exception as exc:  # anything the user's import raises
        return f"does not import: {type(exc).__name__}: {exc}"
    if not callable(cell):
        return f"is a {type(cell).__name__}, not a class or factory"
    batch, seq, inputs, hidden = PROBE.values()
    try:
        module = construct(cell, inputs, hidden, num_layers, bidirectional)
    except Exception as exc:
        return f"cannot be built as NAME(input_size, hidden_size, num_layers=..., bidirectional=..., batch_first=True): {type(exc).__name__}: {exc}"
    if not isinstance(module, RecurrentCell):
        return f"built a {type(module).__name__}, which is not callable with .parameters() (make it an nn.Module)"
    try:
        with torch.no_grad():
            out = output_of(module(torch.randn(batch, seq, inputs)))
    except Exception as exc:
        return f"forward(x) on x of shape {(batch, seq, inputs)} raised {type(exc).__name__}: {exc}"
    want = (batch, seq, hidden * (2 if bidirectional else 1))
    if not isinstance(out, Tensor) or tuple(out.shape) != want:
        got = tuple(out.shape) if isinstance(out, Tensor) else type(out).__name__
        return f"output of shape {got} on input {(batch, seq, inputs)}; expected (batch, seq, hidden x directions) = {want}"
    return None


def check_cells(cases: Iterable[Case]) -> None:
    """Probe every distinct user cell of `cases` (per layers and directions); the first failure is a
    one-line `UserError` naming the `cell` field, its reference and the cause."""
    for ref, layers, bidirectional in dict.fromkeys(
        (c.cell_ref, c.num_layers, c.bidirectional) for c in cases if c.cell_ref
    ):
        assert ref is not None
        why = probe(ref, layers, bidirectional)
        if why is not None:
            shape = f"num_layers={layers}, bidirectional={str(bidirectional).lower()}"
            raise UserError(f"cell: {ref} ({shape}) {why}".replace("\n", " "))


def source_hash(ref: str) -> str | None:
    """sha256 (16 hex) of the file that defines the cell, or None when it has no Python source."""
    where = ref.rpartition(":")[0]
    try:
        path = where if where.endswith(".py") else inspect.getsourcefile(load(ref))
    except (TypeError, ImportError, AttributeError):
        return None
    if path is None or not Path(path).is_file():
        return None
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def cell_code(case: Case) -> CellCode:
    """The record's `cell_code`: {ref, name (the short name in ids), source_hash}."""
    ref = reference(case)
    return {"ref": ref, "name": case.cell, "source_hash": source_hash(ref)}
