"""`rnnbench gather SOURCES... --into RUN_DIR`: shard results files (e.g. CI artifacts) into one run.

Exit status: 0 when every shard K of N is in RUN_DIR, 1 when some shard has no complete results
file (the others are gathered), 4 on bad input.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rnnbench.cluster import gather

EXIT_MISSING = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "gather", help="gather shard results files (--shard K/N runs) into one run folder"
    )
    parser.add_argument(
        "sources", nargs="+", type=Path, help="results files or folders holding the shards' files"
    )
    parser.add_argument(
        "--into", type=Path, required=True, metavar="RUN_DIR", help="the run folder to gather into"
    )
    parser.add_argument(
        "--launch-id", metavar="ID", help="the run's name in reports (default: RUN_DIR's name)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    result = gather.gather(args.sources, args.into, args.launch_id)
    print(
        f"rnnbench gather: {len(result.copied)} shard(s) gathered, {len(result.already)} already there"
        f" ({result.count} in all) -> {args.into}"
    )
    if result.missing:
        print(
            f"rnnbench gather: no complete results file for shard(s) "
            f"{', '.join(f'{k}/{result.count}' for k in result.missing)}"
        )
        return EXIT_MISSING
    return 0
