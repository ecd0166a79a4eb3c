"""Hand-built report inputs: a record frame from a few fields, for logic this machine cannot
measure (CUDA rows, chosen ratios), the HTML-hostile suite name of the tiny real run, and a
later run derived from a real one for history trends."""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd

from rnnbench.reports.inputs import KEY

SUITE_NAME = "<b>&\"x'"
TREND_GLOB = "*-b1-*"  # the profiled run's batch-1 cases
LATER = {
    "id": "later-run",
    "started": "2030-01-02T03:04:05+00:00",
    "commit": "0123456789abcdef",
    "slower": 1.25,
}


def later_run(doc: dict[str, Any]) -> dict[str, Any]:
    """`doc` as if run again later on another commit, every timed round 25% slower."""
    later = copy.deepcopy(doc)
    later["run"].update(id=LATER["id"], started=LATER["started"])
    later["env"]["commit"] = LATER["commit"]
    for record in later["records"]:
        record["times_s"] = [t * LATER["slower"] for t in record["times_s"]]
        stats = record.get("stats") or {}
        for name in ("median", "mean", "stdev", "min", "max", "q1", "q3", "iqr"):
            if stats.get(name) is not None:
                stats[name] *= LATER["slower"]
    return later


def frame_of(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Records as the report sees them, from a few fields each; the rest take tiny defaults."""
    defaults: dict[str, Any] = {
        "input": "machine · commit · run",
        "model": "layer",
        "impl": "fused",
        "layout": "padded",
        "threads": 2,
        "batch": 2,
        "seq_len": 4,
        "input_size": 4,
        "hidden_size": 4,
        "num_layers": 1,
        "bidirectional": False,
        "dtype": "float32",
        "device_label": "cpu",
        "phase": "forward_backward",
        "status": "ok",
        "median_s": 1.0,
        "q1_s": 0.9,
        "q3_s": 1.1,
        "saved_bytes": 100,
        "peak_bytes": float("nan"),
    }
    frame = pd.DataFrame([defaults | row for row in rows])
    frame["params"] = [
        4 * h * (i + h + 2) if cell == "lstm" else 3 * h * (i + h + 2)
        for cell, h, i in zip(frame["cell"], frame["hidden_size"], frame["input_size"])
    ]
    frame["param_bytes"] = frame["params"] * 4
    assert set(KEY) <= set(frame.columns)
    return frame
