"""Results on disk: atomic writes while a run goes on, and a loader into one DataFrame."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from rnnbench.cases.case import AXES, AXIS_DEFAULTS
from rnnbench.errors import UserError
from rnnbench.results import atomic, pytest_benchmark_json, schema, validate
from rnnbench.results.schema import Document, Env, LoadedDocument, Record, Run, Stats


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def write_atomic(path: Path, data: Any) -> None:
    """Write JSON beside `path` then rename over it: readers never see half a file."""
    atomic.make_directory(path.parent)
    atomic.write_json(path, data)


class ResultsFile:
    """One run's results file: created exclusively with the first record, then rewritten
    atomically after every record. `new_run` names it after a fresh, unique run id."""

    def __init__(self, path: Path, run: Run, env: Env, rename: bool = False) -> None:
        self.path = path
        self.run: Run = {**run, "started": now(), "finished": None, "complete": False}
        self.env = env
        self.records: list[Record] = []
        self.created = False
        self.rename = rename  # a taken name gets a new run id (new_run) instead of an error

    @classmethod
    def new_run(cls, directory: Path, run: Run, env: Env) -> ResultsFile:
        run_id = new_run_id(env)
        return cls(directory / f"{run_id}.json", {**run, "id": run_id}, env, rename=True)

    def add(self, record: Record) -> None:
        self.records.append(record)
        self._write()

    def close(self, complete: bool) -> None:
        self.run["finished"] = now()
        self.run["complete"] = complete
        self._write()

    def _document(self) -> Document:
        return schema.document(self.run, self.env, self.records)

    def _write(self) -> None:
        if self.created:
            atomic.write_json(self.path, self._document())
            return
        atomic.make_directory(self.path.parent)
        for _attempt in range(CREATE_ATTEMPTS):
            try:
                atomic.create_new(self.path, atomic.dump_json(self._document()))
                self.created = True
                return
            except FileExistsError:
                if not self.rename:
                    break
                self.run["id"] = new_run_id(self.env)
                self.path = self.path.with_name(f"{self.run['id']}.json")
        raise UserError(f"{self.path}: already exists; a results file is never replaced")


CREATE_ATTEMPTS = 5


def new_run_id(env: Mapping[str, Any]) -> str:
    """`<utc time>-<commit>-<fingerprint>-<random>`: sortable, says which code and machine, and
    unique: runs started in the same second on the same machine (shards, parallel jobs) differ.
    `env`: an `Env`, or an A/B side's env as its worker sent it (rnnbench.ab)."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    commit = (env.get("commit") or "nogit")[:10].replace("+", "")
    return f"{stamp}-{commit}-{env['fingerprint'][:8]}-{secrets.token_hex(3)}"


def run_name(doc: Document | LoadedDocument) -> str:
    """The run id; for a gathered shard its launch and machine fingerprint (rnnbench.cluster), so the
    shards of one launch on one machine are one run (one input in a report, one run in the history)
    and shards on other machines are never pooled."""
    launch = doc["run"].get("launch")
    if launch:
        return f"{launch['id']} · {str(doc['env'].get('fingerprint'))[:8]}"
    return str(doc["run"].get("id"))


def is_hidden(path: Path, root: Path) -> bool:
    """A file or folder under `root` whose name starts with a dot (temporary files, `.jobs/`)."""
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def result_files(paths: Sequence[str | Path]) -> list[Path]:
    """Expand files and directories (searched recursively for *.json) into result files.

    Hidden files and folders are skipped: a launch keeps its shards' work folders in `.jobs/`,
    so only the gathered copies are read (bench.cluster.launch).
    """
    found: list[Path] = []
    for item in map(Path, paths):
        if item.is_dir():
            found.extend(sorted(p for p in item.rglob("*.json") if not is_hidden(p, item)))
        elif item.is_file():
            found.append(item)
        else:
            raise UserError(f"{item}: no such file or directory")
    if not found:
        raise UserError(f"no result files in: {', '.join(map(str, paths))}")
    return found


def read_document(path: Path) -> Document:
    """Read and validate one results file (ours, or pytest-benchmark's JSON converted)."""
    try:
        doc = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}: corrupt or truncated JSON ({exc})") from None
    if pytest_benchmark_json.is_pytest_benchmark(doc):
        return pytest_benchmark_json.convert(doc, str(path))
    return validate.check_document(doc, str(path))


def load(paths: Sequence[str | Path]) -> list[LoadedDocument]:
    """Every results document under `paths`, each with its `source` path."""
    return [{**read_document(path), "source": str(path)} for path in result_files(paths)]


def to_frame(documents: Sequence[Document | LoadedDocument]) -> pd.DataFrame:
    """One row per record: run and machine labels, axes, status, stats (seconds), measures.

    `threads` is the thread count the case ran with (the measure), which is the case's `threads`
    axis when a suite sets it and the session's count otherwise.
    """
    rows = []
    for doc in documents:
        env, run = doc["env"], doc["run"]
        for record in doc["records"]:
            stats: Stats | dict[str, Any] = record.get("stats") or {}
            row: dict[str, Any] = {
                "source": doc.get("source"),
                "run_id": run.get("id"),
                "suite": run.get("suite"),
                "fingerprint": env.get("fingerprint"),
                "commit": env.get("commit"),
                "machine": env.get("gpu_name") or env.get("cpu_model"),
                "id": record["id"],
                **{axis: record["case"].get(axis, AXIS_DEFAULTS.get(axis)) for axis in AXES},
                "status": record["status"],
                "reason": record.get("reason"),
                **{
                    f"{name}_s" if name != "rounds" else name: stats.get(name)
                    for name in schema.STATS
                },
                "noisy": record.get("noisy"),
                **{
                    name: record["measures"].get(name)
                    for name in schema.MEASURES + schema.QUALITY_MEASURES
                },
                "times_s": record["times_s"],
                "code_hash": record.get("code_hash"),
                "cell_hash": record["cell_code"].get("source_hash")
                if record.get("cell_code")
                else None,
                "trace_dir": record["profile"].get("trace_dir") if record.get("profile") else None,
            }
            rows.append(row)
    return pd.DataFrame(rows)


def load_frame(paths: Sequence[str | Path]) -> pd.DataFrame:
    """Load any number of result files or directories into one DataFrame."""
    return to_frame(load(paths))
