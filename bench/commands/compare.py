"""`rnnbench compare [BASELINE] CURRENT`: the regression gate over stored results.

Exit status: 0 clean, 1 a regression (or a missing / failed case), 4 usage or input error.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from rnnbench.errors import UserError
from rnnbench.gate import compare, paced, significance, single_run
from rnnbench.gate import table as gate_table
from rnnbench.results import baseline, history, store
from rnnbench.results.schema import Document, LoadedDocument

EXIT_REGRESSION = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compare",
        help="gate CURRENT against BASELINE (a results path, a saved baseline name, or --history)",
    )
    parser.add_argument(
        "paths", nargs="+", metavar="[BASELINE] CURRENT", help="results files or directories"
    )
    parser.add_argument(
        "--threshold", default="5%", help="smallest slowdown that counts (default: 5%%)"
    )
    parser.add_argument(
        "--threshold-for",
        action="append",
        default=[],
        metavar="PATTERN=PCT",
        help="threshold for case ids matching a glob, e.g. 'gru-*=10%%' (first match wins)",
    )
    parser.add_argument(
        "--alpha",
        type=float,
        default=significance.DEFAULT_ALPHA,
        help="significance level of the Mann-Whitney U test (default: %(default)s)",
    )
    parser.add_argument(
        "--quantile",
        type=float,
        default=0.5,
        help="compare this quantile of the round times (default: 0.5, the median; "
        "0.1 is steadier on shared machines)",
    )
    parser.add_argument(
        "--metric",
        choices=compare.METRICS,
        default="time",
        help="compare round times (default) or instruction counts of runs made with --counts",
    )
    parser.add_argument(
        "--allow-foreign", action="store_true", help="compare across machine fingerprints"
    )
    parser.add_argument(
        "--allow-missing", action="store_true", help="missing or failed cases do not fail the gate"
    )
    parser.add_argument(
        "--history", metavar="DB", help="baseline = the last N runs of this machine in DB"
    )
    parser.add_argument(
        "--last",
        type=int,
        default=5,
        help="with --history or --drift-from: how many runs (default: 5)",
    )
    parser.add_argument(
        "--drift-from",
        metavar="DB",
        help="one run per side: estimate drift between runs from this machine's last runs in DB",
    )
    parser.set_defaults(func=run)


def load_baseline(args: argparse.Namespace, current: list[LoadedDocument]) -> Sequence[Document]:
    """The baseline documents: a path or saved name, or the last N runs from the history."""
    if args.history:
        if len(args.paths) != 1:
            raise UserError(
                "with --history give only CURRENT (the baseline comes from the history)"
            )
        suites = {doc["run"].get("suite") for doc in current}
        if len(suites) != 1:
            raise UserError(f"CURRENT mixes {len(suites)} suites; gate one suite at a time")
        suite = suites.pop()
        fingerprints = dict.fromkeys(doc["env"].get("fingerprint") for doc in current)
        exclude = {store.run_name(doc) for doc in current}  # as the history names them
        # one baseline per machine of CURRENT (shards gathered from several kinds of node): never pooled
        return [
            doc
            for fp in fingerprints
            for doc in history.last_runs(args.history, fp, args.last, exclude, suite)
        ]
    if len(args.paths) != 2:
        raise UserError(f"expected BASELINE CURRENT, got {len(args.paths)} path(s)")
    return store.load([baseline.resolve(args.paths[0])])


def drift_history(args: argparse.Namespace, current: list[LoadedDocument]) -> list[Document] | None:
    """With --drift-from: the last runs of CURRENT's machine (and suite) in that history, else None."""
    if args.drift_from is None:
        return None
    fingerprint = current[0]["env"].get("fingerprint")
    exclude = {doc["run"].get("id") for doc in current}
    return history.last_runs(
        args.drift_from, fingerprint, args.last, exclude, current[0]["run"].get("suite")
    )


def run(args: argparse.Namespace) -> int:
    if not 0 < args.alpha < 1:
        raise UserError(f"--alpha: must be between 0 and 1, got {args.alpha}")
    thresholds = compare.Thresholds.parse(args.threshold, args.threshold_for)
    quantile = significance.check_quantile(args.quantile)
    current = store.load([args.paths[-1]])
    base = load_baseline(args, current)
    result = compare.compare(
        base,
        current,
        thresholds,
        args.alpha,
        args.allow_foreign,
        quantile=quantile,
        metric=args.metric,
    )
    if (
        args.metric == "time"
    ):  # verdicts on one baseline run are held to what the data can tell from drift
        pace = (paced.rounds(base), paced.rounds(current))
        result = single_run.judge(result, args.alpha, quantile, drift_history(args, current), pace)
    print(gate_table.render(result, args.allow_missing))
    return EXIT_REGRESSION if result.failing(args.allow_missing) else 0
