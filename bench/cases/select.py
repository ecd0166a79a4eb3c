"""Case selection: by device and cuDNN setting (`--device`, `--cudnn`), and `--shard K/N`.

`--shard K/N` is a deterministic 1/N slice of a suite's cases, the same on every machine.

A case belongs to shard `sha256(case id) mod N + 1`: it depends only on the case's id, so the
N slices are disjoint, cover the suite, and do not move when other cases are added or removed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import TypeVar

from rnnbench.cases.case import Case
from rnnbench.errors import UserError

T = TypeVar("T")

MAX_CASES = (
    10_000  # a suite declaring more is refused before it is expanded (--max-cases raises it)
)
DEVICE_CHOICES = ("cpu", "cuda", "all")
CUDNN_CHOICES = ("on", "off", "both")


def by_device(
    cases: tuple[Case, ...], device: str | None, cudnn: str, cuda_available: bool
) -> list[Case]:
    """Filter by device (None = every device present) and cuDNN setting (cases that use cuDNN)."""
    if device is None:
        devices = {"cpu", "cuda"} if cuda_available else {"cpu"}
    else:
        devices = {"cpu", "cuda"} if device == "all" else {device}
    wanted_cudnn = {"on": {True}, "off": {False}, "both": {True, False}}[cudnn]
    return [
        c for c in cases if c.device in devices and (c.cudnn is None or c.cudnn in wanted_cudnn)
    ]


def describe_selection(device: str | None, cudnn: str) -> str:
    return f"--device={device or 'present'} --cudnn={cudnn}"


def parse_shard(text: str) -> tuple[int, int]:
    """`K/N` with 1 <= K <= N -> (K, N); anything else is a one-line `UserError`."""
    index, sep, count = text.partition("/")
    if not sep or not index.strip().isdigit() or not count.strip().isdigit():
        raise UserError(f"--shard: expected K/N (e.g. 2/4), got {text!r}")
    k, n = int(index), int(count)
    if not 1 <= k <= n:
        raise UserError(f"--shard: need 1 <= K <= N, got {text!r}")
    return k, n


def shard_of(case_id: str, count: int) -> int:
    """The 1-based shard a case id belongs to among `count` shards."""
    digest = hashlib.sha256(case_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def in_shard(items: Iterable[T], shard: tuple[int, int], key: Callable[[T], str]) -> list[T]:
    """The items whose `key` (a case id) falls in `shard` = (K, N)."""
    k, n = shard
    return [item for item in items if shard_of(key(item), n) == k]
