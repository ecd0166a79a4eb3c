"""`rnnbench run --launcher local|slurm --shards N`: submit a suite's shards, watch them, gather them.

Each shard's job runs `rnnbench run --suite S --shard K/N --results <its folder>`, exactly as one
would by hand; when a job finishes its complete results file is gathered into the run folder at
once, so an interrupt or a failed shard loses nothing that finished. A shard that is gathered is
never run or gathered again (`--resume` submits only the others).
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from tqdm import tqdm

from rnnbench.cluster import jobs
from rnnbench.cluster.launch import Launch

EXIT_INTERRUPTED = 130


def watch(launch: Launch, submitted: dict[int, Any], poll_s: float) -> dict[int, str]:
    """Poll the jobs until each is gathered or failed; {shard K: why it failed}."""
    failed: dict[int, str] = {}
    done = launch.shards - len(submitted)
    with tqdm(total=launch.shards, initial=done, desc="shards", unit="shard", file=sys.stderr) as bar:
        while True:
            counts: Counter[str] = Counter()
            for k, job in submitted.items():
                if launch.gathered(k) or k in failed:
                    continue
                state = jobs.state(job)
                if state != "finished":
                    counts[state] += 1
                elif launch.collect(k):
                    bar.update()
                else:
                    failed[k] = jobs.failure(job)
                    bar.write(f"shard {k}/{launch.shards} failed: {failed[k]}")
            done = launch.shards - len(launch.remaining())
            line = f"pending {counts['pending']}, running {counts['running']}, done {done}, failed {len(failed)}"
            if line != bar.postfix:  # redrawn on a change only: a log file gets one line per change
                bar.set_postfix_str(line)
            if not counts:
                return failed
            time.sleep(poll_s)


def interrupted(launch: Launch, submitted: dict[int, Any], launcher: str) -> int:
    """Ctrl-C: cancel the jobs still out, say what could not be cancelled and how to resume."""
    live = [job for k, job in submitted.items() if not launch.gathered(k)]
    left = jobs.cancel(live)
    message = f"rnnbench run: interrupted: cancelled {len(live) - len(left)} job(s)"
    if left:
        how = "scancel" if launcher == "slurm" else "kill"
        message += f"; could not cancel {', '.join(left)}: {how} them yourself"
    print(f"{message}; resume with: rnnbench run --resume {launch.folder}", file=sys.stderr)
    return EXIT_INTERRUPTED


def run(launch: Launch, options: jobs.SlurmOptions, poll_s: float = 5.0) -> int:
    """Submit the shards not yet gathered, watch and gather them; the exit status."""
    for k in launch.remaining():  # finished before an interrupted launcher could gather them
        launch.collect(k)
    todo = launch.remaining()
    if not todo:
        print(f"rnnbench run: all {launch.shards} shards already gathered in {launch.folder}")
        return 0
    launcher = launch.launcher
    made = jobs.executor(launcher, launch.logs, options, name=f"rnnbench-{launch.id}")
    submitted = jobs.submit(made, launch, todo, Path.cwd())
    ids = ", ".join(f"{k}/{launch.shards}={job.job_id}" for k, job in submitted.items())
    print(f"rnnbench run: submitted {len(submitted)} shard job(s) ({launcher}: {ids}); run folder {launch.folder}")
    try:
        failed = watch(launch, submitted, poll_s)
    except KeyboardInterrupt:
        return interrupted(launch, submitted, launcher)
    return summarize(launch, submitted, failed)


def summarize(launch: Launch, submitted: dict[int, Any], failed: dict[int, str]) -> int:
    """The closing lines; 0 when every shard is gathered and every shard's pytest passed."""
    statuses = {k: jobs.exit_status(job) for k, job in submitted.items() if k not in failed}
    for k, status in sorted(statuses.items()):
        if status != 0:  # gathered, but its pytest failed a case or the gate (or the job died after the file)
            print(f"shard {k}/{launch.shards}: rnnbench run exited {status}; log: {submitted[k].paths.stdout}")
    gathered = launch.shards - len(launch.remaining())
    print(f"rnnbench run: {gathered} of {launch.shards} shards gathered in {launch.folder}")
    if failed:
        print(f"rnnbench run: {len(failed)} shard(s) failed; after fixing, resume with: "
              f"rnnbench run --resume {launch.folder}")  # fmt: skip
        return 1
    return 0 if all(status == 0 for status in statuses.values()) else 1
