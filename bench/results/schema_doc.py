"""The results schema as Markdown, rendered from the types in `rnnbench.results.schema`.

`markdown()` is the schema reference of the documentation: the module's version history, then
each type's docstring and a table of its keys (type as annotated, required or optional), so the
reference cannot drift from the code.
"""

from __future__ import annotations

import inspect
from typing import Any

from rnnbench.results import schema

# Every type of a results file, in reading order: the document, then what it holds.
TYPES: tuple[Any, ...] = (
    schema.Document,
    schema.LoadedDocument,
    schema.Run,
    schema.Policy,
    schema.Launch,
    schema.Env,
    schema.Record,
    schema.CaseDict,
    schema.Stats,
    schema.Measures,
    schema.StateMeasures,
    schema.TimedMeasures,
    schema.QualityMeasures,
    schema.Curve,
    schema.Profile,
    schema.ProfileSchedule,
    schema.TopOp,
    schema.Counts,
    schema.CellCode,
    schema.Pace,
)


def schema_bases(kind: Any) -> list[Any]:
    """The types of `TYPES` whose keys `kind` extends: the largest ones whose keys are a proper
    subset of its keys (TypedDict keeps no bases to ask, before Python 3.12)."""
    keys = set(kind.__annotations__)
    inside = [other for other in TYPES if set(other.__annotations__) < keys]
    return [
        base
        for base in inside
        if not any(set(base.__annotations__) < set(o.__annotations__) for o in inside)
    ]


def own_keys(kind: Any) -> list[str]:
    """The keys `kind` declares beyond those of the types it extends."""
    inherited = {key for base in schema_bases(kind) for key in base.__annotations__}
    return [key for key in kind.__annotations__ if key not in inherited]


def written(annotation: Any) -> str:
    """An annotation as the source writes it (`int | None`), whether a string, a ForwardRef or a type."""
    if isinstance(annotation, str):
        return annotation
    return (
        getattr(annotation, "__forward_arg__", None)
        or getattr(annotation, "__name__", None)
        or str(annotation)
    )


def section(kind: Any) -> str:
    """One type: heading, docstring, the types it extends, and its keys as a table."""
    lines = [f"## {kind.__name__}", "", inspect.getdoc(kind) or "", ""]
    bases = [base.__name__ for base in schema_bases(kind)]
    if bases:
        lines += [f"Also has every key of {', '.join(f'`{name}`' for name in bases)}.", ""]
    keys = own_keys(kind)
    if keys:
        lines += ["| key | type | |", "|---|---|---|"]
        for key in keys:
            required = "required" if key in kind.__required_keys__ else "optional"
            annotation = written(kind.__annotations__[key]).replace("|", "\\|")
            lines.append(f"| `{key}` | `{annotation}` | {required} |")
        lines.append("")
    return "\n".join(lines)


def markdown() -> str:
    """The whole schema reference as one Markdown page."""
    head = [
        "# Results schema",
        "",
        f'Every results file is JSON with `"schema": "{schema.SCHEMA}"` and `"schema_version": {schema.SCHEMA_VERSION}`.',
        "",
        "```text",
        inspect.getdoc(schema) or "",
        "```",
        "",
        "",
    ]
    return "\n".join(head) + "\n".join(section(kind) for kind in TYPES)
