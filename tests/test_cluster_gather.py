"""`rnnbench gather` (the CI recipe's gather job), how gathered shards read (once each, one input per
machine), and the launcher's input errors that need no submitit."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from gate_docs import machine, run_doc, write

from rnnbench.cli import main
from rnnbench.errors import EXIT_USAGE
from rnnbench.reports.inputs import load_inputs
from rnnbench.results import baseline, history, store

OTHER = machine(cpu_model="Other CPU", cpu_count=64)


def shard_doc(
    k: int,
    n: int,
    ids: tuple[str, ...],
    env: dict[str, Any] | None = None,
    started: str = "2026-01-01T00:00:00",
    complete: bool = True,
) -> dict[str, Any]:
    doc = run_doc(ids=ids, env=env, run_id=f"run-{k}-{started[-2:]}")
    doc["run"].update(shard=f"{k}/{n}", started=started, complete=complete)
    return doc


def artifacts(tmp_path: Path) -> Path:
    """Three CI artifacts: shards 1/3 and 2/3 (shard 2 twice: a retried job), no shard 3."""
    folder = tmp_path / "artifacts"
    for name, doc in {
        "a/1.json": shard_doc(1, 3, ("lstm-a-forward",)),
        "b/old.json": shard_doc(2, 3, ("gru-b-forward",)),
        "b/new.json": shard_doc(2, 3, ("gru-b-forward",), started="2026-01-01T00:00:09"),
        "c/broken.json": shard_doc(3, 3, ("lstm-c-backward",), complete=False),
    }.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        write(folder / name, doc)
    return folder


def test_gather_takes_each_shard_once_and_names_the_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    assert main(["gather", str(artifacts(tmp_path)), "--into", str(run)]) == 1
    assert "no complete results file for shard(s) 3/3" in capsys.readouterr().out
    assert sorted(p.name for p in run.iterdir()) == ["shard-1-of-3.json", "shard-2-of-3.json"]
    second = json.loads((run / "shard-2-of-3.json").read_text())["run"]
    assert second["id"] == "run-2-09" and second["launch"] == {
        "id": "run",
        "shards": 3,
    }  # the newest, stamped
    before = (run / "shard-2-of-3.json").read_text()
    assert main(["gather", str(artifacts(tmp_path)), "--into", str(run)]) == 1
    assert "0 shard(s) gathered, 2 already there" in capsys.readouterr().out
    assert (run / "shard-2-of-3.json").read_text() == before


def test_gather_refuses_mixed_splits_and_plain_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "a.json", shard_doc(1, 2, ("lstm-a-forward",)))
    write(tmp_path / "b.json", shard_doc(1, 3, ("lstm-a-forward",)))
    assert (
        main(
            [
                "gather",
                str(tmp_path / "a.json"),
                str(tmp_path / "b.json"),
                "--into",
                str(tmp_path / "run"),
            ]
        )
        == EXIT_USAGE
    )
    assert "shard files of 2 and 3 shards mixed" in capsys.readouterr().err
    write(tmp_path / "plain.json", run_doc())
    assert (
        main(["gather", str(tmp_path / "plain.json"), "--into", str(tmp_path / "run")])
        == EXIT_USAGE
    )
    assert "no complete shard results files" in capsys.readouterr().err


def test_shards_on_two_machines_are_two_inputs(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    write(folder / "1.json", shard_doc(1, 2, ("lstm-a-forward", "gru-b-forward")))
    write(folder / "2.json", shard_doc(2, 2, ("lstm-c-backward",), env=OTHER))
    assert main(["gather", str(folder), "--into", str(tmp_path / "run")]) == 0
    inputs = load_inputs([tmp_path / "run"])
    assert len(inputs.environments) == 2
    by_input = inputs.frame.groupby("input")["id"].apply(sorted).to_dict()
    assert sorted(by_input.values()) == [["gru-b-forward", "lstm-a-forward"], ["lstm-c-backward"]]
    assert all(" · run · " in name for name in by_input)


def test_a_gathered_launch_is_one_run_in_the_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    write(
        folder / "1.json",
        shard_doc(1, 2, ("lstm-a-forward", "gru-b-forward"), started="2026-01-01T00:00:05"),
    )
    write(folder / "2.json", shard_doc(2, 2, ("lstm-c-backward",), started="2026-01-01T00:00:01"))
    assert main(["gather", str(folder), "--into", str(tmp_path / "run")]) == 0
    db = tmp_path / "h.db"
    for shard in (
        "shard-2-of-2.json",
        "shard-1-of-2.json",
    ):  # appended one at a time, as the launcher gathers
        assert main(["history", "append", str(db), str(tmp_path / "run" / shard)]) == 0
    runs = history.runs(db)
    assert len(runs) == 1 and runs["cases"].iloc[0] == 3
    assert runs["run_id"].iloc[0] == f"run · {machine()['fingerprint'][:8]}"
    assert runs["date"].iloc[0] == "2026-01-01T00:00:01"  # the launch started with its first shard
    # compare --history leaves the current launch out of its own baseline, shard by shard
    assert main(["compare", "--history", str(db), str(tmp_path / "run")]) == EXIT_USAGE
    assert "no earlier runs" in capsys.readouterr().err


def test_baseline_save_of_a_gathered_launch_keeps_every_shard(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, saved = tmp_path / "src", tmp_path / "baselines"
    folder.mkdir()
    write(folder / "1.json", shard_doc(1, 2, ("lstm-a-forward", "gru-b-forward")))
    write(
        folder / "2.json", shard_doc(2, 2, ("lstm-c-backward",), env=OTHER)
    )  # the launch ran on two kinds of node
    assert main(["gather", str(folder / "1.json"), "--into", str(tmp_path / "run")]) == 1
    assert (
        main(["baseline", "save", "main", "--from", str(tmp_path / "run"), "--dir", str(saved)])
        == EXIT_USAGE
    )
    assert "has 1 of 2 shards gathered; resume it" in capsys.readouterr().err
    assert main(["gather", str(folder), "--into", str(tmp_path / "run")]) == 0
    older = run_doc(ids=("lstm-a-forward",))
    older["run"]["started"] = "2025-12-31T00:00:00"
    write(tmp_path / "run" / "older.json", older)  # an older plain run beside it
    assert (
        main(["baseline", "save", "main", "--from", str(tmp_path / "run"), "--dir", str(saved)])
        == 0
    )
    assert sorted(p.name for p in (saved / "main").iterdir()) == [
        "shard-1-of-2.json",
        "shard-2-of-2.json",
    ]
    baseline_ids = sorted(store.load_frame([baseline.resolve("main", saved)])["id"])
    assert baseline_ids == ["gru-b-forward", "lstm-a-forward", "lstm-c-backward"]
    assert main(["baseline", "list", "--dir", str(saved)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("main\trun\t")
    # a plain run saved under the same name replaces the launch's folder
    assert (
        main(
            [
                "baseline",
                "save",
                "main",
                "--from",
                str(tmp_path / "run" / "older.json"),
                "--dir",
                str(saved),
            ]
        )
        == 0
    )
    assert sorted(p.name for p in saved.iterdir()) == ["main.json"]


def test_hidden_folders_are_not_read(tmp_path: Path) -> None:
    write(tmp_path / "run.json", run_doc())
    (tmp_path / ".jobs" / "shard-1").mkdir(parents=True)
    write(tmp_path / ".jobs" / "shard-1" / "x.json", run_doc())
    assert store.result_files([tmp_path]) == [tmp_path / "run.json"]
    assert store.result_files([tmp_path / ".jobs" / "shard-1"]) == [
        tmp_path / ".jobs" / "shard-1" / "x.json"
    ]


def test_without_submitit_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "submitit", None)
    assert (
        main(["run", "--launcher", "slurm", "--shards", "2", "--results", str(tmp_path)])
        == EXIT_USAGE
    )
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "pip install 'rnnbench[cluster]'" in err


def test_resume_of_a_folder_that_is_no_launch_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--resume", str(tmp_path)]) == EXIT_USAGE
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "is not a launch folder" in err
