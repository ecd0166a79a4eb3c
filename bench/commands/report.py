"""`rnnbench report RESULTS... [-o DIR] [--history DB [--trend GLOB]]`: tables, plots, one HTML page."""

from __future__ import annotations

import argparse

from rnnbench.reports import cli


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report", help="build an HTML report (tables, plots) from results"
    )
    cli.add_arguments(parser)
    parser.set_defaults(func=cli.run)
