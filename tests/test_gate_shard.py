"""--shard K/N: disjoint slices that cover the suite, stable across processes."""

import subprocess
import sys

import pytest

from rnnbench.cases import select as shard
from rnnbench.cases import suite
from rnnbench.errors import UserError


def test_shards_are_disjoint_and_cover_the_suite() -> None:
    ids = [case.id for case in suite.load("smoke").cases]
    slices = [shard.in_shard(ids, (k, 3), key=str) for k in (1, 2, 3)]
    assert sorted(i for part in slices for i in part) == sorted(ids)
    assert sum(len(part) for part in slices) == len(ids)
    assert all(slices)


@pytest.mark.slow
def test_shard_membership_is_stable_across_interpreters() -> None:
    ids = [case.id for case in suite.load("smoke").cases]
    here = [shard.shard_of(i, 4) for i in ids]
    code = "import sys; from rnnbench.cases import select as shard; print([shard.shard_of(i, 4) for i in sys.argv[1:]])"
    there = subprocess.run(
        [sys.executable, "-c", code, *ids], capture_output=True, text=True, check=True
    )
    assert there.stdout.strip() == str(here)


@pytest.mark.parametrize("spec", ["0/2", "3/2", "2", "a/b", "1/0", "-1/2"])
def test_bad_shard_is_a_user_error(spec: str) -> None:
    with pytest.raises(UserError, match="--shard"):
        shard.parse_shard(spec)


def test_parse_good_shard() -> None:
    assert shard.parse_shard("2/4") == (2, 4)
