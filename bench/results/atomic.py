"""Output files that appear whole or not at all, with the user's umask.

Every file rnnbench writes goes through here. The content goes into a hidden temporary file beside
the target (`.STEM.<random>.tmp.SUFFIX`; loaders skip dot-files) and is renamed over the target
with `os.replace`, so an interrupt or a full disk never leaves an empty or half-written file: on
failure the temporary file is removed and the target keeps its earlier content. `creating`
links the finished file in place instead of renaming, which fails if the name is taken: two runs
never pick, then replace, the same file. Files are created like `open()` does (0666 less the
umask), never 0600 as `tempfile.mkstemp` makes them. A write error is a one-line `UserError`.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rnnbench.errors import UserError

MIN_FREE_BYTES = 1 << 20  # an output folder with less free space is refused before the first case


def cannot_write(path: Path, exc: OSError) -> UserError:
    """`PATH: cannot write: No space left on device`: one line, naming the file."""
    return UserError(f"{path}: cannot write: {exc.strerror or exc}")


def temp_path(path: Path) -> Path:
    """An unused hidden sibling of `path` that keeps its suffix (matplotlib picks the format from it)."""
    return path.with_name(f".{path.stem}.{secrets.token_hex(4)}.tmp{path.suffix}")


@contextlib.contextmanager
def _written(path: Path) -> Iterator[Path]:
    """Yield a temporary path for the caller to fill; always remove it at the end; an `OSError`
    while filling or moving it becomes one line naming `path`."""
    tmp = temp_path(path)
    try:
        yield tmp
    except FileExistsError:  # create_new's answer: the name is taken
        raise
    except OSError as exc:
        raise cannot_write(path, exc) from None
    finally:
        tmp.unlink(missing_ok=True)


def _sync(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `path`, on failure it is removed."""
    with _written(path) as tmp:
        yield tmp
        _sync(tmp)
        os.replace(tmp, path)


@contextlib.contextmanager
def creating(path: Path) -> Iterator[Path]:
    """Like `replacing`, for a file that must not exist yet: `FileExistsError` (nothing written) if it does."""
    with _written(path) as tmp:
        yield tmp
        _sync(tmp)
        os.link(tmp, path)  # atomic, and never replaces: the name is ours or the call fails


def create_new(path: Path, write: Callable[[Path], None]) -> None:
    """`write` a new file (see `creating`)."""
    with creating(path) as tmp:
        write(tmp)


def dump_json(data: Any) -> Callable[[Path], None]:
    """A writer of `data` as indented JSON, for `create_new`."""

    def write(tmp: Path) -> None:
        tmp.write_text(json.dumps(data, indent=1))

    return write


def write_json(path: Path, data: Any) -> None:
    """Replace `path` with `data` as JSON, atomically."""
    with replacing(path) as tmp:
        dump_json(data)(tmp)


def write_text(path: Path, text: str) -> None:
    """Replace `path` with `text` (UTF-8), atomically."""
    with replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def make_directory(directory: Path, what: str = "") -> None:
    """`mkdir -p`, with a one-line `UserError` (`what` names the option) when it cannot be made."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise UserError(f"{what}{directory}: not a directory (a file is in the way)") from None
    except OSError as exc:
        raise UserError(f"{what}{directory}: cannot create: {exc.strerror or exc}") from None


def check_directory(directory: Path, option: str) -> None:
    """Prove, before any work is done, that files can be written in `directory` (or, if it does not
    exist yet, that it can be made: its nearest existing ancestor is a writable folder)."""
    existing = directory
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        raise UserError(f"{option} {directory}: not a directory ({existing} is a file)")
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
        free = shutil.disk_usage(existing).free
    except OSError as exc:
        raise UserError(
            f"{option} {directory}: cannot write there: {exc.strerror or exc}"
        ) from None
    if free < MIN_FREE_BYTES:
        raise UserError(f"{option} {directory}: disk full ({free} bytes free)")
