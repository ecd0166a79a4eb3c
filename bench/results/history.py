"""The result history: an embedded SQLite file with one row per case per run.

Each row carries the run id, commit, date, machine fingerprint, suite, the case id and status,
summary statistics (seconds) and the raw round times as JSON, so the last N runs of a machine
can serve as a pooled baseline distribution and reports can plot a trend across commits.
A `runs` table keeps each run's full environment. Appending the same run twice replaces it. The
shards of a gathered launch (`run.launch`) on one machine are one run, whenever each is appended.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator, Set
from pathlib import Path
from typing import Any

import pandas as pd

from rnnbench.errors import UserError
from rnnbench.results import atomic, schema, store, upgrade, validate
from rnnbench.results.schema import Document, LoadedDocument, Run, Stats

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


REMEASURE_ID = (
    "-remeasure"  # run id suffix of the gate's re-measurement files (rnnbench.gate.pytest_gate)
)
LOCK_TIMEOUT_S = 10.0  # how long a writer waits for another process's lock before giving up


def _locked(exc: sqlite3.Error) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _columns(db: sqlite3.Connection) -> dict[str, set[str]]:
    """The columns of each table the history needs (an empty set: no such table)."""
    return {
        table: {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        for table in ("runs", "results")
    }


def _check_schema(db: sqlite3.Connection, path: Path) -> None:
    """Refuse, in one line, a file whose tables are not the history's (another program's SQLite file)."""
    expected = _columns(sqlite3.connect(":memory:").executescript(DDL).connection)
    for table, columns in _columns(db).items():
        if missing := sorted(expected[table] - columns):
            what = (
                f"no table {table!r}"
                if not columns
                else f"table {table!r} lacks {', '.join(missing)}"
            )
            raise UserError(f"{path}: not an rnnbench history file ({what})")


def _open(path: Path) -> sqlite3.Connection:
    """Connect and read the version; a lock held past LOCK_TIMEOUT_S or a foreign file is one line."""
    db = sqlite3.connect(path, timeout=LOCK_TIMEOUT_S)
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if version == 0 and tables == 0:
            db.executescript(DDL + f"PRAGMA user_version = {VERSION};")
        elif version not in (
            0,
            VERSION,
        ):  # 0 with tables: another program's file, which the schema check names
            raise UserError(
                f"{path}: history version {version} is not supported (this rnnbench reads {VERSION})"
            )
        _check_schema(db, path)
    except BaseException:
        db.close()
        raise
    return db


@contextlib.contextmanager
def connect(path: str | Path, create: bool = True) -> Iterator[sqlite3.Connection]:
    """Open (or create) a history file at the supported version; commit on success.

    A new file is built beside its target and moved in place only once committed, so a failed
    first append (disk full, interrupt) leaves no empty or half-made history file behind.
    """
    path = Path(path)
    if path.exists() and not path.is_file():
        raise UserError(f"{path}: not a history file (a folder or device is in the way)")
    if not path.is_file():
        if not create:
            raise UserError(f"{path}: no such history file")
        yield from _create(path)
    else:
        yield from _transaction(path, path)


def _transaction(file: Path, path: Path) -> Iterator[sqlite3.Connection]:
    """Open `file`, yield it inside one transaction; sqlite errors become one line naming `path`."""
    try:
        db = _open(file)
        try:
            with db:
                yield db
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise _error(path, exc) from None


def _error(path: Path, exc: sqlite3.Error) -> UserError:
    if _locked(exc):
        return UserError(
            f"{path}: locked by another process (waited {LOCK_TIMEOUT_S:g} s); try again when it is done"
        )
    if isinstance(exc, sqlite3.OperationalError) and "disk" in str(exc):
        return UserError(f"{path}: cannot write: {exc}")
    return UserError(f"{path}: not an rnnbench history file ({exc})")


def _create(path: Path) -> Iterator[sqlite3.Connection]:
    """A new history file, made under a temporary name and linked into place when complete."""
    atomic.check_directory(path.parent, f"{path}:")
    atomic.make_directory(path.parent, f"{path}: ")
    with atomic.creating(path) as tmp:
        yield from _transaction(tmp, path)


def append(path: str | Path, documents: list[LoadedDocument]) -> int:
    """Add every record of `documents` (one run each); returns the number of rows written.
    The gate's re-measurement files (`run.remeasure_of`) are not runs and are left out."""
    rows = 0
    with connect(path) as db:
        for doc in (d for d in documents if "remeasure_of" not in d["run"]):
            run, env = doc["run"], doc["env"]
            run_id = (
                store.run_name(doc) if run.get("id") or run.get("launch") else doc.get("source")
            )
            date = run.get("started")
            keys = (date, env.get("commit"), env.get("fingerprint"))
            # the shards of a gathered launch are one run (store.run_name): it started with its first shard
            db.execute(
                """INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET
                          date = min(date, excluded.date), commit_id = excluded.commit_id,
                          fingerprint = excluded.fingerprint, suite = excluded.suite, env = excluded.env""",
                (run_id, *keys, run.get("suite"), json.dumps(env)),
            )
            for record in doc["records"]:
                stats: Stats | dict[str, Any] = record.get("stats") or {}
                values = (
                    run_id,
                    record["id"],
                    *keys,
                    record["status"],
                    *(stats.get(n) for n in SUMMARY),
                    stats.get("rounds"),
                    json.dumps(record["times_s"]),
                    json.dumps(record),
                )
                db.execute(
                    f"INSERT OR REPLACE INTO results VALUES ({', '.join('?' * len(values))})",
                    values,
                )
                rows += 1
    return rows


def runs(path: str | Path, fingerprint: str | None = None) -> pd.DataFrame:
    """The stored runs, newest first: run_id, date, commit, fingerprint, suite, cases."""
    query = """SELECT r.run_id, r.date, r.commit_id AS "commit", r.fingerprint, r.suite,
               count(x.case_id) AS cases FROM runs r LEFT JOIN results x USING (run_id)
               WHERE ? IS NULL OR r.fingerprint = ? GROUP BY r.run_id ORDER BY r.date DESC, r.run_id DESC"""
    with connect(path, create=False) as db:
        return pd.read_sql_query(query, db, params=(fingerprint, fingerprint))


def trend(
    path: str | Path, case_pattern: str = "*", fingerprint: str | None = None
) -> pd.DataFrame:
    """Summary rows (no raw times) of cases matching a glob, oldest first: for trend plots."""
    columns = ", ".join(f"{name}_s" for name in SUMMARY)
    query = f"""SELECT run_id, date, commit_id AS "commit", fingerprint, case_id AS id, status, {columns}, rounds
                FROM results WHERE case_id GLOB ? AND (? IS NULL OR fingerprint = ?) ORDER BY date, run_id"""
    with connect(path, create=False) as db:
        return pd.read_sql_query(query, db, params=(case_pattern, fingerprint, fingerprint))


def last_runs(
    path: str | Path,
    fingerprint: str | None,
    last: int,
    exclude: Set[str | None] = frozenset(),
    suite: str | None = None,
) -> list[Document]:
    """The newest `last` runs of one machine (`fingerprint`; None: any, as in `runs`) and `suite`, if
    given, as results documents (a pooled baseline).

    Runs whose id is in `exclude` (e.g. the current run, if it was appended already) are skipped,
    and so are re-measurement runs that older versions appended (`-remeasure` ids).
    """
    if last < 1:
        raise UserError(f"--last: must be at least 1, got {last}")
    table = runs(path, fingerprint)
    if suite is not None:
        table = table[table["suite"] == suite]
    ids = [i for i in table["run_id"] if i not in exclude and not str(i).endswith(REMEASURE_ID)][
        :last
    ]
    documents = []
    with connect(path, create=False) as db:
        for run_id in ids:
            date, suite, env = db.execute(
                "SELECT date, suite, env FROM runs WHERE run_id = ?", (run_id,)
            ).fetchone()
            records = [
                json.loads(text)
                for (text,) in db.execute(
                    "SELECT record_json FROM results WHERE run_id = ? ORDER BY rowid", (run_id,)
                )
            ]
            run: Run = {
                "id": run_id,
                "suite": suite,
                "started": date,
                "complete": True,
                "from_history": str(path),
            }
            # rows keep no schema version: read as the oldest and upgraded (upgrades are idempotent)
            doc = schema.document(run, json.loads(env), records, version=upgrade.OLDEST)
            documents.append(validate.check_document(doc, f"{path}:{run_id}"))
    if not documents:
        of = f" of suite {suite!r}" if suite is not None else ""
        raise UserError(
            f"{path}: no earlier runs{of} on this machine (fingerprint {fingerprint}) to compare with;"
            " the current run is not its own baseline, other machines are never pooled"
        )
    return documents
