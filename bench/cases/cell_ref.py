"""The `cell` axis: what a cell name or reference means, worked out without importing it.

A case's `cell` is one of:
- a built-in name, `lstm` or `gru` (nn.LSTM / nn.GRU);
- `FILE.py:NAME`, a class or factory in a Python file (relative paths: to the suite file that
  names it, or to the working directory for a `Case` built in code);
- `package.module:NAME`, an importable object (`torch.nn:RNN`);
- a name an installed package registers under the entry-point group `rnnbench.cells`.

`parse` turns it into (short name, full reference). The short name goes into case ids and is the
`cell` that reports pivot on: the entry-point name, or NAME lower-cased, sanitised to
`[a-z0-9_]`. The full reference (None for built-ins) is kept as `Case.cell_ref`, an absolute path
for files, so a stored case still says which code it ran. Nothing here imports the cell: that is
`rnnbench.models.user_cell`'s job, done once before timing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from importlib.metadata import entry_points
from pathlib import Path

from rnnbench.errors import UserError

BUILTIN_CELLS = ("lstm", "gru")
ENTRY_POINT_GROUP = "rnnbench.cells"
# References that are the built-ins themselves: they keep the built-in's name and ids.
BUILTIN_REFS = {
    f"{module}:{name}": name.lower()
    for module in ("torch.nn", "torch.nn.modules.rnn")
    for name in ("LSTM", "GRU")
}
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MODULE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


def short_name(name: str) -> str:
    """`NAME` as it appears in case ids: lower case, runs of other characters as one `_`."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def registered() -> dict[str, str]:
    """Installed `rnnbench.cells` entry points: name -> `module:object`."""
    return {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}


def parse(cell: str, base: Path | None = None) -> tuple[str, str | None]:
    """(short name, full reference or None for a built-in) of a `cell` value; one-line `UserError`
    naming the `cell` field when it is none of the four forms. `base`: the folder relative file
    references start from (default: the working directory)."""
    if not isinstance(cell, str) or not cell:
        raise UserError(f"cell: must be a name or a reference, got {cell!r}")
    if cell in BUILTIN_CELLS:
        return cell, None
    if ":" not in cell:
        found = registered()
        if cell not in found:
            names = ", ".join([*BUILTIN_CELLS, *sorted(found)])
            raise UserError(
                f"cell: unknown value {cell!r} (expected one of: {names}; or FILE.py:NAME, package.module:NAME)"
            )
        return _checked_short(short_name(cell), found[cell], cell), found[cell]
    where, _, name = cell.rpartition(":")
    if not IDENTIFIER.fullmatch(name):
        raise UserError(f"cell: {cell!r}: NAME after ':' must be a Python identifier")
    if where.endswith(".py"):
        path = Path(where).expanduser()
        path = (base or Path.cwd()) / path if not path.is_absolute() else path
        ref = f"{path.resolve()}:{name}"
    elif MODULE.fullmatch(where):
        ref = cell
    else:
        raise UserError(f"cell: {cell!r} is neither FILE.py:NAME nor package.module:NAME")
    if ref in BUILTIN_REFS:
        return BUILTIN_REFS[ref], None
    return _checked_short(short_name(name), ref, cell), ref


def _checked_short(short: str, ref: str, cell: str) -> str:
    """A usable short name: not empty, and not a built-in's (its ids would pass for nn.LSTM's)."""
    if not short:
        raise UserError(f"cell: {cell!r} gives an empty short name")
    if short in BUILTIN_CELLS:
        raise UserError(
            f"cell: {cell!r} would share the built-in short name {short!r} ({ref}); rename it"
        )
    return short


def check_unique(pairs: Iterable[tuple[str, str | None]]) -> None:
    """Refuse two different references under one short name: `pairs` of (short name, reference)."""
    seen: dict[str, str | None] = {}
    for short, ref in pairs:
        if seen.setdefault(short, ref) != ref:
            raise UserError(
                f"cell: two references share the short name {short!r}: "
                f"{seen[short] or 'built-in ' + short} and {ref or 'built-in ' + short}"
            )
