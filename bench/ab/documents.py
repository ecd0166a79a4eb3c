"""Each A/B side's results document: the first run of every case, its turns' rounds pooled.

`run.ab` (the A/B settings) and `record.ab` (each turn's statistic) extend the record schema, so
`rnnbench report` reads the two files as before/after and `rnnbench compare` as any two runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rnnbench.errors import UserError
from rnnbench.measurement.timing import Measurement
from rnnbench.results import atomic, schema, store

if TYPE_CHECKING:
    from rnnbench.ab.alternate import Plan
    from rnnbench.ab.children import Child


def statistic(record: dict[str, Any], quantile: float) -> float:
    """One turn's number for the paired test: the quantile of its round times."""
    return float(np.quantile(record["times_s"], quantile))


def pooled(records: list[dict[str, Any]], quantile: float) -> dict[str, Any]:
    """One record for a case on one side: the first run's full record with the rounds of every turn
    after it pooled, and each turn's statistic in `ab.runs` (a failed first run is kept as it is)."""
    first, turns = records[0], records[1:]
    if first["status"] != "ok" or not turns:
        return first
    times = [t for r in turns for t in r["times_s"]]
    measured = Measurement(tuple(times))
    return {
        **first,
        "times_s": times,
        "stats": measured.stats(),
        "noisy": measured.noisy,
        "ab": {"runs": [statistic(r, quantile) for r in turns], "quantile": quantile},
    }


def document(
    child: Child, records: list[dict[str, Any]], plan: Plan, started: str
) -> dict[str, Any]:
    """A side's results document: its environment (commit = the side's revision), its pooled records."""
    env = {**child.env, **({"commit": child.side.commit} if child.side.commit else {})}
    run = {
        "id": f"{store.new_run_id(env)}-{child.side.name}",
        "suite": plan.suite,
        "started": started,
        "finished": store.now(),
        "complete": True,
        "ab": {
            "side": child.side.name,
            "revision": child.side.label,
            "metric": plan.metric,
            "pairs": plan.pairs if plan.metric == "time" else 1,
            "turn_rounds": plan.turn_rounds if plan.metric == "time" else None,
            "processes": plan.side_processes,
            "cpus": child.cpus,
            "python": child.side.python,
        },
    }
    # `run.ab` and `record.ab` (the A/B settings, each run's statistic) extend the schema: a raw document
    return {
        "schema": schema.SCHEMA,
        "schema_version": schema.SCHEMA_VERSION,
        "run": run,
        "env": env,
        "records": records,
    }


def write_document(doc: dict[str, Any], path: Path) -> Path:
    """Write a results document to a new file (never replacing one)."""
    atomic.make_directory(path.parent, "--results ")
    try:
        atomic.create_new(path, atomic.dump_json(doc))
    except FileExistsError:
        raise UserError(f"{path}: already exists; a results file is never replaced") from None
    return path


def write(documents: tuple[dict[str, Any], dict[str, Any]], directory: Path) -> list[Path]:
    """`base.json` and `head.json` in `directory`."""
    return [
        write_document(doc, directory / f"{doc['run']['ab']['side']}.json") for doc in documents
    ]
