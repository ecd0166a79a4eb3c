"""Submitting shard jobs through submitit (local processes or SLURM), watching and cancelling them.

submitit is an optional extra (`pip install 'rnnbench[cluster]'`): it is imported only here, and
only when a launcher is asked for.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rnnbench.cluster import states
from rnnbench.cluster.launch import Launch
from rnnbench.errors import UserError

LAUNCHERS = ("local", "slurm")


@dataclass(frozen=True)
class SlurmOptions:
    """What `sbatch` is asked for: partition, GPUs per node (as --gres=gpu:N), CPUs, time, extras."""

    partition: str | None = None
    gpus_per_node: int | None = None
    cpus_per_task: int | None = None
    time_min: int = 60
    sbatch: tuple[str, ...] = ()  # KEY=VALUE, each an `#SBATCH --KEY=VALUE` line
    setup: tuple[
        str, ...
    ] = ()  # shell lines run before the job (module load, source venv/bin/activate)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> SlurmOptions:
        """From keyword values as argparse or a manifest's JSON hold them (lists become tuples)."""
        fields: dict[str, Any] = {
            key: tuple(value) if isinstance(value, list) else value for key, value in values.items()
        }
        return cls(**fields)

    def parameters(self) -> dict[str, Any]:
        """submitit's `update_parameters` keywords (for the slurm executor)."""
        extra = {}
        for item in self.sbatch:
            key, sep, value = item.partition("=")
            if not key.strip():
                raise UserError(
                    f"--sbatch: expected KEY=VALUE (e.g. constraint=a100), got {item!r}"
                )
            extra[key.strip().removeprefix("--")] = value if sep else True
        params: dict[str, Any] = {
            "slurm_partition": self.partition,
            "cpus_per_task": self.cpus_per_task,
            "slurm_gres": f"gpu:{self.gpus_per_node}" if self.gpus_per_node else None,
            "slurm_additional_parameters": extra or None,
            "slurm_setup": list(self.setup) or None,
        }
        return {key: value for key, value in params.items() if value is not None}


def run_shard(command: list[str], cwd: str) -> int:
    """The job's body: run the shard's command; its exit status (pytest's) is the job's result.

    A non-zero status is returned, not raised: a shard whose cases failed still wrote a complete
    results file, and the launcher judges a shard by that file.
    """
    print("rnnbench shard:", shlex.join(command), flush=True)
    return subprocess.run(command, cwd=cwd, check=False).returncode


def imported(launcher: str) -> Any:
    """The submitit module, for `launcher`; a one-line UserError without it."""
    if launcher not in LAUNCHERS:
        raise UserError(f"--launcher: expected one of {', '.join(LAUNCHERS)}, got {launcher!r}")
    try:
        import submitit
    except ImportError:
        raise UserError(
            f"--launcher {launcher}: needs submitit: pip install 'rnnbench[cluster]'"
        ) from None
    return submitit


def executor(launcher: str, folder: Path, options: SlurmOptions, name: str) -> Any:
    """A submitit executor for `launcher` writing its pickles and logs under `folder`."""
    submitit = imported(launcher)
    try:
        made = submitit.AutoExecutor(folder=folder, cluster=launcher)
    except RuntimeError as exc:  # no srun on this machine
        raise UserError(f"--launcher {launcher}: {exc}") from None
    params = options.parameters() if launcher == "slurm" else {}
    made.update_parameters(name=name, timeout_min=options.time_min, **params)
    return made


def submit(made: Any, launch: Launch, shards: list[int], cwd: Path) -> dict[int, Any]:
    """Submit shards K (one array job on SLURM); record their job ids and logs in the manifest."""
    jobs = made.map_array(run_shard, [launch.command(k) for k in shards], [str(cwd)] * len(shards))
    submitted = dict(zip(shards, jobs))
    for k, job in submitted.items():
        launch.jobs[str(k)] = {
            "job_id": str(job.job_id),
            "log": str(job.paths.stdout),
            "launcher": launch.launcher,
        }
    launch.save()
    return submitted


def attach(launch: Launch, shards: list[int]) -> dict[int, Any]:
    """The recorded jobs of `shards` that are still pending or running (for --resume: watched, not re-run).

    Only jobs of the launch's current launcher are looked at: a job id means nothing to another one.
    """
    entries = {k: launch.jobs[str(k)] for k in shards if str(k) in launch.jobs}
    entries = {
        k: entry
        for k, entry in entries.items()
        if entry.get("launcher", launch.launcher) == launch.launcher
    }
    if not entries:
        return {}
    submitit = imported(launch.launcher)
    kind = submitit.SlurmJob if launch.launcher == "slurm" else submitit.LocalJob
    recorded = {k: kind(folder=launch.logs, job_id=entry["job_id"]) for k, entry in entries.items()}
    live = states.poll(launch.launcher, recorded, launch.logs)
    return {k: job for k, job in recorded.items() if not live[k].ended}


def exit_status(job: Any) -> int | None:
    """The shard command's exit status; None when the job left no result (it died).

    submitit's result() waits while it thinks the job runs, and without SLURM accounting it never
    learns that a dead job ended: it is asked only once the result file is there.
    """
    if not job.paths.result_pickle.exists() or job.exception() is not None:
        return None
    return int(job.result())


def failure(job: Any, state: states.JobState) -> str:
    """Why an ended job left no complete results file, with its log."""
    if not job.paths.result_pickle.exists():
        if state.name == states.UNKNOWN:
            how = (
                f"job {job.job_id} ended without a result (state unknown: squeue no longer lists it and "
                "sacct has no record; was it killed, out of memory or out of time?)"
            )
        else:
            how = f"job {job.job_id} {state.name}: died without a result (killed, out of memory or out of time?)"
    elif (error := job.exception()) is not None:
        how = f"job {job.job_id} {state.name}: {str(error).strip().splitlines()[-1]}"
    elif (
        job.result() == 0
    ):  # pytest passed without running a case: -k or --device left the shard empty
        how = f"job {job.job_id}: selected no case on its node (an empty shard: use fewer shards)"
    else:
        how = (
            f"job {job.job_id}: rnnbench run exited {job.result()} without a complete results file"
        )
    return f"{how}; log: {job.paths.stdout} (and .err)"


def cancel(jobs: list[Any], logs: Path) -> list[str]:
    """Cancel jobs; the ids that could not be (the caller says how to)."""
    left = []
    for job in jobs:
        try:
            if (
                getattr(job, "_process", True) is None
            ):  # a local job re-attached by --resume: its pid
                if states.local_alive(str(job.job_id), logs):
                    os.kill(
                        int(job.job_id), signal.SIGTERM
                    )  # submitit's controller passes it to the shard
            else:
                job.cancel(check=True)
        except Exception:
            left.append(str(job.job_id))
    return left
