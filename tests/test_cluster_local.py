"""`rnnbench run --launcher local --shards 2`: real shard processes through submitit's local executor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import tiny_suite_toml
from rnnbench.cli import main
from rnnbench.reports.inputs import load_inputs
from rnnbench.results import history, store

pytestmark = pytest.mark.slow  # shard processes through submitit

pytest.importorskip("submitit")

# 8 CPU cases; with 2 shards each gets some (a shard with no case is refused before submitting)
SUITE = tiny_suite_toml(hidden_size=[5, 6], device="cpu")
LAUNCH = ("run", "--launcher", "local", "--poll", "0.2")


def test_two_local_shards_gather_the_cases_of_one_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suite = tmp_path / "tiny.toml"
    suite.write_text(SUITE)
    assert main(["run", "--suite", str(suite), "--results", str(tmp_path / "single"), "-q"]) == 0
    single = sorted(store.load_frame([tmp_path / "single"])["id"])
    db = tmp_path / "history.db"
    assert (
        main(
            [
                *LAUNCH,
                "--shards",
                "2",
                "--suite",
                str(suite),
                "--results",
                str(tmp_path / "launched"),
                "-q",
                "--history",
                str(db),
            ]
        )
        == 0
    )
    assert "2 of 2 shards gathered" in capsys.readouterr().out
    (folder,) = (tmp_path / "launched").iterdir()
    assert sorted(p.name for p in folder.glob("*.json")) == [
        "shard-1-of-2.json",
        "shard-2-of-2.json",
    ]
    # the parent folder too: the shards' own files in the hidden .jobs/ folder are not read twice
    assert sorted(store.load_frame([tmp_path / "launched"])["id"]) == single
    docs = [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]
    assert [d["run"]["shard"] for d in docs] == ["1/2", "2/2"]
    assert {d["run"]["launch"]["id"] for d in docs} == {folder.name}
    assert (
        len(load_inputs([folder]).environments) == 1
    )  # one machine, one launch: one input in the report
    runs = history.runs(db)  # the launcher appended the gathered shards: one run, not one per shard
    assert (
        len(runs) == 1
        and runs["cases"].iloc[0] == len(single)
        and runs["run_id"].iloc[0].startswith(folder.name)
    )

    # --resume runs only the shard without a gathered file; shard 1 is neither run nor gathered again
    first = (folder / "shard-1-of-2.json").read_text()
    manifest = folder / ".jobs" / "launch.json"
    before = json.loads(manifest.read_text())["jobs"]
    (folder / "shard-2-of-2.json").unlink()
    for path in (folder / ".jobs" / "shard-2").glob("*.json"):
        path.unlink()
    assert main([*LAUNCH, "--resume", str(folder)]) == 0
    after = json.loads(manifest.read_text())["jobs"]
    assert after["1"] == before["1"] and after["2"] != before["2"]
    assert (folder / "shard-1-of-2.json").read_text() == first
    assert sorted(store.load_frame([folder])["id"]) == single
    assert main([*LAUNCH, "--resume", str(folder)]) == 0  # nothing left: nothing submitted
    assert "all 2 shards already gathered" in capsys.readouterr().out


def test_a_shard_without_results_is_reported_with_its_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suite = tmp_path / "tiny.toml"
    suite.write_text(SUITE)
    # -k selects no case: the job exits without a results file
    code = main(
        [
            *LAUNCH,
            "--shards",
            "1",
            "--suite",
            str(suite),
            "--results",
            str(tmp_path),
            "-k",
            "nothing",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 1
    line = next(line for line in (out + err).splitlines() if line.startswith("shard 1/1 failed"))
    assert Path(line.split("log: ")[1].split()[0]).is_file()
    assert "--resume" in out


def test_a_local_job_is_re_attached_and_cancelled_by_its_pid(tmp_path: Path) -> None:
    """--resume finds a local job by its pid when that pid is submitit's controller for this launch."""
    import subprocess
    import sys
    import time

    import submitit

    from rnnbench.cluster import jobs, states

    logs = tmp_path / ".jobs" / "logs"
    # stands in for `python -m submitit.local._local <logs>` (its command line is what is checked)
    process = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", states.LOCAL_CONTROLLER, str(logs)]
    )
    try:
        while not Path(f"/proc/{process.pid}/cmdline").read_bytes():  # until the child has exec'd
            time.sleep(0.01)
        job = submitit.LocalJob(
            folder=logs, job_id=str(process.pid)
        )  # as attach() makes it: no process handle
        assert states.local(job, logs) == states.JobState("RUNNING", ended=False)
        assert not states.local_alive(str(process.pid), tmp_path / "another-launch")
        assert jobs.cancel([job], logs) == []
        assert process.wait(10) != 0
        assert states.local(job, logs).ended
    finally:
        process.kill()
