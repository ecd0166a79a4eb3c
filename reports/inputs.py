"""The report's inputs: stored results files, each labelled by its environment.

Reads through `rnnbench.results.store` only (never the runner). Each results document becomes one input,
labelled `machine · commit · run id` (the gathered shards of one launch on one machine fingerprint
are one input: `machine · commit · launch id · fingerprint`), and every record row carries that label in `input` plus a
`device_label` (`cpu`, `cuda-cudnn`, `cuda-native`) so tables can pivot without null keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from rnnbench.cases.case import QUALITY_PHASE, SHAPE_AXES
from rnnbench.errors import UserError
from rnnbench.results import store
from rnnbench.results.schema import LoadedDocument

SHAPE = SHAPE_AXES
KEY = ("input", *SHAPE, "device_label")
ENV_FIELDS = (
    "suite",
    "run_id",
    "started",
    "complete",
    "commit",
    "machine",
    "cpu_model",
    "cpu_count",
    "gpu_name",
    "torch",
    "cuda",
    "cudnn",
    "threads",
    "python",
    "platform",
    "fingerprint",
)


@dataclass(frozen=True)
class Inputs:
    """Every record (one row each), one environment row per input, and the documents as loaded."""

    frame: pd.DataFrame
    environments: pd.DataFrame
    documents: list[LoadedDocument]

    @property
    def measured(self) -> pd.DataFrame:
        """Every ok record: timings and quality (training accuracy) records."""
        return self.frame[self.frame["status"] == "ok"]

    @property
    def ok(self) -> pd.DataFrame:
        """The timed records: only these carry medians of a phase's time."""
        measured = self.measured
        return measured[measured["phase"] != QUALITY_PHASE]

    @property
    def not_ok(self) -> pd.DataFrame:
        """Failed and skipped records, with their reasons."""
        return self.frame[self.frame["status"] != "ok"]


def short_commit(commit: object) -> str:
    """`3e438475` or `3e438475+dirty` (uncommitted changes); `nogit` outside a git checkout (None, NaN)."""
    text = commit if isinstance(commit, str) and commit else "nogit"
    return text[:8] + ("+dirty" if text.endswith("+dirty") else "")


def label(doc: LoadedDocument) -> str:
    """`AMD EPYC · 3e438475 · 20261125T123856-...`: which machine, code and run."""
    env = doc["env"]
    machine = env.get("gpu_name") or env.get("cpu_model") or "unknown machine"
    return f"{machine} · {short_commit(env.get('commit'))} · {store.run_name(doc)}"


def device_label(device: str, cudnn: object) -> str:
    if device == "cpu":
        return "cpu"
    return "cuda-cudnn" if cudnn else "cuda-native"


def distinct(documents: list[LoadedDocument]) -> tuple[list[LoadedDocument], list[str]]:
    """The documents and their labels, one per run: a run given twice (its results file and a saved
    baseline of it) is kept once; different files with one label get their file name appended,
    except the gathered shards of one launch, which share their label on purpose (`store.run_name`)."""
    kept: list[LoadedDocument] = []
    labels: list[str] = []
    for doc in documents:
        name = label(doc)
        if any(n == name and k["records"] == doc["records"] for k, n in zip(kept, labels)):
            continue
        kept.append(doc)
        clash = name in labels and not doc["run"].get("launch")
        labels.append(f"{name} · {Path(doc['source']).name}" if clash else name)
    return kept, labels


def environment(doc: LoadedDocument, name: str) -> dict[str, Any]:
    """The environment block of one input, labelled `name`."""
    env, run = doc["env"], doc["run"]
    facts = {
        **env,
        **run,
        "run_id": store.run_name(doc),
        "machine": env.get("gpu_name") or env.get("cpu_model"),
    }
    return {
        "input": name,
        "source": doc.get("source"),
        **{key: facts.get(key) for key in ENV_FIELDS},
    }


def load_inputs(paths: list[str | Path]) -> Inputs:
    """Load result files or directories; a missing, empty or non-result file is a `UserError`."""
    documents = list(
        {str(Path(doc["source"]).resolve()): doc for doc in store.load(paths)}.values()
    )
    for doc in documents:
        if not doc["records"]:
            raise UserError(f"{doc['source']}: results file holds no records")
    documents, labels = distinct(documents)
    frame = store.to_frame(documents)
    counts = [len(doc["records"]) for doc in documents]
    frame["input"] = [name for name, count in zip(labels, counts) for _ in range(count)]
    frame["peak_bytes"] = pd.to_numeric(frame["peak_bytes"])  # null (CPU) becomes NaN, not object
    frame["device_label"] = [device_label(d, c) for d, c in zip(frame["device"], frame["cudnn"])]
    environments = pd.DataFrame([environment(doc, name) for doc, name in zip(documents, labels)])
    environments = environments.drop_duplicates("input")  # the shards of one launch are one input
    return Inputs(frame=frame, environments=environments, documents=documents)
