"""Command-line arguments of `rnnbench report` and `python -m rnnbench.reports` (one definition for both)."""

from __future__ import annotations

import argparse
from pathlib import Path

from rnnbench.errors import UserError
from rnnbench.reports.build import build


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "results", nargs="+", help="results files or directories (several inputs merge)"
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("report"),
        metavar="DIR",
        help="where report.html, tables/ and plots/ go (default: report/)",
    )
    parser.add_argument(
        "--history",
        type=Path,
        metavar="DB",
        help="SQLite history file (pytest bench --history): add a trend plot per case",
    )
    parser.add_argument(
        "--trend",
        metavar="CASE_GLOB",
        help="with --history: a glob on case ids (default: all; the first 12 are drawn)",
    )
    parser.add_argument(
        "--summary-md",
        type=Path,
        metavar="FILE",
        help="also write a short Markdown summary (verdict, biggest movers; <= 60 lines) to FILE, "
        "e.g. $GITHUB_STEP_SUMMARY",
    )
    parser.add_argument(
        "--reference",
        metavar="CELL",
        help="the cell every other cell is timed against in the verdict (default: lstm when "
        "present, else the first cell)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    if args.trend is not None and args.history is None:
        raise UserError("--trend: needs --history DB (the history file to read the trend from)")
    page = build(
        args.results,
        args.output,
        progress=not args.quiet,
        history=args.history,
        pattern=args.trend or "*",
        summary_md=args.summary_md,
        reference=args.reference,
    )
    print(page)
    return 0
