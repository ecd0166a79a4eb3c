"""The result history: an embedded SQLite file with one row per case per run.

Each row carries the run id, commit, date, machine fingerprint, suite, the case id and status,
summary statistics (seconds) and the raw round times as JSON, so the last N runs of a machine
can serve as a pooled baseline distribution and reports can plot a trend across commits.
A `runs` table keeps each run's full environment. Appending the same run twice replaces it.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from rnnbench.results import schema
from rnnbench.errors import UserError

VERSION = 1  # PRAGMA user_version; a file with another version is refused
SUMMARY = ("median", "mean", "q1", "q3", "iqr", "min", "max")
DDL = f"""
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, date TEXT, commit_id TEXT, fingerprint TEXT, suite TEXT, env TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS results (
    run_id TEXT NOT NULL REFERENCES runs(run_id), case_id TEXT NOT NULL,
    date TEXT, commit_id TEXT, fingerprint TEXT, status TEXT NOT NULL,
    {", ".join(f"{name}_s REAL" for name in SUMMARY)}, rounds INTEGER,
    times_json TEXT NOT NULL, record_json TEXT NOT NULL,
    PRIMARY KEY (run_id, case_id)
);
CREATE INDEX IF NOT EXISTS results_by_machine ON results (fingerprint, date);
"""


@contextlib.contextmanager
def connect(path: str | Path, create: bool = True) -> Iterator[sqlite3.Connection]:
    """Open (or create) a history file at the supported version; commit on success."""
    path = Path(path)
    if not create and not path.is_file():
        raise UserError(f"{path}: no such history file")
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        db = sqlite3.connect(path)
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise UserError(f"{path}: not an rnnbench history file ({exc})") from None
    try:
        if version == 0 and tables == 0:
            db.executescript(DDL + f"PRAGMA user_version = {VERSION};")
        elif version != VERSION:
            raise UserError(f"{path}: history version {version} is not supported (this rnnbench reads {VERSION})")
        with db:
            yield db
    finally:
        db.close()


def append(path: str | Path, documents: list[dict[str, Any]]) -> int:
    """Add every record of `documents` (one run each); returns the number of rows written."""
    rows = 0
    with connect(path) as db:
        for doc in documents:
            run, env = doc["run"], doc["env"]
            run_id = run.get("id") or doc.get("source")
            date = run.get("started")
            keys = (date, env.get("commit"), env.get("fingerprint"))
            db.execute("INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?)",
                       (run_id, *keys, run.get("suite"), json.dumps(env)))  # fmt: skip
            for record in doc["records"]:
                stats = record.get("stats") or {}
                values = (run_id, record["id"], *keys, record["status"], *(stats.get(n) for n in SUMMARY),
                          stats.get("rounds"), json.dumps(record["times_s"]), json.dumps(record))  # fmt: skip
                db.execute(f"INSERT OR REPLACE INTO results VALUES ({', '.join('?' * len(values))})", values)
                rows += 1
    return rows


def runs(path: str | Path, fingerprint: str | None = None) -> pd.DataFrame:
    """The stored runs, newest first: run_id, date, commit, fingerprint, suite, cases."""
    query = """SELECT r.run_id, r.date, r.commit_id AS "commit", r.fingerprint, r.suite,
               count(x.case_id) AS cases FROM runs r LEFT JOIN results x USING (run_id)
               WHERE ? IS NULL OR r.fingerprint = ? GROUP BY r.run_id ORDER BY r.date DESC, r.run_id DESC"""
    with connect(path, create=False) as db:
        return pd.read_sql_query(query, db, params=(fingerprint, fingerprint))


def trend(path: str | Path, case_pattern: str = "*", fingerprint: str | None = None) -> pd.DataFrame:
    """Summary rows (no raw times) of cases matching a glob, oldest first: for trend plots."""
    columns = ", ".join(f"{name}_s" for name in SUMMARY)
    query = f"""SELECT run_id, date, commit_id AS "commit", fingerprint, case_id AS id, status, {columns}, rounds
                FROM results WHERE case_id GLOB ? AND (? IS NULL OR fingerprint = ?) ORDER BY date, run_id"""
    with connect(path, create=False) as db:
        return pd.read_sql_query(query, db, params=(case_pattern, fingerprint, fingerprint))


def last_runs(path: str | Path, fingerprint: str, last: int, exclude: set[str] = frozenset()) -> list[dict[str, Any]]:
    """The newest `last` runs of one machine as results documents (a pooled baseline).

    Runs whose id is in `exclude` (e.g. the current run, if it was appended already) are skipped.
    """
    if last < 1:
        raise UserError(f"--last: must be at least 1, got {last}")
    ids = [run_id for run_id in runs(path, fingerprint)["run_id"] if run_id not in exclude][:last]
    documents = []
    with connect(path, create=False) as db:
        for run_id in ids:
            date, suite, env = db.execute("SELECT date, suite, env FROM runs WHERE run_id = ?", (run_id,)).fetchone()
            records = [json.loads(text) for (text,) in db.execute(
                "SELECT record_json FROM results WHERE run_id = ? ORDER BY rowid", (run_id,))]  # fmt: skip
            run = {"id": run_id, "suite": suite, "started": date, "complete": True, "from_history": str(path)}
            documents.append(schema.check_document(schema.document(run, json.loads(env), records), f"{path}:{run_id}"))
    if not documents:
        raise UserError(f"{path}: no runs with fingerprint {fingerprint} (other machines are never pooled)")
    return documents
