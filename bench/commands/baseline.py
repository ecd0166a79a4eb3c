"""`rnnbench baseline save [NAME]` / `rnnbench baseline list`: named baselines in .rnnbench/baselines/."""

from __future__ import annotations

import argparse
from pathlib import Path

from rnnbench.results import baseline


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "baseline", help="save a results file as a named baseline, or list them"
    )
    actions = parser.add_subparsers(dest="action", required=True)
    save = actions.add_parser(
        "save", help="copy a results file (default: newest in results/) to NAME"
    )
    save.add_argument("name", nargs="?", default=baseline.DEFAULT_NAME, help="default: %(default)s")
    save.add_argument("--from", dest="source", default="results", help="results file or directory")
    save.add_argument(
        "--dir", type=Path, default=baseline.BASELINES_DIR, help="default: %(default)s"
    )
    save.set_defaults(func=run_save)
    listing = actions.add_parser("list", help="list saved baselines")
    listing.add_argument(
        "--dir", type=Path, default=baseline.BASELINES_DIR, help="default: %(default)s"
    )
    listing.set_defaults(func=run_list)


def run_save(args: argparse.Namespace) -> int:
    target = baseline.save(Path(args.source), args.name, args.dir)
    print(f"saved baseline {args.name!r} -> {target}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    for name, run_id, fingerprint in baseline.listing(args.dir):
        print(f"{name}\t{run_id}\t{fingerprint}")
    return 0
