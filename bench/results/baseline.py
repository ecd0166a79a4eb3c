"""Named baselines: a results file copied (validated, atomically) to `.rnnbench/baselines/NAME.json`,
or a gathered launch's shards (every one) to the folder `.rnnbench/baselines/NAME/`.

`rnnbench compare` and `pytest --baseline` accept either a path or such a name, so CI can
restore `.rnnbench/baselines/` from a cache or an artifact and gate against `main`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from rnnbench.errors import UserError
from rnnbench.results import atomic, store
from rnnbench.results.schema import Document

BASELINES_DIR = Path(".rnnbench") / "baselines"
DEFAULT_NAME = "default"
REMEASURE_SUFFIX = ".remeasure.json"  # the gate's re-measurements: never a baseline on their own


def newest_run(path: Path) -> list[tuple[Path, Document]]:
    """The newest run under `path` (itself, if a file), read: one results file, or every shard of
    the newest gathered launch (`run.launch`, rnnbench.cluster), whichever started last."""
    files = [p for p in store.result_files([path]) if not p.name.endswith(REMEASURE_SUFFIX)]
    if not files:
        raise UserError(f"{path}: no results files")
    docs = [(p, store.read_document(p)) for p in files]
    newest_path, newest = max(
        docs, key=lambda item: (str(item[1]["run"].get("started")), item[0].name)
    )
    launch = newest["run"].get("launch")
    if not launch:
        return [(newest_path, newest)]
    return [(p, doc) for p, doc in docs if _launch_id(doc) == launch["id"]]


def _launch_id(doc: Document) -> str | None:
    launch = doc["run"].get("launch")
    return launch.get("id") if launch else None


def check_usable(path: Path, doc: Document) -> None:
    """A baseline must be a finished run with something to compare against."""
    if not doc["run"].get("complete", True):
        raise UserError(
            f"{path}: the run did not finish (run.complete is false); refusing it as a baseline"
        )
    if not any(record["status"] == "ok" for record in doc["records"]):
        raise UserError(f"{path}: no ok records; nothing to compare against")


def save(source: Path, name: str = DEFAULT_NAME, directory: Path = BASELINES_DIR) -> Path:
    """Validate `source` (a results file, or the newest run in a directory) and store it as NAME:
    `NAME.json`, or for a gathered launch the folder `NAME/` with every shard's file."""
    if not name or "/" in name or name.startswith("."):
        raise UserError(f"baseline name: {name!r} is not a plain file name")
    run = newest_run(source)
    for path, doc in run:
        check_usable(path, doc)
    launch = run[0][1]["run"].get("launch")
    if not launch:
        ((path, doc),) = run
        target = directory / f"{name}.json"
        store.write_atomic(target, doc | {"saved_from": str(path)})
        shutil.rmtree(
            directory / name, ignore_errors=True
        )  # an earlier launch saved under this name
        return target
    shards = {doc["run"].get("shard") for _, doc in run}
    if len(shards) < launch["shards"]:
        raise UserError(
            f"{source}: launch {launch['id']} has {len(shards)} of {launch['shards']} shards gathered; "
            "resume it (rnnbench run --resume) before saving it as a baseline"
        )
    target = directory / name
    staged, retired = (
        atomic.temp_path(target),
        atomic.temp_path(target),
    )  # hidden: never read as baselines
    try:
        for path, doc in run:
            store.write_atomic(staged / path.name, doc | {"saved_from": str(path)})
        if target.exists():
            target.rename(retired)
        staged.rename(target)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
    (directory / f"{name}.json").unlink(missing_ok=True)
    return target


def resolve(name_or_path: str, directory: Path = BASELINES_DIR) -> Path:
    """A results path as given, or the file (or a gathered launch's folder) of a saved baseline name."""
    path = Path(name_or_path)
    if path.exists():
        return path
    for named in (directory / f"{name_or_path}.json", directory / name_or_path):
        if named.exists() and not named.name.startswith("."):
            return named
    saved = ", ".join(name for name, _, _ in listing(directory)) or "none"
    raise UserError(
        f"baseline {name_or_path!r}: no such file, and no saved baseline of that name (saved: {saved})"
    )


def listing(directory: Path = BASELINES_DIR) -> list[tuple[str, str, str]]:
    """(name, run id, fingerprint) of every saved baseline, read without validating records."""
    rows = []
    saved = [
        p
        for p in directory.glob("*")
        if not p.name.startswith(".") and (p.is_dir() or p.suffix == ".json")
    ]
    for path in sorted(saved, key=lambda p: p.stem):
        try:
            docs = [
                json.loads(f.read_text())
                for f in (sorted(path.glob("*.json")) if path.is_dir() else [path])
            ]
            run_id = docs[0]["run"]["launch"]["id"] if path.is_dir() else docs[0]["run"].get("id")
            fingerprints = ",".join(
                dict.fromkeys(str(doc["env"].get("fingerprint")) for doc in docs)
            )
            rows.append((path.stem, str(run_id), fingerprints))
        except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
            rows.append((path.stem, "(unreadable)", ""))
    return rows
