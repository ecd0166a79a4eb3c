"""Named baselines: a results file copied (validated, atomically) to `.rnnbench/baselines/NAME.json`.

`rnnbench compare` and `pytest --baseline` accept either a path or such a name, so CI can
restore `.rnnbench/baselines/` from a cache or an artifact and gate against `main`.
"""

from __future__ import annotations

import json
from pathlib import Path

from rnnbench.errors import UserError
from rnnbench.results import store

BASELINES_DIR = Path(".rnnbench") / "baselines"
DEFAULT_NAME = "default"
REMEASURE_SUFFIX = ".remeasure.json"  # the gate's re-measurements: never a baseline on their own


def newest_results(path: Path) -> Path:
    """`path` itself if a file, else the newest run's results file under it (names start with a UTC stamp)."""
    if not path.is_dir():
        return store.result_files([path])[0]
    files = [p for p in store.result_files([path]) if not p.name.endswith(REMEASURE_SUFFIX)]
    if not files:
        raise UserError(f"{path}: no results files")
    return max(files, key=lambda p: p.name)


def save(source: Path, name: str = DEFAULT_NAME, directory: Path = BASELINES_DIR) -> Path:
    """Validate `source` (a results file or the newest one in a directory) and store it as NAME."""
    if not name or "/" in name or name.startswith("."):
        raise UserError(f"baseline name: {name!r} is not a plain file name")
    path = newest_results(source)
    doc = store.read_document(path)
    if not doc["run"].get("complete", True):
        raise UserError(f"{path}: the run did not finish (run.complete is false); refusing it as a baseline")
    if not any(record["status"] == "ok" for record in doc["records"]):
        raise UserError(f"{path}: no ok records; nothing to compare against")
    target = directory / f"{name}.json"
    store.write_atomic(target, doc | {"saved_from": str(path)})
    return target


def resolve(name_or_path: str, directory: Path = BASELINES_DIR) -> Path:
    """A results path as given, or the file of a saved baseline name."""
    path = Path(name_or_path)
    if path.exists():
        return path
    named = directory / f"{name_or_path}.json"
    if named.is_file():
        return named
    saved = ", ".join(sorted(p.stem for p in directory.glob("*.json"))) or "none"
    raise UserError(f"baseline {name_or_path!r}: no such file, and no saved baseline of that name (saved: {saved})")


def listing(directory: Path = BASELINES_DIR) -> list[tuple[str, str, str]]:
    """(name, run id, fingerprint) of every saved baseline, read without validating records."""
    rows = []
    for path in sorted(directory.glob("*.json")):
        try:
            doc = json.loads(path.read_text())
            rows.append((path.stem, str(doc["run"].get("id")), str(doc["env"].get("fingerprint"))))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            rows.append((path.stem, "(unreadable)", ""))
    return rows
