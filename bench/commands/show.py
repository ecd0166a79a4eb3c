"""`rnnbench show RESULTS...`: print stored results as one table (median and spread per case)."""

from __future__ import annotations

import argparse

from rnnbench.results import store


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("show", help="print results files or directories as a table")
    parser.add_argument("results", nargs="+", help="results files or directories")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    frame = store.load_frame(args.results)
    columns = [
        "id",
        "status",
        "median_s",
        "iqr_s",
        "rounds",
        "params",
        "saved_bytes",
        "peak_bytes",
        "gflops_per_s",
        "tokens_per_s",
    ]
    table = frame[columns].copy()
    table["median_ms"] = table.pop("median_s") * 1e3
    table["iqr_ms"] = table.pop("iqr_s") * 1e3
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    return 0
