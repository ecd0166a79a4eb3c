"""Where each shard's job is: one `squeue` call per check on SLURM, the process for local jobs.

submitit polls SLURM with `sacct` only, at growing intervals (up to 10 minutes apart), and without
accounting `sacct` fails, every job stays UNKNOWN and a job that died without a result is waited
on forever. So the launcher asks the controller itself: `squeue --states=all` lists pending and
running jobs, and ended ones (with their final state: FAILED, CANCELLED, TIMEOUT, ...) for
MinJobAge (5 minutes by default) after they end. A job squeue no longer lists has ended; `sacct`
says how when accounting is on, otherwise its state is UNKNOWN and the launcher judges it by its
results file alone (rnnbench.cluster.launcher waits RESULT_WAIT_S for it, then calls it dead).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# SLURM job states of a job that is not over (squeue's long names).
LIVE = frozenset(
    {
        "PENDING",
        "CONFIGURING",
        "RUNNING",
        "COMPLETING",
        "SUSPENDED",
        "REQUEUED",
        "REQUEUE_HOLD",
        "REQUEUE_FED",
        "RESIZING",
        "SIGNALING",
        "STAGE_OUT",
        "RESV_DEL_HOLD",
        "SPECIAL_EXIT",
    }
)
WAITING = frozenset(
    {"PENDING", "CONFIGURING", "SUSPENDED", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED"}
)
# Ended states that say the job was stopped from outside: no results file is coming.
KILLED = frozenset(
    {
        "FAILED",
        "CANCELLED",
        "TIMEOUT",
        "OUT_OF_MEMORY",
        "NODE_FAIL",
        "BOOT_FAIL",
        "DEADLINE",
        "PREEMPTED",
        "INTERRUPTED",
    }
)
UNKNOWN = "UNKNOWN"  # ended, and nothing left to say how (no accounting)
LOCAL_CONTROLLER = (
    "submitit.local._local"  # the process a local job runs as (its pid is the job id)
)


@dataclass(frozen=True)
class JobState:
    """One job's state: SLURM's name for it (or the local process's), and whether it is over."""

    name: str
    ended: bool

    @property
    def phase(self) -> str:
        """pending / running / ended: what the progress line counts."""
        if self.ended:
            return "ended"
        return "pending" if self.name in WAITING else "running"

    @property
    def killed(self) -> bool:
        """Ended by a kill, a limit or a failure: no results file is coming, so none is waited for."""
        return self.ended and self.name in KILLED


class ClusterSilent(Exception):
    """squeue did not answer (the controller is down or unreachable)."""


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _table(text: str) -> dict[str, str]:
    """`ID|STATE` lines (the last line of an id wins: sacct lists a requeued job once per start)."""
    states = {}
    for line in text.splitlines():
        job_id, _, state = line.strip().partition("|")
        if job_id and state:
            states[job_id] = state.split()[0].upper()  # sacct: "CANCELLED by 0"
    return states


def squeue(job_ids: list[str]) -> dict[str, str]:
    """SLURM's state of each job the controller still holds (array tasks as `J_T`)."""
    arrays = sorted({job_id.split("_")[0] for job_id in job_ids})
    done = _run(
        [
            "squeue",
            "--noheader",
            "--array",
            "--states=all",
            "--format=%i|%T",
            f"--jobs={','.join(arrays)}",
        ]
    )
    if done.returncode != 0:
        if "Invalid job id" in done.stderr:  # every one of them purged: none is held any more
            return {}
        raise ClusterSilent(f"squeue: {done.stderr.strip() or f'exit status {done.returncode}'}")
    return _table(done.stdout)


def sacct(job_ids: list[str]) -> dict[str, str]:
    """SLURM's accounting record of each job; empty without accounting (sacct fails then)."""
    done = _run(
        [
            "sacct",
            "--noheader",
            "--parsable2",
            "--allocations",
            "--format=JobID,State",
            *(f"--jobs={job_id}" for job_id in job_ids),
        ]
    )
    return _table(done.stdout) if done.returncode == 0 else {}


def slurm(job_ids: list[str]) -> dict[str, JobState]:
    """The state of each SLURM job id: one squeue call, and sacct for those it no longer lists."""
    held = squeue(job_ids)
    gone = [job_id for job_id in job_ids if job_id not in held]
    recorded = sacct(gone) if gone else {}
    states = {}
    for job_id in job_ids:
        name = held.get(job_id) or recorded.get(job_id) or UNKNOWN
        # a job squeue does not list has ended, whatever a lagging accounting record says
        states[job_id] = JobState(name, ended=job_id not in held or name not in LIVE)
    return states


def local(job: Any, logs: Path) -> JobState:
    """A local job's state: submitit's process handle, or (a job re-attached by --resume) its pid."""
    if getattr(job, "_process", None) is not None:
        name = str(job.get_info()["jobState"])
        return JobState(name, ended=name != "RUNNING")
    return (
        JobState("RUNNING", ended=False)
        if local_alive(str(job.job_id), logs)
        else JobState(UNKNOWN, ended=True)
    )


def local_alive(job_id: str, logs: Path) -> bool:
    """Whether local job `job_id` (a pid) still runs: that pid is submitit's controller for `logs`."""
    try:  # Linux: a pid taken over by another program reads as ended
        command = Path(f"/proc/{int(job_id)}/cmdline").read_bytes()
    except (OSError, ValueError):
        return False
    return LOCAL_CONTROLLER.encode() in command and os.fsencode(logs) in command


def poll(launcher: str, submitted: dict[int, Any], logs: Path) -> dict[int, JobState]:
    """The state of each shard's job (one squeue call for all of them on SLURM)."""
    if launcher == "slurm":
        by_id = slurm([str(job.job_id) for job in submitted.values()])
        return {k: by_id[str(job.job_id)] for k, job in submitted.items()}
    return {k: local(job, logs) for k, job in submitted.items()}
