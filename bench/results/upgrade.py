"""Schema version history in code (asv's `update_to_N` pattern): one upgrade function per step.

`upgrade(doc, source)` brings a document of any version this rnnbench knows up to
`schema.SCHEMA_VERSION`, one step at a time, and refuses a newer one with one line. Each step is
frozen in time: it writes the defaults its version had, never today's, so later changes to the
axes cannot change how an old file reads. Every step is idempotent, so records whose version is
not stored (the SQLite history's rows) can be upgraded from the oldest version they may have.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rnnbench.errors import UserError
from rnnbench.results.schema import SCHEMA_VERSION

# The case keys added within version 1, and what a record without one meant.
V1_CASE_DEFAULTS = {
    "impl": "fused",
    "layout": "padded",
    "threads": None,
    "task": None,
    "forget_bias": None,
    "match": "hidden",
}
# The measures of ok timed records added within version 1: None where a v1 run did not measure them.
V1_TIMED_MEASURES = ("first_round_s", "efficiency", "peak_bytes", "model_peak_bytes")
V1_QUALITY_PHASE = "train_quality"


def upgrade_1_to_2(doc: dict[str, Any]) -> dict[str, Any]:
    """Fold the keys added within version 1 into version 2: every case gets every v1 axis (its
    default where absent), and every ok timed record the v1 timed measures (None where absent).
    The records are changed in place (they come fresh from JSON)."""
    for record in doc["records"]:
        case = record["case"]
        for axis, default in V1_CASE_DEFAULTS.items():
            case.setdefault(axis, default)
        if record["status"] == "ok" and case.get("phase") != V1_QUALITY_PHASE:
            for name in V1_TIMED_MEASURES:
                record["measures"].setdefault(name, None)
    return {**doc, "schema_version": 2}


UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    1: upgrade_1_to_2
}  # from version N to N + 1
OLDEST = min(UPGRADES)


def check_version(version: Any, source: str) -> int:
    """The document's version if this rnnbench can read it; else a one-line `UserError`."""
    known = isinstance(version, int) and not isinstance(version, bool)
    if known and version > SCHEMA_VERSION:
        raise UserError(
            f"{source}: schema_version {version} is newer than this rnnbench reads ({SCHEMA_VERSION}); upgrade rnnbench"
        )
    if not known or not OLDEST <= version <= SCHEMA_VERSION:
        raise UserError(
            f"{source}: schema_version {version!r} is not supported (this rnnbench reads {OLDEST} to {SCHEMA_VERSION})"
        )
    return int(version)


def upgrade(doc: dict[str, Any], source: str) -> dict[str, Any]:
    """`doc` (already checked for shape) at `schema.SCHEMA_VERSION`: each step from its version applied in turn."""
    version = check_version(doc.get("schema_version"), source)
    while version < SCHEMA_VERSION:
        doc = UPGRADES[version](doc)
        version += 1
    return doc
