"""A/B and bisect pieces without child processes: git questions, worktrees, selection, the paired verdict."""

from __future__ import annotations

import ast
import os
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from ab_repo import commit, git, worktrees

from rnnbench.ab import alternate, bisect, sides
from rnnbench.ab import git as abgit
from rnnbench.errors import UserError
from rnnbench.gate import paired

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, list[str]]:
    """Three commits on main and one on a side branch."""
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    commits = []
    for number in range(3):
        (path / "f.txt").write_text(f"{number}\n")
        commits.append(commit(path, f"commit {number}"))
    git(path, "checkout", "-q", "-b", "side", commits[0])
    (path / "g.txt").write_text("side\n")
    commits.append(commit(path, "side"))
    git(path, "checkout", "-q", "main")
    return path, commits


def test_unknown_revision_and_not_a_repository(
    repo: tuple[Path, list[str]], tmp_path: Path
) -> None:
    path, commits = repo
    assert abgit.resolve(path, "main~1") == commits[1]
    with pytest.raises(UserError, match=r"^nosuch: unknown revision in "):
        abgit.resolve(path, "nosuch")
    (tmp_path / "plain").mkdir()
    with pytest.raises(UserError, match="not a git repository"):
        abgit.toplevel(tmp_path / "plain")


def test_first_parents_and_ancestry(repo: tuple[Path, list[str]]) -> None:
    path, commits = repo
    assert abgit.first_parents(path, commits[0], commits[2]) == commits[1:3]
    with pytest.raises(UserError, match="is not an ancestor of"):
        abgit.first_parents(path, commits[3], commits[2])
    with pytest.raises(UserError, match="same commit"):
        abgit.first_parents(path, commits[2], commits[2])


def test_uncommitted_changes_matter_only_when_head_is_measured(
    repo: tuple[Path, list[str]],
) -> None:
    path, commits = repo
    (path / "f.txt").write_text("edited\n")
    abgit.check_committed(
        path, [commits[0], commits[1]]
    )  # HEAD is not measured: the edit is irrelevant
    with pytest.raises(
        UserError,
        match=r"uncommitted changes \(1 file\(s\), e\.g\. M f\.txt\) would not be measured",
    ):
        abgit.check_committed(path, [commits[0], commits[2]])


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_a_worktree_is_removed_on_errors_and_ctrl_c(
    repo: tuple[Path, list[str]], error: type
) -> None:
    path, commits = repo
    with pytest.raises(error), abgit.worktree(path, commits[1]) as checkout:
        assert (checkout / "f.txt").read_text() == "1\n"
        assert len(worktrees(path)) == 2
        raise error
    assert not checkout.exists()
    assert worktrees(path) == worktrees(path)[:1] and len(worktrees(path)) == 1


def test_keyword_filter_follows_pytest_k() -> None:
    ids = [
        "lstm-l1-uni-forward",
        "lstm-l1-uni-forward_backward",
        "gru-l1-bi-forward",
        "gru-l1-bi-inference",
    ]
    assert alternate.keyword_filter(ids, "forward and not backward") == [
        "lstm-l1-uni-forward",
        "gru-l1-bi-forward",
    ]
    assert alternate.keyword_filter(ids, "GRU") == ids[2:]
    assert alternate.keyword_filter(ids, None) == ids
    with pytest.raises(UserError, match=r"^-k: "):
        alternate.keyword_filter(ids, "forward and (")


def fake_child(name: str, cases: list[str]) -> SimpleNamespace:
    return SimpleNamespace(side=sides.Side(name, name.upper()), cases=cases)


def test_a_case_missing_on_one_side_or_none_selected_is_a_user_error() -> None:
    plan = alternate.Plan(keyword="forward")
    both = alternate.select(
        fake_child("base", ["a-forward", "b-forward"]),
        fake_child("head", ["b-forward", "a-forward"]),
        plan,
    )
    assert both == ["a-forward", "b-forward"]
    with pytest.raises(UserError, match=r"case b-forward is missing on the base side \(BASE\)"):
        alternate.select(
            fake_child("base", ["a-forward"]), fake_child("head", ["a-forward", "b-forward"]), plan
        )
    with pytest.raises(UserError, match=r"^no case selected \(suite 'smoke', -k 'forward'\)"):
        alternate.select(
            fake_child("base", ["a-inference"]), fake_child("head", ["a-inference"]), plan
        )


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"pairs": 2}, "--pairs"),
        ({"metric": "x"}, "--metric"),
        ({"alpha": 1.0}, "--alpha"),
        ({"quantile": 2.0}, "--quantile"),
        ({"processes": 0}, "--processes"),
        ({"pairs": 6, "processes": 7}, "--processes"),
    ],
)
def test_plan_refuses_bad_settings(bad: dict, message: str) -> None:
    with pytest.raises(UserError, match=f"^{message}: "):
        alternate.Plan(**bad)


class LoggingChild:
    """A side whose processes answer at once and log every request: (kind, case, process)."""

    def __init__(self, name: str, log: list[tuple[str, str, str, int]], broken: str = "") -> None:
        self.side = sides.Side(name, name.upper())
        self.log, self.broken = log, broken

    def measure(self, kind: str, case: str, *rounds: int, process: int = 0) -> dict:
        self.log.append((self.side.name, kind, case, process))
        failed = kind == "warm" and case == self.broken and process == 2
        reason = "RuntimeError: out of memory" if failed else None
        return {
            "id": case,
            "status": "failed" if failed else "ok",
            "reason": reason,
            "times_s": [1e-3],
        }


def test_pairs_are_spread_over_the_processes_each_pair_of_them_flipping_the_order() -> None:
    log: list[tuple[str, str, str, int]] = []
    base, head = LoggingChild("base", log), LoggingChild("head", log, broken="b")
    plan = alternate.Plan(pairs=8, processes=3)
    runs = alternate.measure(base, head, ["a", "b"], plan, lambda _: None)
    firsts = [(side, case, process) for side, kind, case, process in log if kind == "run"]
    assert sorted(firsts) == [
        ("base", "a", 0),
        ("base", "b", 0),
        ("head", "a", 0),
        ("head", "b", 0),
    ]
    warmed = {(side, case, process) for side, kind, case, process in log if kind == "warm"}
    assert warmed == {(s, c, p) for s in ("base", "head") for c in ("a", "b") for p in (1, 2)}
    assert runs["head"]["b"][0]["reason"] == "RuntimeError: out of memory"  # failed where it warmed
    assert alternate.failure(runs, "b") == "head: RuntimeError: out of memory"
    turns = [(side, process) for side, kind, case, process in log if kind == "turn"]
    assert all(case == "a" for _, kind, case, _ in log if kind == "turn")
    pairs = [turns[i : i + 2] for i in range(0, len(turns), 2)]
    assert [pair[0][1] for pair in pairs] == [i % 3 for i in range(8)]
    assert all(pair[0][1] == pair[1][1] for pair in pairs)  # a pair's two turns: one process pair
    for process in range(3):
        firsts_of_process = [pair[0][0] for pair in pairs if pair[0][1] == process]
        assert firsts_of_process == ["base", "head", "base"][: len(firsts_of_process)]
    assert len(runs["base"]["a"]) == 1 + 8 and len(runs["base"]["b"]) == 1


def test_both_sides_share_the_cpus_their_threads_need() -> None:
    allowed = sorted(os.sched_getaffinity(0))
    assert alternate.shared_cpus(1) == allowed[-1:]
    assert alternate.shared_cpus(len(allowed)) == allowed
    assert alternate.shared_cpus(len(allowed) + 1) is None  # cannot be met: not pinned
    assert alternate.shared_cpus(None) is None
    assert alternate.Plan(threads=1).settings()["cpus"] == allowed[-1:]


def test_paired_verdict_sees_a_shift_that_drift_would_hide() -> None:
    rng = np.random.default_rng(1)
    drift = np.exp(rng.normal(0, 0.3, 12))  # each pair's machine state: +-30% between pairs
    noise = np.exp(rng.normal(0, 0.01, 12))
    base = 1e-3 * drift
    threshold = 0.05
    slowed = paired.assess_pairs(base, base * noise * (1 + 2 * threshold), threshold)
    assert slowed.mark == "regression" and slowed.ci_low > 1 + threshold
    same = paired.assess_pairs(base, base * noise, threshold)
    assert same.mark == "no change" and same.ci_low < 1 < same.ci_high
    assert paired.assess_pairs(base, base, threshold).p_value == 1.0
    with pytest.raises(ValueError):
        paired.assess_pairs(base[:2], base[:2], threshold)


def test_folders_agree_with_setup_py_and_links_import_the_side(tmp_path: Path) -> None:
    tree = ast.parse((ROOT / "setup.py").read_text())
    folders = next(
        ast.literal_eval(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "FOLDERS"
    )
    assert folders == sides.FOLDERS
    assert sides.is_rnnbench_checkout(ROOT) and not sides.is_rnnbench_checkout(tmp_path)
    site = sides.link_packages(sides.code_folders(ROOT), tmp_path / "site")
    assert (site / "rnnbench" / "plugin.py").resolve() == ROOT / "bench" / "plugin.py"
    assert (site / "rnnbench" / "reports").resolve() == ROOT / "reports"
    environment = sides.child_environment(tmp_path, tmp_path / "scratch")
    assert environment["PYTHONPATH"].split(":")[:2] == [
        str(tmp_path / "scratch" / "site"),
        str(tmp_path),
    ]


def test_bisect_step_lines() -> None:
    from rnnbench.gate import compare, significance

    verdict = significance.ChangeVerdict(
        1.0, 1.3, 1.3, 1.2, 1.4, 0.001, 0.05, 0.05, method=significance.PAIRED
    )
    bad = bisect.Tested("a" * 40, bisect.BAD, compare.Row("case-1", "regression", verdict))
    assert (
        bisect.line(2, bad, "subject")
        == "step 2: aaaaaaaaaaaa  ratio 1.300 [1.200, 1.400]  bad  (case-1)  subject"
    )
    skipped = bisect.Tested("b" * 40, bisect.SKIP, reason="head: SyntaxError")
    assert "skipped: head: SyntaxError" in bisect.line(3, skipped, "s")
