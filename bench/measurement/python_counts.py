"""Instructions per Python function of a user cell's file, counted by callgrind (`--counts`).

Callgrind names C functions. On Python 3.11 (no perf trampoline) every Python function runs
inside `_PyEval_EvalFrameDefault`, so a callgrind dump cannot say which of a user's Python
functions grew. This module gets that figure another way, inside the callgrind worker: for each
function defined in the file of the case's cell (module functions and methods of its classes)
that the timed target calls, one extra round runs with collection switched on only while that
function is active (its outermost call, through a wrapper that toggles callgrind), and is dumped
on its own. The dump's total is the function's inclusive instruction count (the torch ops it
calls included), exact up to the wrapper's toggle calls, a constant per call. These rounds come
after the counted repeats and never enter their totals.
"""

from __future__ import annotations

import functools
import gc
import inspect
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FunctionType
from typing import Any

import torch

from rnnbench.cases.case import Case
from rnnbench.measurement.timing import Workload
from rnnbench.models import user_cell

Site = tuple[Any, str, FunctionType]  # (owner: module or class, attribute name, function)


def functions(case: Case) -> dict[str, Site]:
    """`Qualname (file.py)` -> where it lives, for every Python function defined in the file of the
    case's user cell; empty for the built-in cells and for cells without a Python source file."""
    if case.cell_ref is None:
        return {}
    cell = user_cell.load(case.cell_ref)
    path = inspect.getsourcefile(cell)
    module = sys.modules.get(getattr(cell, "__module__", ""))
    if path is None or module is None:
        return {}
    found: dict[str, Site] = {}
    owners = [
        module,
        *(
            v
            for v in vars(module).values()
            if isinstance(v, type) and v.__module__ == module.__name__
        ),
    ]
    for owner in owners:
        for name, value in vars(owner).items():
            if isinstance(value, FunctionType) and value.__code__.co_filename == path:
                found[f"{value.__qualname__} ({Path(path).name})"] = (owner, name, value)
    return found


def called(work: Workload, sites: dict[str, Site]) -> list[str]:
    """The functions of `sites` that one round's target calls (a profile hook, outside collection)."""
    codes = {site[2].__code__: name for name, site in sites.items()}
    seen: dict[str, None] = {}

    def hook(frame: Any, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code in codes:
            seen[codes[frame.f_code]] = None

    work.setup()
    sys.setprofile(hook)
    try:
        work.target()
    finally:
        sys.setprofile(None)
    return list(seen)


def toggling(function: FunctionType, toggle: Callable[[], None]) -> Callable[..., Any]:
    """`function`, with callgrind collection switched on for its outermost call only."""
    depth = 0

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal depth
        depth += 1
        if depth == 1:
            toggle()
        try:
            return function(*args, **kwargs)
        finally:
            depth -= 1
            if depth == 0:
                toggle()

    return wrapper


@contextmanager
def collecting_in(site: Site, toggle: Callable[[], None]) -> Iterator[None]:
    """Replace the function at `site` by its toggling wrapper for the duration."""
    owner, name, function = site
    setattr(owner, name, toggling(function, toggle))
    try:
        yield
    finally:
        setattr(owner, name, function)


def count(work: Workload, case: Case) -> list[str]:
    """One dump per called function of the cell's file (see the module docstring), in order; their names."""
    sites = functions(case)
    names = called(work, sites) if sites else []
    gc.collect()
    gc.disable()  # a collection inside a function's window would count garbage collection
    try:
        for name in names:
            with collecting_in(sites[name], torch._C._valgrind_toggle):
                work.setup()
                work.target()
            torch._C._valgrind_toggle()  # collection is off again: on, then off with the dump
            torch._C._valgrind_toggle_and_dump_stats()
    finally:
        gc.enable()
    return names
