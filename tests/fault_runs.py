"""Helpers of the fault tests: real `pytest bench` processes on tiny suites, and fault injection."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TINY = """
[settings]
warmup_rounds = 1
min_rounds = {rounds}
max_rounds = {rounds}
max_time = 0.01
[[grid]]
cell = ["lstm", "gru"]
batch = 1
seq_len = {seq_len}
input_size = 2
hidden_size = 2
device = "cpu"
phases = ["forward", "inference"]
"""


def tiny_suite(folder: Path, rounds: int = 3, seq_len: int = 2, text: str | None = None) -> Path:
    """Four CPU cases that run in milliseconds (more rounds or steps make them last longer)."""
    path = folder / "tiny.toml"
    path.write_text(text if text is not None else TINY.format(rounds=rounds, seq_len=seq_len))
    return path


def bench_command(suite: Path, results: Path, *options: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pytest",
        "bench",
        "--suite",
        str(suite),
        "--results",
        str(results),
        "-q",
        "-p",
        "no:cacheprovider",
        *options,
    ]


def run_bench(
    suite: Path, results: Path, *options: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`pytest bench` in a subprocess; the caller checks the exit status."""
    command = bench_command(suite, results, *options)
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )


def start_bench(suite: Path, results: Path, *options: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        bench_command(suite, results, *options),
        cwd=ROOT,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def visible_files(folder: Path) -> list[Path]:
    """Every file under `folder`, hidden temporary files included (they must not stay behind)."""
    return sorted(p for p in folder.rglob("*") if p.is_file())


def records_in(folder: Path) -> list[dict[str, Any]]:
    """Every record of every results file in `folder` (each file must be complete JSON)."""
    return [
        record
        for path in folder.glob("*.json")
        for record in json.loads(path.read_text())["records"]
    ]


def wait_for_records(
    folder: Path, count: int, process: subprocess.Popen[str], timeout: float = 60
) -> None:
    """Poll until `folder` holds a results file with at least `count` records."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if len(records_in(folder)) >= count:
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    raise AssertionError(f"no {count} records in {folder} (process rc {process.poll()})")


def enospc(*_args: Any, **_kwargs: Any) -> Any:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def empty_then_enospc(real_open: Callable[..., Any]) -> Callable[..., Any]:
    """A `Path.write_text` that creates the file, then finds the disk full (as a real full disk does)."""

    def write_text(self: Path, *_args: Any, **_kwargs: Any) -> int:
        real_open(self, "w").close()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))

    return write_text
