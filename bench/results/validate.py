"""Checking a results document on read: its shape, its times, and its version (upgraded on read).

Readers refuse files that are not rnnbench results, versions newer than this rnnbench, and records
whose `case` or `measures` is not an object, or whose times or statistics are not positive finite
numbers (spreads may be 0), naming the file and the record.
"""

from __future__ import annotations

import math
from typing import Any

from rnnbench.errors import UserError
from rnnbench.results import upgrade
from rnnbench.results.schema import SCHEMA, STATS, STATUSES, Document, as_document

ZERO_STATS = ("stdev", "iqr")  # spreads may be 0; every other statistic is a positive time or count


def check_document(doc: Any, source: str) -> Document:
    """`doc` upgraded to this version, if it is a results document this rnnbench reads; else a one-line `UserError`."""
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise UserError(f'{source}: not an rnnbench results file (no "schema": "{SCHEMA}")')
    upgrade.check_version(doc.get("schema_version"), source)
    for key, kind in (("run", dict), ("env", dict), ("records", list)):
        if not isinstance(doc.get(key), kind):
            raise UserError(f"{source}: {key}: missing or not a {kind.__name__}")
    for index, record in enumerate(doc["records"]):
        check_record(record, f"{source}: records[{index}]")
    return as_document(upgrade.upgrade(doc, source))


def check_record(record: Any, where: str) -> None:
    """Validate one record: its shape, and that every time is a positive, finite number of seconds
    (a hand-edited NaN, infinite, zero or negative time would pass or break every comparison)."""
    if not isinstance(record, dict):
        raise UserError(f"{where}: not an object")
    for key in ("id", "case", "status", "times_s", "measures"):
        if key not in record:
            raise UserError(f"{where}.{key}: missing")
    if not isinstance(record["id"], str):
        raise UserError(f"{where}.id: not a string ({record['id']!r})")
    for key in ("case", "measures"):
        if not isinstance(record[key], dict):
            raise UserError(f"{where}.{key}: not an object ({record[key]!r})")
    if record["status"] not in STATUSES:
        raise UserError(f"{where}.status: unknown value {record['status']!r}")
    times = record["times_s"]
    if not isinstance(times, list):
        raise UserError(f"{where}.times_s: not a list ({times!r})")
    for index, value in enumerate(times):
        if not _seconds(value):
            raise UserError(
                f"{where}.times_s[{index}]: {value!r} is not a positive, finite number of seconds"
            )
    if record["status"] == "ok" and (not times or not isinstance(record.get("stats"), dict)):
        raise UserError(f"{where}: status ok but no times_s/stats")
    for name, value in (record.get("stats") or {}).items():
        if (
            name in STATS
            and value is not None
            and not (_seconds(value) or (value == 0 and name in ZERO_STATS))
        ):
            raise UserError(f"{where}.stats.{name}: {value!r} is not a valid number")


def _seconds(value: Any) -> bool:
    """A positive, finite number (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < math.inf
