"""`rnnbench run [--suite NAME] [pytest args]`: the shipped benchmarks, from any folder.

With `--launcher local|slurm --shards N` the suite's shards run as jobs and are gathered into one
run folder (rnnbench.cluster); `--resume RUN_DIR` submits again the shards that did not finish.

Runs the installed benchmark module (`rnnbench/bench_rnn.py`, the file `pytest bench` collects in
the checkout) under pytest in a child process, with the same options and records; the project's own pytest
configuration is not read (`-c /dev/null`), so a user's `bench/` or pytest.ini cannot interfere.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import rnnbench
from rnnbench.cluster import arguments
from rnnbench.errors import UserError

BENCH_DIR = Path(rnnbench.__file__).resolve().parent
BENCH_MODULE = BENCH_DIR / "bench_rnn.py"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run a suite's benchmarks (any `pytest bench` option: --suite, --device, -k, --results, ...)",
        description="Any option of `pytest bench` may follow, e.g. rnnbench run --suite smoke -k 'lstm and forward'.",
        allow_abbrev=False,  # `--shard 1/2` is pytest's, not an abbreviation of `--shards`
    )
    arguments.add_arguments(parser)
    parser.set_defaults(func=run, passthrough=True)


def pytest_args(extra: list[str]) -> list[str]:
    """The pytest command line that runs the shipped benchmarks with the user's options."""
    return [
        str(BENCH_MODULE),
        "-c",
        os.devnull,
        "--rootdir",
        str(BENCH_DIR),
        "-p",
        "no:cacheprovider",
        "-o",
        "python_functions=bench_*",
        *extra,
    ]


def run(args: argparse.Namespace) -> int:
    """pytest in a child process (a fresh interpreter: nothing imported before pytest can rewrite it).
    Ctrl-C reaches the child too; we wait for it to store what it finished, then pass its status on.
    With a launcher, the shards run as jobs instead (rnnbench.cluster)."""
    if args.launcher is not None or args.resume is not None:
        return arguments.run(args)
    if args.shards is not None:
        raise UserError("--shards: needs --launcher local|slurm")
    child = subprocess.Popen([sys.executable, "-m", "pytest", *pytest_args(args.extra)])
    while True:
        try:
            return child.wait()
        except KeyboardInterrupt:
            continue
