"""`rnnbench run --launcher local|slurm --shards N`: submit a suite's shards, watch them, gather them.

Each shard's job runs `rnnbench run --suite S --shard K/N --results <its folder>`, exactly as one
would by hand; when a job finishes its complete results file is gathered into the run folder at
once, so an interrupt or a failed shard loses nothing that finished. A shard that is gathered is
never run or gathered again: `--resume` watches the jobs of the others that are still pending or
running, and submits the rest. Job states come from rnnbench.cluster.states (squeue on SLURM),
never from waiting on submitit's result, so a dead job is reported, not waited on.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from tqdm import tqdm

from rnnbench.cluster import jobs, states
from rnnbench.cluster.launch import Launch

EXIT_INTERRUPTED = 130
# An ended job's results file may show late on a shared file system: it is waited for this long
# (as submitit waits for its result pickle), unless SLURM says the job was killed.
RESULT_WAIT_S = 15.0
# The launcher stops watching (jobs left as they are; --resume re-attaches them) when SLURM has not
# answered for this long.
SILENT_S = 600.0


class Silent(Exception):
    """SLURM did not answer for SILENT_S: the launcher stops watching."""


def waited(ended_at: dict[int, float], k: int) -> bool:
    """Whether shard K's ended job has had RESULT_WAIT_S for its results file to show (the clock starts now)."""
    return time.monotonic() - ended_at.setdefault(k, time.monotonic()) >= RESULT_WAIT_S


def watch(launch: Launch, submitted: dict[int, Any], poll_s: float) -> dict[int, str]:
    """Poll the jobs until each is gathered or failed; {shard K: why it failed}."""
    failed: dict[int, str] = {}
    ended_at: dict[int, float] = {}
    heard = time.monotonic()
    with tqdm(
        total=launch.shards,
        initial=launch.shards - len(submitted),
        desc="shards",
        unit="shard",
        file=sys.stderr,
    ) as bar:
        while out := {
            k: job for k, job in submitted.items() if not launch.gathered(k) and k not in failed
        }:
            try:
                now_states = states.poll(launch.launcher, out, launch.logs)
                heard = time.monotonic()
            except states.ClusterSilent as exc:
                if time.monotonic() - heard > SILENT_S:
                    raise Silent(f"SLURM did not answer for {SILENT_S:g} s ({exc})") from None
                now_states = {}
            counts: Counter[str] = Counter()
            for k, job in out.items():
                state = now_states.get(k)
                if state is None or not state.ended:
                    counts[state.phase if state else "unknown"] += 1
                elif launch.collect(k):
                    bar.update()
                elif not state.killed and not waited(ended_at, k):
                    counts["ending"] += 1
                else:
                    failed[k] = jobs.failure(job, state)
                    bar.write(f"shard {k}/{launch.shards} failed: {failed[k]}")
            shown = {
                "pending": counts["pending"],
                "running": counts["running"],
                "done": launch.shards - len(launch.remaining()),
                "failed": len(failed),
            }
            shown |= {name: counts[name] for name in ("ending", "unknown") if counts[name]}
            line = ", ".join(f"{name} {n}" for name, n in shown.items())
            if line != bar.postfix:  # redrawn on a change only: a log file gets one line per change
                bar.set_postfix_str(line)
            if counts:
                time.sleep(poll_s)
    return failed


def interrupted(launch: Launch, submitted: dict[int, Any], launcher: str) -> int:
    """Ctrl-C: cancel the jobs still out, say what could not be cancelled and how to resume."""
    live = [job for k, job in submitted.items() if not launch.gathered(k)]
    left = jobs.cancel(live, launch.logs)
    message = f"rnnbench run: interrupted: cancelled {len(live) - len(left)} job(s)"
    if left:
        how = "scancel" if launcher == "slurm" else "kill"
        message += f"; could not cancel {', '.join(left)}: {how} them yourself"
    print(f"{message}; resume with: rnnbench run --resume {launch.folder}", file=sys.stderr)
    return EXIT_INTERRUPTED


def run(launch: Launch, options: jobs.SlurmOptions, poll_s: float = 5.0) -> int:
    """Submit the shards not yet gathered (re-attaching jobs still out), watch and gather them; the exit status."""
    for k in launch.remaining():  # finished before an interrupted launcher could gather them
        launch.collect(k)
    todo = launch.remaining()
    if not todo:
        print(f"rnnbench run: all {launch.shards} shards already gathered in {launch.folder}")
        return 0
    submitted = jobs.attach(launch, todo)
    if submitted:
        ids = ", ".join(f"{k}/{launch.shards}={job.job_id}" for k, job in submitted.items())
        print(f"rnnbench run: re-attached {len(submitted)} job(s) still pending or running ({ids})")
    if fresh := [k for k in todo if k not in submitted]:
        made = jobs.executor(launch.launcher, launch.logs, options, name=f"rnnbench-{launch.id}")
        new = jobs.submit(made, launch, fresh, Path.cwd())
        ids = ", ".join(f"{k}/{launch.shards}={job.job_id}" for k, job in new.items())
        print(
            f"rnnbench run: submitted {len(new)} shard job(s) ({launch.launcher}: {ids}); run folder {launch.folder}"
        )
        submitted.update(new)
    try:
        failed = watch(launch, submitted, poll_s)
    except KeyboardInterrupt:
        return interrupted(launch, submitted, launch.launcher)
    except Silent as exc:
        print(
            f"rnnbench run: {exc}; its jobs were left as they are; "
            f"resume with: rnnbench run --resume {launch.folder}",
            file=sys.stderr,
        )
        return 1
    return summarize(launch, submitted, failed)


def summarize(launch: Launch, submitted: dict[int, Any], failed: dict[int, str]) -> int:
    """The closing lines; 0 when every shard is gathered and every shard's pytest passed."""
    statuses = {k: jobs.exit_status(job) for k, job in submitted.items() if k not in failed}
    for k, status in sorted(statuses.items()):
        if (
            status != 0
        ):  # gathered, but its pytest failed a case or the gate (or the job died after the file)
            print(
                f"shard {k}/{launch.shards}: rnnbench run exited {status}; log: {submitted[k].paths.stdout}"
            )
    gathered = launch.shards - len(launch.remaining())
    print(f"rnnbench run: {gathered} of {launch.shards} shards gathered in {launch.folder}")
    if failed:
        print(
            f"rnnbench run: {len(failed)} shard(s) failed; after fixing, resume with: "
            f"rnnbench run --resume {launch.folder}"
        )
        return 1
    return 0 if all(status == 0 for status in statuses.values()) else 1
