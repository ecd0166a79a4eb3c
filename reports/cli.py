"""Command-line arguments of `rnnbench report` and `python -m reports` (one definition for both)."""

from __future__ import annotations

import argparse
from pathlib import Path

from reports.build import build


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("results", nargs="+", help="results files or directories (several inputs merge)")
    parser.add_argument("-o", "--output", type=Path, default=Path("report"), metavar="DIR",
                        help="where report.html, tables/ and plots/ go (default: report/)")  # fmt: skip
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    page = build(args.results, args.output, progress=not args.quiet)
    print(page)
    return 0
