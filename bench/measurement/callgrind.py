"""Valgrind on this machine, and reading callgrind's dump files (totals and inclusive function counts)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from rnnbench.errors import UserError

PACKAGE = "valgrind"
TOOLS = ("valgrind", "callgrind_annotate", "callgrind_control")
TOTAL = re.compile(r"^(?:summary|totals):\s*(\d+)", re.MULTILINE)
FUNCTION = re.compile(
    r"^\s*([\d,]+)\s+[^:\s]*:(.+?)(?: \[(.+)\])?$"
)  # count  file:function [object]
PARAMETERS = re.compile(r"\((?!anonymous namespace\)).*$")  # a C++ signature's argument list
RECURSION = re.compile(
    r"'\d+$"
)  # callgrind's name for a function's recursive calls (counted twice)


def require() -> str:
    """The valgrind version (`3.19.0`); a one-line `UserError` naming the package when it is missing."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        raise UserError(
            f"--counts: {', '.join(missing)} not found: install the Debian package "
            f"'{PACKAGE}' (apt-get install {PACKAGE})"
        )
    out = subprocess.run(
        ["valgrind", "--version"], capture_output=True, text=True, check=True
    ).stdout
    return out.strip().removeprefix("valgrind-")


def total(dump: Path) -> int:
    """Instructions executed while collection was on, from a dump's `summary:` line."""
    match = TOTAL.search(dump.read_text(errors="replace"))
    if match is None:
        raise ValueError(f"{dump}: no summary line (not a callgrind dump?)")
    return int(match.group(1))


def inclusive(dump: Path, min_share: float = 0.005) -> dict[str, int]:
    """Inclusive instruction counts per function (`function (library)`) above `min_share` of the total.

    Recursive-call entries (`f'2`) are left out: callgrind counts their cost again inside `f`.
    Argument lists are cut (names stay readable and small); a name seen several times (inlined
    from several files, or overloads) keeps its largest count.
    """
    out = subprocess.run(
        ["callgrind_annotate", "--inclusive=yes", "--threshold=100", "--show-percs=no", str(dump)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    counts: dict[str, int] = {}
    grand = total(dump)
    started = False
    for line in out.splitlines():
        if not started:
            started = bool(re.match(r"^\s*Ir\s+file:function", line))
            continue
        match = FUNCTION.match(line)
        if match is None:
            continue
        value, function, library = (
            int(match.group(1).replace(",", "")),
            match.group(2),
            match.group(3),
        )
        if RECURSION.search(function) or value >= grand or value < min_share * grand:
            continue  # frames that hold the whole dump (the toggles' callers) say nothing either
        name = PARAMETERS.sub("", function) + (f" ({Path(library).name})" if library else "")
        counts[name] = max(counts.get(name, 0), value)
    return counts
