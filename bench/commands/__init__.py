"""The `rnnbench` subcommands, one module each; add a module here and list its name in NAMES.

Each module's `register(subparsers)` adds its parser. `rnnbench.cli` imports only the module of
the subcommand being run (`rnnbench cases` never imports pandas, scipy or torch that other
subcommands need); `rnnbench --help` imports them all, to list their help lines.
"""

from __future__ import annotations

import importlib
from types import ModuleType

NAMES = (
    "run",
    "gather",
    "cases",
    "show",
    "report",
    "compare",
    "baseline",
    "history",
    "ab",
    "bisect",
)


def module(name: str) -> ModuleType:
    """The module of subcommand `name`."""
    return importlib.import_module(f"rnnbench.commands.{name}")
