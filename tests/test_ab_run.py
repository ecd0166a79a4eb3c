"""`rnnbench ab` end to end on a throwaway user repository: verdicts, results files, bad input, Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from ab_repo import SLOW_COMMIT, SUITE, commit, git, throwaway, worktrees

from rnnbench.cli import main
from rnnbench.errors import EXIT_USAGE
from rnnbench.results import store

pytestmark = pytest.mark.slow  # child processes (torch imports), valgrind


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    return throwaway(tmp_path_factory, "ab")


def ab(repo: Path, *args: str) -> int:
    return main(["ab", *args, "--repo", str(repo), "--suite", "mine.toml"])


def ours(folder: Path) -> list[Path]:
    """What rnnbench left in `folder` (torch's own inductor cache folder is torch's, not ours)."""
    return [path for path in folder.iterdir() if not path.name.startswith("torchinductor_")]


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private temporary folder for the command's worktrees and scratch: empty again when it is done."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    return folder


def test_counts_name_the_slower_commit_and_results_read_as_before_after(
    repo: tuple[Path, list[str]], tmp_path: Path, scratch: Path, capsys: pytest.CaptureFixture
) -> None:
    path, commits = repo
    base, head = commits[SLOW_COMMIT - 2], commits[SLOW_COMMIT - 1]
    assert ab(path, base, head, "--metric", "instructions", "--results", str(tmp_path / "out")) == 1
    out = capsys.readouterr().out
    assert "regression" in out and "M instr" in out
    documents = store.load([tmp_path / "out"])
    assert sorted(doc["env"]["commit"] for doc in documents) == sorted([base, head])
    assert {doc["run"]["ab"]["side"] for doc in documents} == {"base", "head"}
    assert all(doc["records"][0]["counts"]["status"] == "ok" for doc in documents)
    assert len(worktrees(path)) == 1 and not ours(scratch)


def test_same_code_under_two_interpreter_options_is_no_regression(
    repo: tuple[Path, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = repo
    monkeypatch.chdir(path)
    code = main(
        [
            "ab",
            "--python-base",
            sys.executable,
            "--python-head",
            os.path.realpath(sys.executable),
            "--suite",
            "mine.toml",
            "--pairs",
            "6",
            "--processes",
            "2",
            "--alpha",
            "0.001",
            "--results",
            str(tmp_path / "out"),
        ]
    )
    assert code == 0
    documents = store.load([tmp_path / "out"])
    assert all(len(doc["records"][0]["ab"]["runs"]) == 6 for doc in documents)
    assert all(doc["run"]["ab"]["processes"] == 2 for doc in documents)
    cpus = [doc["run"]["ab"]["cpus"] for doc in documents]  # both workers held to the same one CPU
    assert cpus[0] == cpus[1] and len(cpus[0]) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nosuch", "HEAD"), "nosuch: unknown revision"),
        (("HEAD~1", "HEAD", "-k", "nomatch"), "no case selected"),
        (("HEAD~1", "wide"), "is missing on the base side"),
        (("HEAD", "HEAD", "--pairs", "1"), "--pairs: at least 6"),
        (("HEAD", "HEAD", "--processes", "0"), "--processes: between 1 and --pairs"),
    ],
)
def test_bad_input_is_one_line_exit_4_and_leaves_no_worktree(
    repo: tuple[Path, list[str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture,
    args: tuple,
    message: str,
) -> None:
    path, _ = repo
    if "wide" in args and "wide" not in git(path, "branch"):
        git(path, "checkout", "-q", "-b", "wide")
        (path / "mine.toml").write_text(SUITE.replace("hidden_size = 8", "hidden_size = [8, 16]"))
        commit(path, "a second case")
        git(path, "checkout", "-q", "main")
    assert ab(path, *args, "--results", str(tmp_path / "out")) == EXIT_USAGE
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("rnnbench ab: error: ") and message in err[-1]
    assert len(worktrees(path)) == 1 and not (tmp_path / "out").exists()


def test_dirty_tree_is_refused_when_head_is_measured(
    repo: tuple[Path, list[str]], capsys: pytest.CaptureFixture
) -> None:
    path, _ = repo
    notes = path / "NOTES.txt"
    text = notes.read_text()
    notes.write_text("edited\n")
    try:
        assert ab(path, "HEAD~1", "HEAD") == EXIT_USAGE
    finally:
        notes.write_text(text)
    assert "uncommitted changes" in capsys.readouterr().err


def test_ctrl_c_leaves_no_worktree_and_no_scratch(
    repo: tuple[Path, list[str]], tmp_path: Path, scratch: Path
) -> None:
    path, commits = repo
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rnnbench.cli",
            "ab",
            commits[0],
            commits[-1],
            "--repo",
            str(path),
            "--suite",
            "mine.toml",
            "--pairs",
            "500",
            "--results",
            str(tmp_path / "out"),
        ],
        start_new_session=True,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 600
    while len(worktrees(path)) < 3 and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert child.poll() is None, child.stderr.read() if child.stderr else ""
    os.killpg(
        child.pid, signal.SIGINT
    )  # what Ctrl-C in a terminal does: the whole foreground group
    assert child.wait(timeout=120) == 130
    assert len(worktrees(path)) == 1 and not ours(scratch)
