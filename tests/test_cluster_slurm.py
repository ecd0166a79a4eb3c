"""The SLURM launcher without a cluster: stand-in `sbatch`/`sacct`/`scancel`/`srun` on PATH, real submitit."""

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


def fake_slurm(bin_dir: Path, state: str) -> None:
    """Scripts standing in for SLURM: every job is in `state`; scancel logs its arguments."""
    bin_dir.mkdir()
    scripts = {
        "srun": "exit 0",
        "sbatch": 'echo "Submitted batch job 4242"',
        "sacct": f'echo "JobID|State"; echo "4242_0|{state}"; echo "4242_1|{state}"',
        "scancel": f'echo "$@" >> {bin_dir / "scancel.log"}',
    }
    for name, body in scripts.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)


def slurm_run(tmp_path: Path, state: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, Path]:
    fake_slurm(tmp_path / "bin", state)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    code = main(["run", "--launcher", "slurm", "--shards", "2", "--partition", "gpu", "--gpus-per-node", "2",
                 "--cpus-per-task", "8", "--time", "30", "--sbatch", "constraint=a100", "--poll", "0.01",
                 "--suite", "smoke", "--results", str(tmp_path / "runs"), "--device", "cuda", "-x"])  # fmt: skip
    (folder,) = (tmp_path / "runs").iterdir()
    return code, folder


def test_sbatch_script_and_shard_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    code, folder = slurm_run(tmp_path, "FAILED", monkeypatch)
    out, err = capsys.readouterr()
    assert code == 1
    (script,) = (folder / ".jobs" / "logs").glob("*_submission.sh")
    text = script.read_text()
    for line in ("--partition=gpu", "--gres=gpu:2", "--time=30", "--cpus-per-task=8", "--constraint=a100",
                 "--array=0-1%2", f"--job-name=rnnbench-{folder.name}"):  # fmt: skip
        assert f"#SBATCH {line}\n" in text
    jobs = json.loads((folder / ".jobs" / "launch.json").read_text())["jobs"]
    for k in ("1", "2"):
        command = submitit.SlurmJob(folder / ".jobs" / "logs", jobs[k]["job_id"]).submission().args[0]
        assert command[:4] == [sys.executable, "-m", "rnnbench", "run"]
        assert command[command.index("--shard") + 1] == f"{k}/2"
        assert command[command.index("--results") + 1] == str(folder / ".jobs" / f"shard-{k}")
        assert command[-3:] == ["--device", "cuda", "-x"]  # the pytest options, handed on
    for k in ("1", "2"):  # each dead job is named with its log
        assert f"shard {k}/2 failed: job 4242_{int(k) - 1} FAILED: died without a result" in out + err
        assert jobs[k]["log"] in out + err
    assert f"rnnbench run --resume {folder}" in out


def test_ctrl_c_cancels_the_submitted_jobs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    from rnnbench.cluster import launcher

    def interrupt(_seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(launcher.time, "sleep", interrupt)
    code, folder = slurm_run(tmp_path, "RUNNING", monkeypatch)
    assert code == 130
    assert (tmp_path / "bin" / "scancel.log").read_text().split() == ["4242_0", "4242_1"]
    assert f"cancelled 2 job(s); resume with: rnnbench run --resume {folder}" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [(["--launcher", "local"], "--launcher: needs --shards N"),
     (["--shards", "2"], "--shards: needs --launcher"),
     (["--launcher", "local", "--shards", "0"], "--shards: must be 1 or more"),
     (["--launcher", "local", "--shards", "2", "--shard", "1/2"], "--shard: the launcher picks"),
     (["--launcher", "local", "--shards", "99"], "would hold no case"),
     (["--launcher", "slurm", "--shards", "2", "--sbatch", "=x"], "--sbatch: expected KEY=VALUE")],
)  # fmt: skip
def test_bad_launcher_options_are_one_line(argv: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    fake_slurm(tmp_path / "bin", "PENDING")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    assert main(["run", *argv, "--results", str(tmp_path / "runs")]) == EXIT_USAGE
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err
