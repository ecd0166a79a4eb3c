"""`rnnbench bisect` on a throwaway user repository: commit 5 doubles the user cell's work, commit 6 is broken."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from ab_repo import BROKEN_COMMIT, SLOW_COMMIT, throwaway, worktrees

from rnnbench.cli import main
from rnnbench.errors import EXIT_USAGE
from rnnbench.results import store

pytestmark = pytest.mark.slow  # child processes (torch imports), valgrind


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    return throwaway(tmp_path_factory, "bisect")


def bisect(repo: Path, *args: str) -> int:
    return main(["bisect", *args, "--repo", str(repo), "--suite", "mine.toml"])


@pytest.mark.parametrize(
    "metric",
    [
        ("--metric", "instructions"),
        (
            "--metric",
            "time",
            "--pairs",
            "20",
            "--processes",
            "2",
            "--threshold",
            "30%",
            "--quantile",
            "0.1",
        ),
    ],
)
def test_bisect_names_commit_5_in_few_steps_and_skips_the_broken_one(
    repo: tuple[Path, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture, metric: tuple
) -> None:
    path, commits = repo
    assert bisect(path, commits[0], commits[-1], *metric, "--results", str(tmp_path / "steps")) == 0
    err = capsys.readouterr().err
    steps = re.findall(r"^step \d+: (\w+)  (.*)$", err, re.MULTILINE)
    assert len(steps) <= math.ceil(math.log2(len(commits) - 1)) + 1
    assert f"first bad commit: {commits[SLOW_COMMIT - 1]} commit {SLOW_COMMIT}\n" in err
    assert "my_cell.py" in err  # the diffstat
    verdicts = {sha: text for sha, text in steps}
    assert "skipped" in verdicts[commits[BROKEN_COMMIT - 1][:12]]
    documents = {Path(doc["source"]).name: doc for doc in store.load([tmp_path / "steps"])}
    assert len(documents) == 1 + len(
        steps
    )  # GOOD once, every step (the broken one's case recorded failed)
    broken = next(doc for name, doc in documents.items() if commits[BROKEN_COMMIT - 1][:12] in name)
    assert broken["records"][0]["status"] == "failed"
    assert len(worktrees(path)) == 1


def test_bad_not_slower_than_good_exits_1_without_searching(
    repo: tuple[Path, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    path, commits = repo
    assert (
        bisect(path, commits[0], commits[SLOW_COMMIT - 2], "--results", str(tmp_path / "steps"))
        == 1
    )
    err = capsys.readouterr().err
    assert "is not slower than GOOD" in err and len(re.findall("^step ", err, re.MULTILINE)) == 1


def test_good_must_be_an_ancestor_of_bad(
    repo: tuple[Path, list[str]], capsys: pytest.CaptureFixture
) -> None:
    path, commits = repo
    assert bisect(path, commits[-1], commits[0]) == EXIT_USAGE
    assert "is not an ancestor of" in capsys.readouterr().err.strip().splitlines()[-1]
    assert len(worktrees(path)) == 1
