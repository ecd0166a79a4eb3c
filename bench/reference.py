"""The reference parts of the documentation, generated from the code so they cannot drift.

A docs page asks for a part with a marker line, `<!-- rnnbench:NAME -->`; `expand` replaces each
marker with the Markdown of `PARTS[NAME]` (the mkdocs hook `docs/hooks.py` calls it on every page).
The parts read what the code declares: the axes from `Case`, suite keys from the settings
dataclasses, the shipped suites from their files, options from the argparse and pytest parsers,
the results schema from its types, the code map from each module's docstring.
"""

from __future__ import annotations

import argparse
import ast
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any

from rnnbench import suites
from rnnbench.cases import case as casemod
from rnnbench.errors import UserError

MARKER = re.compile(r"^<!-- rnnbench:([\w-]+) -->$", re.MULTILINE)
HELP_WIDTH = 100  # columns of the generated `--help` texts, whatever the terminal building the docs
# The values an axis allows, where `Case` checks them against a list (the others are checked by type).
ALLOWED = {
    "cell": casemod.CELLS,
    "model": casemod.MODELS,
    "dtype": tuple(casemod.DTYPES),
    "device": casemod.DEVICES,
    "phase": (*casemod.PHASES, casemod.QUALITY_PHASE),
    "impl": casemod.IMPLS,
    "layout": casemod.LAYOUTS,
    "task": tuple(casemod.TASK_MODELS),
    "match": casemod.MATCHES,
}
TYPES = {
    "int": "a positive integer",
    "bool": "true or false",
    "int | None": "unset or a positive integer",
    "bool | None": "unset (CPU) or on / off (CUDA)",
    "float | None": "unset (PyTorch's init) or a number",
}


def table(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows])


def code(value: Any) -> str:
    """`value` as inline code, the way a suite file writes it ("unset" for None)."""
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`"


def axes() -> str:
    """Every axis of `Case`: its suite-file key, default and allowed values."""
    suite_defaults = {
        "device": "`cpu`, `cuda`",
        "cudnn": "`on`, `off` (CUDA)",
        "phase": ", ".join(map(code, casemod.PHASES)),
    }
    rows = []
    for field in fields(casemod.Case):
        key = "phases" if field.name == "phase" else field.name
        default = "required" if field.default is MISSING else code(field.default)
        if field.name == "cell_ref":
            key, values = (
                "(derived from `cell`)",
                "a user cell's full reference; unset for built-in cells",
            )
        else:
            values = (
                ", ".join(map(code, ALLOWED[field.name]))
                if field.name in ALLOWED
                else TYPES[str(field.type)]
            )
        if field.name == "cell":
            values += ", or a user cell: `FILE.py:NAME`, `package.module:NAME`, an `rnnbench.cells` entry-point name"
        rows.append(
            (
                f"`{field.name}`",
                f"`{key}`",
                default,
                suite_defaults.get(field.name, default),
                values,
            )
        )
    return table(("axis", "suite key", "default in `Case`", "default in a suite", "values"), rows)


def settings() -> str:
    """The `[settings]` (timing policy) and `[quality]` (training) keys of a suite file, with defaults."""
    from rnnbench.cases.quality_settings import QualitySettings
    from rnnbench.measurement.policy import TimingPolicy

    rows = [
        (f"`[{name}]`", f"`{f.name}`", code(f.default))
        for name, kind in (("settings", TimingPolicy), ("quality", QualitySettings))
        for f in fields(kind)
    ]
    return table(("table", "key", "default"), rows)


def shipped_suites() -> str:
    """The shipped suites: description and how many cases each device gets."""
    from rnnbench.cases import suite as suitemod

    rows = []
    for name in suites.names():
        loaded = suitemod.load(name)
        count = {
            device: sum(c.device == device for c in loaded.cases) for device in casemod.DEVICES
        }
        rows.append((f"`{name}`", loaded.description, count["cpu"], count["cuda"]))
    return table(("suite", "description", "CPU cases", "CUDA cases"), rows)


def pytest_options() -> str:
    """The options of `pytest bench` / `rnnbench run` (`bench/plugin.py`), short and installed spelling."""
    from rnnbench.plugin import OPTIONS

    rows = []
    for group, name, keywords in OPTIONS:
        choices = keywords.get("choices")
        value = "|".join(choices) if choices else keywords.get("metavar", name.upper())
        value = f"[{value}]" if keywords.get("nargs") == "?" else value
        flag = f"--{name}" + (f" {value}" if keywords.get("action") != "store_true" else "")
        help_text = keywords.get("help", "").replace("|", "\\|")
        rows.append((f"`{flag}`", f"`--rnnbench-{name}`", help_text, group or "run"))
    return table(("`pytest bench` option", "installed-plugin spelling", "what", "group"), rows)


def subparsers(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """Every (sub)command of `parser`, depth first: ("compare", its parser), ("baseline save", ...)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield name, child
                yield from ((f"{name} {sub}", grandchild) for sub, grandchild in subparsers(child))


def command_help() -> str:
    """`rnnbench SUBCOMMAND --help` for every subcommand, as the parsers print it."""
    from rnnbench.cli import build_parser

    parts = []
    for name, parser in subparsers(build_parser()):
        parser.formatter_class = functools.partial(argparse.HelpFormatter, width=HELP_WIDTH)
        parts.append(f"### `rnnbench {name}`\n\n```text\n{parser.format_help().rstrip()}\n```")
    return "\n\n".join(parts)


def schema() -> str:
    """The results schema, rendered from its types (`rnnbench.results.schema_doc`)."""
    from rnnbench.results import schema_doc

    return schema_doc.markdown().split("\n", 1)[1]  # below its title: the page has its own


def code_map() -> str:
    """Every module of the package (checkout paths) with the first line of its docstring."""
    root = Path(casemod.__file__).resolve().parents[2]
    rows = []
    for folder in ("bench", "reports", "suites"):
        for path in sorted((root / folder).rglob("*.py")):
            doc = ast.get_docstring(ast.parse(path.read_text())) or ""
            rows.append(
                (
                    f"`{path.relative_to(root)}`",
                    doc.split("\n\n")[0].replace("\n", " ").replace("|", "\\|"),
                )
            )
    return table(("module", "what it does"), rows)


PARTS: dict[str, Callable[[], str]] = {
    "axes": axes,
    "settings": settings,
    "suites": shipped_suites,
    "pytest-options": pytest_options,
    "commands": command_help,
    "schema": schema,
    "code-map": code_map,
}


def expand(markdown: str) -> str:
    """`markdown` with every `<!-- rnnbench:NAME -->` line replaced by the generated part NAME."""

    def part(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in PARTS:
            raise UserError(
                f"docs marker rnnbench:{name}: unknown part (known: {', '.join(PARTS)})"
            )
        return PARTS[name]()

    return MARKER.sub(part, markdown)
