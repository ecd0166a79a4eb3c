"""The environment a run measured on, captured once, with a machine fingerprint.

The fingerprint (rnnbench.results.fingerprint) hashes only what changes timings for the same code:
CPU model, core count, GPU name, torch / CUDA / cuDNN versions and the torch thread count.
Hostnames are left out so ephemeral CI machines of one kind share a fingerprint.
"""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import torch

import rnnbench
from rnnbench.results.fingerprint import fingerprint
from rnnbench.results.schema import Env

PROJECT_DIR = Path(__file__).resolve().parent.parent


def cpu_model() -> str:
    """The CPU's marketing name (Linux /proc/cpuinfo), else what `platform` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def git_commit(directory: Path = PROJECT_DIR) -> str | None:
    """The project's commit, with `+dirty` when the work tree has changes; None outside git."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=directory, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=directory,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{commit}+dirty" if dirty else commit


def capture(valgrind: str | None = None) -> Env:
    """Everything about this process's machine and software that a result depends on.

    `valgrind`: the version that counted instructions (`--counts` runs only; counts depend on it)."""
    cuda = torch.cuda.is_available()
    env: Env = {
        "rnnbench": rnnbench.__version__,
        "commit": git_commit(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "hostname": platform.node(),
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
        "thread_env": {
            k: os.environ[k] for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS") if k in os.environ
        },
        "torch": torch.__version__,
        "mkldnn": torch.backends.mkldnn.is_available(),
        "cuda": torch.version.cuda if cuda else None,
        "cudnn": torch.backends.cudnn.version() if cuda else None,
        "gpu_name": torch.cuda.get_device_name(0) if cuda else None,
        "gpu_count": torch.cuda.device_count() if cuda else 0,
        "tf32_matmul": torch.backends.cuda.matmul.allow_tf32 if cuda else None,
        "tf32_cudnn": torch.backends.cudnn.allow_tf32 if cuda else None,
        "cudnn_benchmark": torch.backends.cudnn.benchmark if cuda else None,
        "argv": list(sys.argv),
    }
    if valgrind is not None:
        env["valgrind"] = valgrind
    env["fingerprint"] = fingerprint(env)
    return env


def set_threads(threads: int | None) -> int:
    """Set torch's intra-op thread count explicitly (default: keep torch's choice) and return it."""
    count = threads if threads is not None else torch.get_num_threads()
    torch.set_num_threads(count)
    return torch.get_num_threads()


def oversubscribed(threads: int | None) -> str | None:
    """Why `threads` intra-op threads are too many for this machine, or None."""
    cores = os.cpu_count() or 1
    if threads is None or threads <= cores:
        return None
    return (
        f"{threads} threads on {cores} cores: oversubscribed rounds time the scheduler, not the RNN"
    )


@contextlib.contextmanager
def threads_for(count: int | None) -> Iterator[int]:
    """Run a block with `count` intra-op threads (None: leave them as they are), then restore."""
    before = torch.get_num_threads()
    if count is not None:
        torch.set_num_threads(count)
    try:
        yield torch.get_num_threads()
    finally:
        torch.set_num_threads(before)
