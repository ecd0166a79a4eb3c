"""`rnnbench history append DB RESULTS...` / `rnnbench history list DB [--case GLOB]`."""

from __future__ import annotations

import argparse

from rnnbench.results import history, store


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "history", help="the SQLite result history: append runs, list runs or a trend"
    )
    actions = parser.add_subparsers(dest="action", required=True)
    append = actions.add_parser(
        "append", help="append results files or directories to DB (created if new)"
    )
    append.add_argument("db")
    append.add_argument("results", nargs="+")
    append.set_defaults(func=run_append)
    listing = actions.add_parser(
        "list", help="list runs, or with --case the per-commit medians of matching cases"
    )
    listing.add_argument("db")
    listing.add_argument("--case", metavar="GLOB", help="show the trend of case ids matching GLOB")
    listing.add_argument("--fingerprint", help="only this machine")
    listing.set_defaults(func=run_list)


def run_append(args: argparse.Namespace) -> int:
    rows = history.append(args.db, store.load(args.results))
    print(f"appended {rows} rows to {args.db}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    if args.case:
        frame = history.trend(args.db, args.case, args.fingerprint)
        frame = frame[["date", "commit", "id", "status", "median_s", "iqr_s", "rounds"]]
    else:
        frame = history.runs(args.db, args.fingerprint)
    print(frame.to_string(index=False) if len(frame) else "(empty)")
    return 0
