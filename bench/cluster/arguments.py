"""The launcher's options of `rnnbench run` (`--launcher`, `--shards`, `--resume`, SLURM's), and what they start.

The suite and the results folder are read from the pytest options (`--suite`, `--results`); every
other pytest option is handed on to each shard's `rnnbench run`.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path

from rnnbench.cases import select, suite
from rnnbench.cluster import launcher
from rnnbench.cluster.jobs import LAUNCHERS, SlurmOptions
from rnnbench.cluster.launch import Launch
from rnnbench.errors import UserError
from rnnbench.results import history

SLURM_FIELDS = ("partition", "gpus_per_node", "cpus_per_task", "time_min", "sbatch", "setup")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "shards as jobs (needs submitit: pip install 'rnnbench[cluster]')"
    )
    group.add_argument(
        "--launcher",
        choices=LAUNCHERS,
        help="submit the suite's shards as jobs: local processes or SLURM",
    )
    group.add_argument(
        "--shards", type=int, metavar="N", help="with --launcher: how many shard jobs"
    )
    group.add_argument(
        "--resume",
        type=Path,
        metavar="RUN_DIR",
        help="submit again only the shards of this launch without a complete results file",
    )
    group.add_argument(
        "--poll",
        type=float,
        default=5.0,
        metavar="S",
        help="seconds between job checks (default: 5)",
    )
    slurm = parser.add_argument_group("SLURM (--launcher slurm)")
    slurm.add_argument("--partition", help="sbatch --partition")
    slurm.add_argument(
        "--gpus-per-node", type=int, metavar="N", help="GPUs per job (sbatch --gres=gpu:N)"
    )
    slurm.add_argument("--cpus-per-task", type=int, metavar="N", help="sbatch --cpus-per-task")
    slurm.add_argument(
        "--time",
        type=int,
        dest="time_min",
        metavar="MIN",
        help="time limit per shard job in minutes (default: 60; local jobs too)",
    )
    slurm.add_argument(
        "--sbatch",
        action="append",
        metavar="KEY=VALUE",
        help="any other sbatch option, e.g. --sbatch constraint=a100 --sbatch account=proj",
    )
    slurm.add_argument(
        "--job-setup",
        action="append",
        dest="setup",
        metavar="LINE",
        help="a shell line each job runs first, e.g. 'source ~/venv/bin/activate'",
    )


def split_options(extra: list[str], count: int) -> tuple[str, Path, Path | None, list[str]]:
    """The suite, results folder and history among the pytest options, and the options handed on to the shards.

    A bad suite, or a shard that would hold no case, is refused here, before anything is submitted.
    """
    own = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    own.add_argument("--suite", "--rnnbench-suite", default="smoke")
    own.add_argument("--results", "--rnnbench-results", default="results")
    own.add_argument("--shard", "--rnnbench-shard")
    own.add_argument(
        "--history", "--rnnbench-history"
    )  # the launcher appends the gathered launch: one run
    known, rest = own.parse_known_args(extra)
    if known.shard is not None:
        raise UserError("--shard: the launcher picks each job's shard; give --shards N instead")
    selection = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    selection.add_argument("--device", "--rnnbench-device", default="all")
    selection.add_argument("--cudnn", "--rnnbench-cudnn", default="both")
    chosen, _ = selection.parse_known_args(rest)
    check_shards(known.suite, count, chosen.device, chosen.cudnn)
    if known.history is not None:
        check_history(known.history)
    return (
        known.suite,
        Path(known.results),
        None if known.history is None else Path(known.history),
        rest,
    )


def check_shards(name: str, count: int, device: str, cudnn: str) -> None:
    """A bad suite, or a shard that would hold no case, is refused before anything is submitted.

    Without --device the nodes decide which devices run; the check counts every device then.
    """
    if count < 1:
        raise UserError(f"--shards: must be 1 or more, got {count}")
    cases = select.by_device(suite.load(name).cases, device, cudnn, cuda_available=True)
    empty = [
        k
        for k in range(1, count + 1)
        if not select.in_shard(cases, (k, count), key=lambda case: case.id)
    ]
    if empty:
        raise UserError(
            f"--shards {count}: shard(s) {', '.join(f'{k}/{count}' for k in empty)} would hold no case "
            f"({len(cases)} cases of suite {name!r} with {select.describe_selection(device, cudnn)}): "
            "use fewer shards"
        )


def check_history(path: str) -> None:
    """A history file that cannot be opened or made is refused before anything is submitted."""
    try:
        with history.connect(path):
            pass
    except UserError as exc:
        raise UserError(f"--history: {exc}") from None


def slurm_options(args: argparse.Namespace, saved: dict[str, object] | None) -> SlurmOptions:
    """The SLURM options given now; on --resume with none given, the launch's own."""
    given = {name: getattr(args, name) for name in SLURM_FIELDS if getattr(args, name) is not None}
    return SlurmOptions.from_dict(saved if not given and saved else given)


def run(args: argparse.Namespace) -> int:
    """`rnnbench run --launcher ... | --resume ...`: the launcher's exit status."""
    if args.resume is not None:
        if args.extra or args.shards is not None:
            raise UserError(
                "--resume: the suite, shard count and pytest options are the launch's; give only launcher options"
            )
        launch = Launch.load(args.resume)
        launch.launcher = args.launcher or launch.launcher
    else:
        if args.shards is None:
            raise UserError("--launcher: needs --shards N")
        name, results, history_db, rest = split_options(args.extra, args.shards)
        launch = Launch.new(results, name, args.shards, rest, args.launcher, history_db)
    options = slurm_options(args, launch.slurm)
    launch.slurm = asdict(options)
    return launcher.run(launch, options, poll_s=args.poll)
