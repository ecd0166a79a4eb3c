"""`rnnbench run --launcher slurm` against a real SLURM (the single-node cluster of `.ci/slurm-up`).

Skips without a cluster answering `sinfo`, unless RNNBENCH_REQUIRE_SLURM=1 (set by .ci/run, which
starts one): then a missing cluster fails. A shard is held before its Python starts by a
`--job-setup` line that waits while a hold file exists, so a test can kill it, or interrupt the
launcher, at a known moment without waiting for a benchmark.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import tiny_suite_toml
from rnnbench.cli import main
from rnnbench.cluster import launcher, states
from rnnbench.results import store

pytest.importorskip("submitit")
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = os.environ.get("RNNBENCH_REQUIRE_SLURM") == "1"
# 2 CPU cases, one in each of 2 shards
SUITE = tiny_suite_toml(hidden_size=[7], phases=["forward"], device="cpu")
POLL_S = 0.5
# a shard's batch script waits here while its hold file `<hold>-<array task id>` exists
HOLD_LINE = 'while [ -e "{hold}-${{SLURM_ARRAY_TASK_ID:-0}}" ]; do sleep 0.2; done'
# how long a test waits for SLURM or the launcher to reach a state: far above what each takes
PATIENCE_S = 300.0


def sinfo_states() -> list[str]:
    if shutil.which("sinfo") is None:
        return []
    done = subprocess.run(
        ["sinfo", "--noheader", "--format=%T"], capture_output=True, text=True, check=False
    )
    return done.stdout.split() if done.returncode == 0 else []


@pytest.fixture(scope="module", autouse=True)
def cluster() -> None:
    """A SLURM cluster with a node up; otherwise skip (fail under RNNBENCH_REQUIRE_SLURM=1)."""
    if not {"idle", "mixed", "allocated"} & set(sinfo_states()):
        message = "no SLURM cluster answering sinfo with a node up: start one with `sudo .ci/slurm-up` (as .ci/run does)"
        if REQUIRED:
            pytest.fail(f"RNNBENCH_REQUIRE_SLURM=1 but {message}")
        pytest.skip(message)


def wait_until(what: str, check: Callable[[], object], patience: float = PATIENCE_S) -> object:
    """Poll `check` until it returns something true; fail after `patience` seconds."""
    start = time.monotonic()
    while time.monotonic() - start < patience:
        if found := check():
            return found
        time.sleep(0.1)
    pytest.fail(f"waited {patience:g} s for {what}")


def suite_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(SUITE)
    return path


def start_launcher(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[str], Path]:
    """`rnnbench run --launcher slurm ...` as a process of its own; its output goes to launcher.out."""
    out = tmp_path / "launcher.out"
    command = [
        sys.executable,
        "-m",
        "rnnbench",
        "run",
        "--launcher",
        "slurm",
        "--poll",
        str(POLL_S),
        *args,
    ]
    process = subprocess.Popen(
        command, cwd=tmp_path, stdout=out.open("w"), stderr=subprocess.STDOUT, text=True
    )
    return process, out


def launch_folder(results: Path) -> Path:
    """The run folder of the one launch under `results`, once its jobs are recorded."""
    manifest = wait_until(
        "the launch's manifest", lambda: next(results.glob("*/.jobs/launch.json"), None)
    )
    assert isinstance(manifest, Path)
    wait_until("submitted jobs", lambda: json.loads(manifest.read_text())["jobs"])
    return manifest.parent.parent


def job_ids(folder: Path) -> dict[str, str]:
    """Shard K -> its last job id, from the manifest."""
    return {
        k: job["job_id"]
        for k, job in json.loads((folder / ".jobs" / "launch.json").read_text())["jobs"].items()
    }


def slurm_state(job_id: str) -> str:
    return states.slurm([job_id])[job_id].name


def scontrol(job_id: str) -> str:
    return subprocess.run(
        ["scontrol", "show", "job", job_id], capture_output=True, text=True, check=True
    ).stdout


def gathered_ids(folder: Path) -> list[str]:
    return sorted(store.load_frame([folder])["id"])


@pytest.fixture
def hold(tmp_path: Path) -> Iterator[Callable[..., list[str]]]:
    """hold(0, 1): hold those array tasks; returns the --job-setup option. Holds are lifted at the end."""
    base = tmp_path / "hold"

    def make(*tasks: int) -> list[str]:
        for task in tasks:
            Path(f"{base}-{task}").touch()
        return ["--job-setup", HOLD_LINE.format(hold=base)]

    yield make
    for path in tmp_path.glob("hold-*"):
        path.unlink()


def detect_dead_shard(
    tmp_path: Path, process: subprocess.Popen[str], out: Path, job_id: str, shard: str
) -> float:
    """scancel `job_id` (shard K/N); the seconds until the launcher names it failed. It must exit 1."""
    wait_until(f"job {job_id} running", lambda: slurm_state(job_id) == "RUNNING")
    subprocess.run(["scancel", job_id], check=True)
    start = time.monotonic()
    line = wait_until(
        "the launcher's report of the dead shard",
        lambda: next(
            (x for x in out.read_text().splitlines() if f"shard {shard} failed" in x), None
        ),
    )
    seconds = time.monotonic() - start
    assert process.wait(PATIENCE_S) == 1
    assert isinstance(line, str) and f"job {job_id} CANCELLED: died without a result" in line
    assert Path(line.split("log: ")[1].split()[0]).is_file()
    assert "resume with: rnnbench run --resume " in out.read_text()
    print(f"dead shard {shard} reported {seconds:.2f} s after scancel (--poll {POLL_S})")
    return seconds


def test_an_array_job_gathers_the_cases_of_one_process_with_its_options(tmp_path: Path) -> None:
    suite = suite_file(tmp_path)
    assert main(["run", "--suite", str(suite), "--results", str(tmp_path / "single"), "-q"]) == 0
    comment = f"rnnbench-test-{tmp_path.name}"
    options = [
        "--partition",
        "ci",
        "--time",
        "7",
        "--cpus-per-task",
        "2",
        "--sbatch",
        f"comment={comment}",
    ]
    code = main(
        [
            "run",
            "--launcher",
            "slurm",
            "--shards",
            "2",
            "--poll",
            str(POLL_S),
            *options,
            "--suite",
            str(suite),
            "--results",
            str(tmp_path / "launched"),
            "-q",
        ]
    )
    assert code == 0
    (folder,) = (tmp_path / "launched").iterdir()
    assert sorted(p.name for p in folder.glob("*.json")) == [
        "shard-1-of-2.json",
        "shard-2-of-2.json",
    ]
    assert gathered_ids(folder) == sorted(store.load_frame([tmp_path / "single"])["id"])
    ids = job_ids(folder)
    assert len({job_id.split("_")[0] for job_id in ids.values()}) == 1  # one array job
    for job_id in ids.values():
        shown = scontrol(job_id)
        for field in (
            "Partition=ci",
            "TimeLimit=00:07:00",
            "CPUs/Task=2",
            f"Comment={comment}",
            f"JobName=rnnbench-{folder.name}",
            "JobState=COMPLETED",
        ):
            assert field in shown.split(), f"{field} not in scontrol show job {job_id}"


def test_a_dead_shard_is_reported_and_resume_reattaches_or_resubmits(
    tmp_path: Path, hold: Callable[..., list[str]]
) -> None:
    suite = suite_file(tmp_path)
    results = tmp_path / "runs"
    # shard 1 (array task 0) held; shard 2 runs and is gathered
    process, _ = start_launcher(
        tmp_path, "--shards", "2", *hold(0), "--suite", str(suite), "--results", str(results), "-q"
    )
    folder = launch_folder(results)
    wait_until("shard 2 gathered", (folder / "shard-2-of-2.json").exists)
    first = job_ids(folder)
    process.kill()  # the launcher dies (a lost login session); SLURM keeps the held job
    process.wait()

    # --resume watches the job still out instead of submitting it again; killed, it is reported
    resumed = subprocess.Popen(
        [sys.executable, "-m", "rnnbench", "run", "--resume", str(folder), "--poll", str(POLL_S)],
        cwd=tmp_path,
        stdout=(tmp_path / "resume.out").open("w"),
        stderr=subprocess.STDOUT,
    )
    wait_until(
        "the re-attached job",
        lambda: "re-attached 1 job(s)" in (tmp_path / "resume.out").read_text(),
    )
    assert job_ids(folder) == first and "submitted" not in (tmp_path / "resume.out").read_text()
    seconds = detect_dead_shard(tmp_path, resumed, tmp_path / "resume.out", first["1"], "1/2")
    assert (
        seconds < launcher.RESULT_WAIT_S
    )  # a killed job is reported at the next check, not after the wait

    # lifted hold: --resume submits shard 1 alone and the run is complete
    for path in tmp_path.glob("hold-*"):
        path.unlink()
    assert main(["run", "--resume", str(folder), "--poll", str(POLL_S)]) == 0
    again = job_ids(folder)
    assert again["2"] == first["2"] and again["1"] != first["1"]
    assert len(gathered_ids(folder)) == 2 and len(store.load([folder])) == 2


def test_ctrl_c_cancels_the_array(tmp_path: Path, hold: Callable[..., list[str]]) -> None:
    results = tmp_path / "runs"
    process, out = start_launcher(
        tmp_path,
        "--shards",
        "2",
        *hold(0, 1),
        "--suite",
        str(suite_file(tmp_path)),
        "--results",
        str(results),
    )
    ids = job_ids(launch_folder(results))
    wait_until(
        "both jobs running",
        lambda: all(slurm_state(job_id) == "RUNNING" for job_id in ids.values()),
    )
    process.send_signal(signal.SIGINT)
    assert process.wait(PATIENCE_S) == launcher.EXIT_INTERRUPTED
    assert "cancelled 2 job(s); resume with: rnnbench run --resume" in out.read_text()
    array = next(iter(ids.values())).split("_")[0]

    def queue() -> str:
        return subprocess.run(
            ["squeue", "--noheader", "--array", f"--jobs={array}"], capture_output=True, text=True
        ).stdout

    wait_until("an empty squeue", lambda: not queue().strip())
    assert {slurm_state(job_id) for job_id in ids.values()} == {"CANCELLED"}


@pytest.fixture
def no_accounting() -> Iterator[None]:
    """The cluster restarted with accounting off (sacct fails), and with it on again afterwards."""
    if not REQUIRED:
        pytest.skip(
            "switches the cluster's accounting off and on again: runs under .ci/run (RNNBENCH_REQUIRE_SLURM=1)"
        )
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    subprocess.run([*sudo, str(ROOT / ".ci" / "slurm-up"), "--no-accounting"], check=True)
    try:
        assert subprocess.run(["sacct"], capture_output=True, check=False).returncode != 0
        yield
    finally:
        subprocess.run([*sudo, str(ROOT / ".ci" / "slurm-up")], check=True)


def test_without_accounting_a_dead_shard_is_reported_from_squeue(
    tmp_path: Path, no_accounting: None, hold: Callable[..., list[str]]
) -> None:
    results = tmp_path / "runs"
    process, out = start_launcher(
        tmp_path,
        "--shards",
        "1",
        *hold(0),
        "--suite",
        str(suite_file(tmp_path)),
        "--results",
        str(results),
    )
    (job_id,) = job_ids(launch_folder(results)).values()
    seconds = detect_dead_shard(tmp_path, process, out, job_id, "1/1")
    assert seconds < launcher.RESULT_WAIT_S
