"""`rnnbench run --launcher local --shards 2`: real shard processes through submitit's local executor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import tiny_suite_toml
from rnnbench.cli import main
from rnnbench.reports.inputs import load_inputs
from rnnbench.results import store

pytestmark = pytest.mark.slow  # shard processes through submitit

pytest.importorskip("submitit")

# 8 CPU cases; with 2 shards each gets some (a shard with no case is refused before submitting)
SUITE = tiny_suite_toml(hidden_size=[5, 6], device="cpu")
LAUNCH = ("run", "--launcher", "local", "--poll", "0.2")


def test_two_local_shards_gather_the_cases_of_one_process(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    suite = tmp_path / "tiny.toml"
    suite.write_text(SUITE)
    assert main(["run", "--suite", str(suite), "--results", str(tmp_path / "single"), "-q"]) == 0
    single = sorted(store.load_frame([tmp_path / "single"])["id"])
    assert main([*LAUNCH, "--shards", "2", "--suite", str(suite), "--results", str(tmp_path / "launched"), "-q"]) == 0
    assert "2 of 2 shards gathered" in capsys.readouterr().out
    (folder,) = (tmp_path / "launched").iterdir()
    assert sorted(p.name for p in folder.glob("*.json")) == ["shard-1-of-2.json", "shard-2-of-2.json"]
    # the parent folder too: the shards' own files in the hidden .jobs/ folder are not read twice
    assert sorted(store.load_frame([tmp_path / "launched"])["id"]) == single
    docs = [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]
    assert [d["run"]["shard"] for d in docs] == ["1/2", "2/2"]
    assert {d["run"]["launch"]["id"] for d in docs} == {folder.name}
    assert len(load_inputs([folder]).environments) == 1  # one machine, one launch: one input in the report

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


def test_a_shard_without_results_is_reported_with_its_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    suite = tmp_path / "tiny.toml"
    suite.write_text(SUITE)
    # -k selects no case: the job exits without a results file
    code = main([*LAUNCH, "--shards", "1", "--suite", str(suite), "--results", str(tmp_path), "-k", "nothing"])
    out, err = capsys.readouterr()
    assert code == 1
    line = next(line for line in (out + err).splitlines() if line.startswith("shard 1/1 failed"))
    assert Path(line.split("log: ")[1].split()[0]).is_file()
    assert "--resume" in out
