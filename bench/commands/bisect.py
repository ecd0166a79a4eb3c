"""`rnnbench bisect GOOD BAD`: name the first commit that made the selected cases slower.

Exit status: 0 the search named a commit (or a range of skipped ones), 1 BAD is not slower than
GOOD, 4 usage or input error (unknown revision, GOOD not an ancestor of BAD, no case selected).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rnnbench.ab import bisect
from rnnbench.commands import ab
from rnnbench.results import atomic


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bisect", help="find the first commit between GOOD and BAD that slowed the selected cases"
    )
    parser.add_argument("good", help="a revision where the cases were fast")
    parser.add_argument(
        "bad", help="a later revision where they are slow (GOOD must be its ancestor)"
    )
    ab.add_plan_arguments(parser, "instructions")
    parser.add_argument(
        "--results",
        type=Path,
        default=None,
        metavar="DIR",
        help="where every step's results go (default: results/bisect-<time>/)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    results = args.results or ab.default_results("bisect")
    atomic.check_directory(results, "--results")
    return bisect.bisect(args.good, args.bad, ab.plan_of(args), args.repo, results, ab.echo)
