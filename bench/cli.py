"""`rnnbench` console entry point: one subcommand per job, user errors as one line.

Each subcommand lives in its own module exposing `register(subparsers)`, which adds a parser
whose `func(args) -> int` default does the work.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from rnnbench import commands
from rnnbench.errors import EXIT_USAGE, UserError


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a usage error exits with EXIT_USAGE (4, as pytest's do) instead of 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser; with `only` (a subcommand name), the other subcommands are bare names, and
    only `only`'s module is imported (a subcommand pays for no other's imports)."""
    parser = ArgumentParser(prog="rnnbench", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in commands.NAMES:
        if only is None or name == only:
            commands.module(name).register(subparsers)
        else:
            subparsers.add_parser(name)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv[0] if argv and argv[0] in commands.NAMES else None)
    args, extra = parser.parse_known_args(argv)
    if extra and not getattr(
        args, "passthrough", False
    ):  # only `run` hands extra options on (to pytest)
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    try:
        return int(args.func(args))
    except UserError as exc:
        print(f"rnnbench {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # the reader went away (`rnnbench cases full | head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print(f"rnnbench {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
