"""The git questions A/B and bisect ask, and temporary worktrees that never outlive the command.

Every failure a user can cause (unknown revision, not a repository, GOOD not an ancestor of BAD)
is a one-line `UserError`. A worktree is made with `git worktree add --detach` under a temporary
folder and removed (`git worktree remove --force`, then `prune`) in a `finally`, so an error or a
Ctrl-C (KeyboardInterrupt) leaves none behind.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from rnnbench.errors import UserError


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `git -C repo ARGS`; a missing git or a failure (with `check`) is a one-line `UserError`."""
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
        )
    except OSError as exc:
        raise UserError(f"cannot run git: {exc.strerror or exc}") from None
    if check and done.returncode != 0:
        message = (done.stderr.strip().splitlines() or ["failed"])[-1]
        raise UserError(f"git {' '.join(args[:2])}: {message}")
    return done


def toplevel(repo: Path) -> Path:
    """The root of the repository holding `repo`."""
    done = git(repo, "rev-parse", "--show-toplevel", check=False)
    if done.returncode != 0:
        raise UserError(f"--repo {repo}: not a git repository")
    return Path(done.stdout.strip())


def resolve(repo: Path, revision: str) -> str:
    """The full commit sha of `revision`."""
    done = git(repo, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}", check=False)
    if done.returncode != 0:
        raise UserError(f"{revision}: unknown revision in {repo}")
    return done.stdout.strip()


def head(repo: Path) -> str | None:
    """The checked-out commit, or None in an empty repository."""
    done = git(repo, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False)
    return done.stdout.strip() or None


def dirty(repo: Path) -> list[str]:
    """Tracked files with uncommitted changes (what a worktree of HEAD would not contain)."""
    return git(repo, "status", "--porcelain", "--untracked-files=no").stdout.splitlines()


def check_committed(repo: Path, commits: list[str]) -> None:
    """Refuse to measure HEAD while the work tree has uncommitted changes: the user would think them measured."""
    current = head(repo)
    changed = dirty(repo)
    if current in commits and changed:
        raise UserError(
            f"{repo}: uncommitted changes ({len(changed)} file(s), e.g. {changed[0].strip()}) "
            "would not be measured: commit or stash them"
        )


def first_parents(repo: Path, good: str, bad: str) -> list[str]:
    """The first-parent chain from GOOD (excluded) to BAD (included), oldest first."""
    if git(repo, "merge-base", "--is-ancestor", good, bad, check=False).returncode != 0:
        raise UserError(f"{good[:12]} is not an ancestor of {bad[:12]}: GOOD must come before BAD")
    chain = git(repo, "rev-list", "--first-parent", "--reverse", f"{good}..{bad}").stdout.split()
    if not chain:
        raise UserError("GOOD and BAD are the same commit: nothing to search")
    return chain


def subject(repo: Path, commit: str) -> str:
    return git(repo, "log", "-1", "--format=%s", commit).stdout.strip()


def diffstat(repo: Path, commit: str) -> str:
    """`git show --stat` of one commit against its first parent, without the message."""
    return git(repo, "show", "--stat", "--format=", "--first-parent", commit).stdout.rstrip()


@contextlib.contextmanager
def worktree(repo: Path, commit: str) -> Iterator[Path]:
    """A detached checkout of `commit` in a temporary folder, removed on exit (also on errors and Ctrl-C)."""
    parent = Path(tempfile.mkdtemp(prefix="rnnbench-ab-"))
    path = parent / commit[:12]
    try:
        git(repo, "worktree", "add", "--detach", "--quiet", str(path), commit)
        yield path
    finally:
        git(repo, "worktree", "remove", "--force", str(path), check=False)
        shutil.rmtree(parent, ignore_errors=True)
        git(repo, "worktree", "prune", check=False)
