"""The SLURM launcher without a cluster: stand-in `sbatch`/`squeue`/`sacct`/`scancel`/`srun` on PATH, real submitit.

Only what a one-node cluster cannot show is here: GPUs and node features in the sbatch script, a
busy queue (jobs that stay pending), a controller that stops answering. The rest runs against a
real SLURM in tests/test_cluster_real.py.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from rnnbench.cli import main
from rnnbench.errors import EXIT_USAGE

pytestmark = pytest.mark.slow  # a stand-in cluster: sbatch scripts and submitit

submitit = pytest.importorskip("submitit")


def fake_slurm(
    bin_dir: Path, state: str, squeue: str | None = None, sacct: str | None = None
) -> None:
    """Scripts standing in for SLURM: every job is in `state`; scancel logs its arguments."""
    bin_dir.mkdir()
    scripts = {
        "srun": "exit 0",
        "sbatch": 'echo "Submitted batch job 4242"',
        "squeue": squeue or f'echo "4242_0|{state}"; echo "4242_1|{state}"',
        "sacct": sacct or f'echo "4242_0|{state}"; echo "4242_1|{state}"',
        "scancel": f'echo "$@" >> {bin_dir / "scancel.log"}',
    }
    for name, body in scripts.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)


def slurm_run(
    tmp_path: Path,
    state: str,
    monkeypatch: pytest.MonkeyPatch,
    squeue: str | None = None,
    sacct: str | None = None,
) -> tuple[int, Path]:
    fake_slurm(tmp_path / "bin", state, squeue, sacct)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    code = main(
        [
            "run",
            "--launcher",
            "slurm",
            "--shards",
            "2",
            "--partition",
            "gpu",
            "--gpus-per-node",
            "2",
            "--cpus-per-task",
            "8",
            "--time",
            "30",
            "--sbatch",
            "constraint=a100",
            "--poll",
            "0.01",
            "--suite",
            "smoke",
            "--results",
            str(tmp_path / "runs"),
            "--device",
            "cuda",
            "-x",
        ]
    )
    (folder,) = (tmp_path / "runs").iterdir()
    return code, folder


def test_sbatch_script_and_shard_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, folder = slurm_run(tmp_path, "FAILED", monkeypatch)
    out, err = capsys.readouterr()
    assert code == 1
    (script,) = (folder / ".jobs" / "logs").glob("*_submission.sh")
    text = script.read_text()
    for line in (
        "--partition=gpu",
        "--gres=gpu:2",
        "--time=30",
        "--cpus-per-task=8",
        "--constraint=a100",
        "--array=0-1%2",
        f"--job-name=rnnbench-{folder.name}",
    ):
        assert f"#SBATCH {line}\n" in text
    jobs = json.loads((folder / ".jobs" / "launch.json").read_text())["jobs"]
    for k in ("1", "2"):
        command = (
            submitit.SlurmJob(folder / ".jobs" / "logs", jobs[k]["job_id"]).submission().args[0]
        )
        assert command[:4] == [sys.executable, "-m", "rnnbench", "run"]
        assert command[command.index("--shard") + 1] == f"{k}/2"
        assert command[command.index("--results") + 1] == str(folder / ".jobs" / f"shard-{k}")
        assert command[-3:] == ["--device", "cuda", "-x"]  # the pytest options, handed on
    for k in ("1", "2"):  # each dead job is named with its log
        assert (
            f"shard {k}/2 failed: job 4242_{int(k) - 1} FAILED: died without a result" in out + err
        )
        assert jobs[k]["log"] in out + err
    assert f"rnnbench run --resume {folder}" in out


def test_a_busy_queue_is_waited_on_and_ctrl_c_cancels_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from rnnbench.cluster import launcher

    polls = []

    def sleep(
        _seconds: float,
    ) -> None:  # a pending job is never given up on: only Ctrl-C ends the wait
        polls.append(_seconds)
        if len(polls) > 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(launcher, "RESULT_WAIT_S", 0.0)
    monkeypatch.setattr(launcher, "SILENT_S", 0.0)
    monkeypatch.setattr(launcher.time, "sleep", sleep)
    code, folder = slurm_run(tmp_path, "PENDING", monkeypatch)
    assert code == 130 and len(polls) == 4
    assert (tmp_path / "bin" / "scancel.log").read_text().split() == ["4242_0", "4242_1"]
    err = capsys.readouterr().err
    assert "pending 2, running 0, done 0, failed 0" in err
    assert f"cancelled 2 job(s); resume with: rnnbench run --resume {folder}" in err


def test_a_job_gone_from_squeue_without_accounting_is_dead_after_the_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from rnnbench.cluster import launcher

    monkeypatch.setattr(
        launcher, "RESULT_WAIT_S", 0.05
    )  # purged from squeue (MinJobAge), sacct disabled
    code, folder = slurm_run(
        tmp_path,
        "RUNNING",
        monkeypatch,
        squeue="exit 0",
        sacct='echo "Slurm accounting storage is disabled" >&2; exit 1',
    )
    out, err = capsys.readouterr()
    assert code == 1
    assert (
        "shard 1/2 failed: job 4242_0 ended without a result (state unknown: squeue no longer lists it"
        in out + err
    )
    assert f"rnnbench run --resume {folder}" in out


def test_a_silent_controller_ends_the_watch_with_the_resume_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from rnnbench.cluster import launcher

    monkeypatch.setattr(launcher, "SILENT_S", 0.0)
    code, folder = slurm_run(
        tmp_path,
        "RUNNING",
        monkeypatch,
        squeue='echo "slurm_load_jobs error: Unable to contact slurm controller" >&2; exit 1',
    )
    assert code == 1
    err = capsys.readouterr().err
    assert (
        "SLURM did not answer for 0 s (squeue: slurm_load_jobs error: Unable to contact slurm controller)"
        in err
    )
    assert f"resume with: rnnbench run --resume {folder}" in err
    assert not (
        tmp_path / "bin" / "scancel.log"
    ).exists()  # left as they are: --resume re-attaches them


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--launcher", "local"], "--launcher: needs --shards N"),
        (["--shards", "2"], "--shards: needs --launcher"),
        (["--launcher", "local", "--shards", "0"], "--shards: must be 1 or more"),
        (["--launcher", "local", "--shards", "2", "--shard", "1/2"], "--shard: the launcher picks"),
        (["--launcher", "local", "--shards", "99"], "would hold no case"),
        (
            ["--launcher", "slurm", "--shards", "2", "--sbatch", "=x"],
            "--sbatch: expected KEY=VALUE",
        ),
        (["--launcher", "local", "--shards", "2", "--history", "/dev/null/h.db"], "--history: "),
    ],
)
def test_bad_launcher_options_are_one_line(
    argv: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_slurm(tmp_path / "bin", "PENDING")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    assert main(["run", *argv, "--results", str(tmp_path / "runs")]) == EXIT_USAGE
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err
