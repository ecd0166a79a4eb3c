"""A throwaway git repository of a user's project for the A/B and bisect tests: a suite naming a
user cell (`my_cell.py:Mine`) and eight commits, of which commit 5 doubles the cell's work and
commit 6 breaks the cell's file (commit 7 repairs it), so a bisection must skip one commit."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

SUITE = """[suite]
name = "mine"
[settings]
warmup_rounds = 1
min_rounds = 5
max_rounds = 30
max_time = 0.02
[[grid]]
cell = "my_cell.py:Mine"
batch = 2
seq_len = 8
input_size = 8
hidden_size = 8
phases = ["forward"]
device = "cpu"
"""
CELL = """from torch import nn

EXTRA = {extra}  # times the recurrence runs again (commit 5 adds one)


class Mine(nn.Module):
    def __init__(self, input_size, hidden_size, num_layers=1, bidirectional=False, batch_first=True):
        super().__init__()
        self.rnn = nn.GRU(input_size, hidden_size, num_layers=num_layers, bidirectional=bidirectional,
                          batch_first=True)

    def forward(self, x):
        out = self.rnn(x)
        for _ in range(EXTRA):
            out = self.rnn(x)
        return out
"""
SLOW_COMMIT = 5
BROKEN_COMMIT = 6


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def make_repo(repo: Path, count: int = 8) -> list[str]:
    """The repository's commits, oldest first (commit 1 is index 0)."""
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commits = []
    for number in range(1, count + 1):
        extra = 1 if number >= SLOW_COMMIT else 0
        text = CELL.format(extra=extra)
        if number == BROKEN_COMMIT:
            text += "\nthis line is not Python\n"
        (repo / "my_cell.py").write_text(text)
        (repo / "mine.toml").write_text(SUITE)
        (repo / "NOTES.txt").write_text(f"change {number}\n")
        commits.append(commit(repo, f"commit {number}"))
    return commits


def throwaway(factory: pytest.TempPathFactory, name: str) -> tuple[Path, list[str]]:
    """A fresh repository (for a test module's fixture) and its commits."""
    path = factory.mktemp(name) / "project"
    return path, make_repo(path)


def worktrees(repo: Path) -> list[str]:
    """`git worktree list` lines: only the repository itself once a command is done."""
    return git(repo, "worktree", "list").splitlines()
