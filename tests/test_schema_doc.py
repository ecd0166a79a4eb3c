"""The schema reference is rendered from the types, and the types cover what readers read."""

from __future__ import annotations

import inspect

from rnnbench.results import schema, schema_doc


def schema_types() -> list[type]:
    """Every public TypedDict of rnnbench.results.schema."""
    return [
        kind
        for name, kind in vars(schema).items()
        if inspect.isclass(kind) and hasattr(kind, "__required_keys__") and not name.startswith("_")
    ]


def test_every_type_and_key_is_in_the_reference() -> None:
    page = schema_doc.markdown()
    sections = {part.split("\n", 1)[0]: part for part in page.split("\n## ")[1:]}
    assert set(sections) == {kind.__name__ for kind in schema_types()}
    for kind in schema_types():
        text = sections[kind.__name__]
        assert (inspect.getdoc(kind) or "x") in text
        covered = {key for base in schema_doc.schema_bases(kind) for key in base.__annotations__}
        for key in kind.__annotations__:
            assert f"| `{key}` |" in text or key in covered, (kind.__name__, key)
    assert f'"schema_version": {schema.SCHEMA_VERSION}' in page and "Version history" in page


def test_required_and_optional_keys_are_marked() -> None:
    record = schema_doc.section(schema.Record)
    assert (
        "| `id` | `str` | required |" in record
        and "| `cell_code` | `CellCode` | optional |" in record
    )
    assert "| `stats` | `Stats \\| None` | required |" in record


def test_the_readers_columns_are_the_types_keys() -> None:
    assert set(schema.MEASURES) | set(schema.QUALITY_MEASURES) == set(
        schema.Measures.__annotations__
    )
    assert set(schema.STATS) == set(schema.Stats.__annotations__)
    assert {"flops_measured"} <= set(
        schema.MEASURES
    ) and "cell_code" in schema.Record.__annotations__
