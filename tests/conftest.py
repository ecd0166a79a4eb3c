"""Shared helpers for the harness tests: tiny cases and suite files."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bench.case import Case

pytest_plugins = ("pytester",)

TINY_SUITE = """
[suite]
name = "tiny"

[settings]
warmup_rounds = 1
min_rounds = 3
max_rounds = 3
max_time = 0.01

[[grid]]
cell = ["lstm", "gru"]
batch = 2
seq_len = 3
input_size = 4
hidden_size = 5
phases = ["forward", "backward"]
"""


def tiny_case(**changes: object) -> Case:
    """A CPU case small enough to run in milliseconds."""
    base = Case(
        cell="lstm", model="layer", batch=2, seq_len=3, input_size=4, hidden_size=5, num_layers=1,
        bidirectional=False, dtype="float32", device="cpu", cudnn=None, phase="forward",
    )  # fmt: skip
    return dataclasses.replace(base, **changes)


@pytest.fixture
def tiny_suite(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY_SUITE)
    return path
