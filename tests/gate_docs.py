"""Build small results documents with known round times for the gate's tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from rnnbench.measurement.timing import Measurement
from rnnbench.results import fingerprint as envmod
from rnnbench.results import schema

CASE_IDS = ("lstm-a-forward", "gru-b-forward", "lstm-c-backward")


def machine(**changes: Any) -> dict[str, Any]:
    """A made-up environment with a real fingerprint."""
    facts = {
        "cpu_model": "Test CPU",
        "cpu_count": 2,
        "gpu_name": None,
        "torch": "2.13.0",
        "cuda": None,
        "cudnn": None,
        "threads": 2,
        "commit": "abc",
    } | changes
    return facts | {"fingerprint": envmod.fingerprint(facts)}


def times(
    median: float = 1e-3, rounds: int = 60, seed: int = 0, spread: float = 0.05
) -> list[float]:
    """Right-skewed round times around `median` seconds (lognormal, seeded)."""
    rng = np.random.default_rng(seed)
    return list(rng.lognormal(np.log(median), spread, rounds))


def record(case_id: str, round_times: list[float] | None, status: str = "ok") -> dict[str, Any]:
    ok = status == "ok"
    return {
        "id": case_id,
        "case": {},
        "status": status,
        "reason": None if ok else f"{status} for a test",
        "times_s": list(round_times or []) if ok else [],
        "stats": Measurement(tuple(round_times or ())).stats() if ok else None,
        "noisy": None,
        "measures": {},
        "code_hash": "h",
    }


def document(
    records: list[dict[str, Any]], env: dict[str, Any] | None = None, run_id: str = "run"
) -> dict[str, Any]:
    run = {
        "id": run_id,
        "suite": "test",
        "started": f"2026-01-01T00:00:{len(run_id):02d}",
        "complete": True,
    }
    return schema.document(run, env or machine(), records)


def run_doc(
    scale: float = 1.0,
    seed: int = 0,
    env: dict[str, Any] | None = None,
    run_id: str = "run",
    ids: tuple[str, ...] = CASE_IDS,
) -> dict[str, Any]:
    """Every case of `ids` measured with times scaled by `scale`."""
    return document(
        [record(i, times(1e-3 * scale, seed=seed + n)) for n, i in enumerate(ids)], env, run_id
    )


def write(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(json.dumps(doc))
    return path
