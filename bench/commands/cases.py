"""`rnnbench cases SUITE`: list (or count) the cases a suite expands to, without running them."""

from __future__ import annotations

import argparse

from rnnbench.cases import suite as suitemod
from rnnbench.cases.select import CUDNN_CHOICES, DEVICE_CHOICES, MAX_CASES, by_device


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "cases", help="list the cases of a suite (validates the suite file)"
    )
    parser.add_argument("suite", help="suite name in suites/ or a TOML path")
    parser.add_argument("--device", choices=DEVICE_CHOICES, default="all")
    parser.add_argument("--cudnn", choices=CUDNN_CHOICES, default="both")
    parser.add_argument("--count", action="store_true", help="print only the number of cases")
    parser.add_argument(
        "--max-cases",
        type=int,
        default=MAX_CASES,
        metavar="N",
        help="refuse a suite that declares more cases (default: %(default)s)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    loaded = suitemod.load(args.suite, args.max_cases)
    cases = by_device(loaded.cases, args.device, args.cudnn, cuda_available=True)
    if args.count:
        print(len(cases))
    else:
        for case in cases:
            print(case.id)
    return 0
