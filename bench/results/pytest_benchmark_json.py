"""Read pytest-benchmark's own JSON (`--benchmark-json` / `--benchmark-save`) as a results document.

pytest-benchmark keeps raw round times in `benchmarks[].stats.data` only when run with
`--benchmark-save-data`; without them the gate cannot test significance, so such a file is
refused with that hint rather than compared on point estimates. Our plugin puts each case's
fields and measures in `extra_info` and our environment in `machine_info["rnnbench"]` and the suite's name in `machine_info["rnnbench_suite"]`; files
from other projects fall back to the benchmark's name as id and pytest-benchmark's CPU info.
"""

from __future__ import annotations

from typing import Any

from rnnbench.cases.case import AXES
from rnnbench.errors import UserError
from rnnbench.results import schema, validate
from rnnbench.results.fingerprint import fingerprint
from rnnbench.results.schema import Document, Run

STATS = {
    "median": "median",
    "mean": "mean",
    "stdev": "stddev",
    "min": "min",
    "max": "max",
    "q1": "q1",
    "q3": "q3",
    "iqr": "iqr",
    "rounds": "rounds",
}


def is_pytest_benchmark(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and "benchmarks" in doc
        and "machine_info" in doc
        and "schema" not in doc
    )


def _env(doc: dict[str, Any]) -> dict[str, Any]:
    """The run's environment, raw: ours as stored, or pytest-benchmark's facts (values may be None)."""
    machine = doc["machine_info"] if isinstance(doc["machine_info"], dict) else {}
    if isinstance(machine.get("rnnbench"), dict):
        return machine["rnnbench"]
    cpu = machine.get("cpu") or {}
    env: dict[str, Any] = {
        "cpu_model": cpu.get("brand_raw") or machine.get("processor"),
        "cpu_count": cpu.get("count"),
        "python": machine.get("python_version"),
        "hostname": machine.get("node"),
        "commit": (doc.get("commit_info") or {}).get("id"),
    }
    return env | {"fingerprint": fingerprint(env)}


def _record(bench: Any, where: str) -> dict[str, Any]:
    """One benchmark as a raw record, unchecked: `convert` validates it (validate.check_document)."""
    if not isinstance(bench, dict) or not isinstance(bench.get("stats"), dict):
        raise UserError(f"{where}.stats: missing")
    extra = bench.get("extra_info") or {}
    times = bench["stats"].get("data")
    if not times:
        raise UserError(f"{where}: no raw times (stats.data); save with --benchmark-save-data")
    case = {axis: extra[axis] for axis in AXES if axis in extra}
    return {
        "id": bench.get("param") or bench.get("name") or where,
        "case": case,
        "status": extra.get("status", "ok"),
        "reason": None,
        "times_s": list(times),
        "stats": {ours: bench["stats"].get(theirs) for ours, theirs in STATS.items()},
        "noisy": None,
        "measures": {name: extra.get(name) for name in schema.MEASURES},
        "code_hash": None,
    }


def convert(doc: dict[str, Any], source: str) -> Document:
    """The rnnbench results document equivalent to a pytest-benchmark JSON file."""
    if not isinstance(doc["benchmarks"], list):
        raise UserError(f"{source}: benchmarks: not a list")
    records = [
        _record(bench, f"{source}: benchmarks[{i}]") for i, bench in enumerate(doc["benchmarks"])
    ]
    suite = (
        doc["machine_info"].get("rnnbench_suite") if isinstance(doc["machine_info"], dict) else None
    )
    run: Run = {
        "id": f"pytest-benchmark-{doc.get('datetime', 'unknown')}",
        "format": "pytest-benchmark",
        "suite": suite if isinstance(suite, str) else None,  # None: the report says "unknown suite"
        "started": doc.get("datetime"),
        "finished": doc.get("datetime"),
        "complete": True,
    }
    # env and records are raw JSON values until check_document has validated the document
    raw = {
        "schema": schema.SCHEMA,
        "schema_version": schema.SCHEMA_VERSION,
        "run": run,
        "env": _env(doc),
        "records": records,
    }
    return validate.check_document(raw, source)
