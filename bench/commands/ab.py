"""`rnnbench ab BASE HEAD`: two revisions (or interpreters) measured in alternation on this machine.

Exit status: 0 no regression, 1 a regression (or a case that failed), 4 usage or input error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from rnnbench.ab import alternate, documents, sides
from rnnbench.errors import UserError
from rnnbench.gate import compare
from rnnbench.gate import table as gate_table
from rnnbench.results import atomic

EXIT_REGRESSION = 1


def add_plan_arguments(parser: argparse.ArgumentParser, metric: str) -> None:
    """The options `ab` and `bisect` share: what to run, how often, and how to decide."""
    parser.add_argument(
        "--suite",
        default="smoke",
        help="suite name or TOML path, read in each side's checkout (default: smoke)",
    )
    parser.add_argument(
        "-k",
        dest="keyword",
        metavar="EXPR",
        help="select cases as pytest -k does (e.g. 'forward and not backward')",
    )
    parser.add_argument(
        "--metric",
        choices=compare.METRICS,
        default=metric,
        help=f"alternating timed runs, or one counted run per side (default: {metric})",
    )
    parser.add_argument(
        "--pairs",
        type=int,
        default=alternate.DEFAULT_PAIRS,
        help=f"time: pairs of turns per case (default: {alternate.DEFAULT_PAIRS})",
    )
    parser.add_argument(
        "--turn-rounds",
        type=int,
        default=alternate.DEFAULT_TURN_ROUNDS,
        help=f"time: timed rounds in each side's turn (default: {alternate.DEFAULT_TURN_ROUNDS})",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=alternate.DEFAULT_PROCESSES,
        help="time: worker processes per side, taking the pairs in turn; a process's own speed "
        f"(where its code and heap landed) averages out over several (default: {alternate.DEFAULT_PROCESSES})",
    )
    parser.add_argument(
        "--threshold", default="5%", help="smallest slowdown that counts (default: 5%%)"
    )
    parser.add_argument(
        "--alpha",
        type=float,
        default=0.05,
        help="significance level of the paired test (default: 0.05)",
    )
    parser.add_argument(
        "--quantile",
        type=float,
        default=0.5,
        help="each turn's statistic: this quantile of its rounds (0.5)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads in both sides (default: 1, as the CI gate: steady on shared machines)",
    )
    parser.add_argument(
        "--repo", type=Path, default=Path("."), help="the git repository (default: the current one)"
    )


def plan_of(args: argparse.Namespace) -> alternate.Plan:
    return alternate.Plan(
        suite=args.suite,
        keyword=args.keyword,
        metric=args.metric,
        pairs=args.pairs,
        turn_rounds=args.turn_rounds,
        processes=args.processes,
        threads=args.threads,
        thresholds=compare.Thresholds.parse(args.threshold),
        alpha=args.alpha,
        quantile=args.quantile,
    )


def default_results(kind: str = "ab") -> Path:
    return Path("results") / f"{kind}-{dt.datetime.now(dt.UTC).strftime('%Y%m%dT%H%M%S')}"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ab", help="measure two revisions (or interpreters) in alternation and compare them"
    )
    parser.add_argument(
        "base", nargs="?", help="base revision (default with --python-*: the files as they are)"
    )
    parser.add_argument("head", nargs="?", help="head revision")
    add_plan_arguments(parser, "time")
    parser.add_argument(
        "--python-base", metavar="PATH", default=sys.executable, help="interpreter of the base side"
    )
    parser.add_argument(
        "--python-head", metavar="PATH", default=sys.executable, help="interpreter of the head side"
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=None,
        metavar="DIR",
        help="where base.json and head.json go (default: results/ab-<time>/)",
    )
    parser.set_defaults(func=run)


def echo(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    pythons = args.python_base != sys.executable or args.python_head != sys.executable
    if (args.base is None) != (args.head is None) or (args.base is None and not pythons):
        raise UserError(
            "give BASE and HEAD revisions, or two interpreters (--python-base PATH --python-head PATH)"
        )
    base = sides.Side("base", args.base, sides.check_python(args.python_base, "--python-base"))
    head = sides.Side("head", args.head, sides.check_python(args.python_head, "--python-head"))
    plan = plan_of(args)
    results = args.results or default_results()
    atomic.check_directory(results, "--results")
    outcome = alternate.run_ab(base, head, plan, args.repo, echo)
    paths = documents.write(outcome.documents, results)
    print(gate_table.render(outcome.comparison))
    print(
        f"rnnbench ab: {outcome.wall_s:.0f} s; results: {' '.join(map(str, paths))} "
        f"(rnnbench report {paths[0]} {paths[1]})"
    )
    return EXIT_REGRESSION if outcome.comparison.failing() else 0
