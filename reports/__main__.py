"""`python -m rnnbench.reports RESULTS... [-o DIR] [--history DB [--trend GLOB]]`: the same as `rnnbench report`."""

from __future__ import annotations

import sys

from rnnbench.cli import ArgumentParser
from rnnbench.errors import EXIT_USAGE, UserError
from rnnbench.reports import cli


def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(
        prog="python -m rnnbench.reports", description="Build an rnnbench report."
    )
    cli.add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return cli.run(args)
    except UserError as exc:
        print(f"python -m rnnbench.reports: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
