"""Gather shard results files into one run folder, each shard once.

A shard's results file says which shard it is (`run.shard`, "K/N", written by `--shard`). The
gathered copy, `<run folder>/shard-K-of-N.json`, also carries `run.launch` = {"id", "shards"},
so the report shows the shards of one launch on one machine as one input. A shard already in the
run folder is never gathered again; of several complete files of one shard, the newest is taken.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rnnbench.cases.select import parse_shard
from rnnbench.errors import UserError
from rnnbench.results import store
from rnnbench.results.schema import Document


@dataclass
class Gathered:
    """What one gathering did: shards copied now, shards already there, shards with no complete file."""

    count: int
    copied: list[int] = field(default_factory=list)
    already: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)


def gathered_path(run_dir: Path, k: int, count: int) -> Path:
    """Where shard K of N lives in the run folder."""
    return run_dir / f"shard-{k}-of-{count}.json"


def shard_documents(paths: list[Path]) -> dict[tuple[int, int], Document]:
    """The newest complete results document of each shard (K, N) under `paths`.

    Files that are not shard runs (no `run.shard`), unfinished ones and re-measurement files are
    left out: they are not a shard's complete result.
    """
    newest: dict[tuple[int, int], Document] = {}
    for path in store.result_files(paths):
        doc = store.read_document(path)
        run = doc["run"]
        if not run.get("shard") or not run.get("complete") or run.get("remeasure_of"):
            continue
        key = parse_shard(str(run["shard"]))
        if key not in newest or str(run.get("started")) > str(newest[key]["run"].get("started")):
            newest[key] = doc
    return newest


def put(doc: Document, run_dir: Path, launch_id: str) -> bool:
    """Write one shard's document into the run folder with its launch; False if that shard is there."""
    k, count = parse_shard(str(doc["run"]["shard"]))
    target = gathered_path(run_dir, k, count)
    if target.exists():
        return False
    run = {**doc["run"], "launch": {"id": launch_id, "shards": count}}
    data: dict[str, Any] = {**doc, "run": run}
    data.pop("source", None)  # a loaded document's path: not written
    store.write_atomic(target, data)
    return True


def gather(sources: list[Path], run_dir: Path, launch_id: str | None = None) -> Gathered:
    """Copy each shard's newest complete file under `sources` into `run_dir` (launch id: its name)."""
    found = shard_documents(sources)
    counts = sorted({n for _, n in found})
    if not counts:
        raise UserError(
            f"no complete shard results files (from --shard K/N) in: {', '.join(map(str, sources))}"
        )
    if len(counts) > 1:
        raise UserError(
            f"shard files of {' and '.join(map(str, counts))} shards mixed: gather one split at a time"
        )
    result = Gathered(counts[0])
    for k in range(1, result.count + 1):
        doc = found.get((k, result.count))
        if doc is None:
            (
                result.already
                if gathered_path(run_dir, k, result.count).exists()
                else result.missing
            ).append(k)
        else:
            (
                result.copied if put(doc, run_dir, launch_id or run_dir.name) else result.already
            ).append(k)
    return result
