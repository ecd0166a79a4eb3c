"""Read the README and the docs pages as a newcomer would, and list what no longer matches the code.

Each check returns one line per problem: repository paths that do not exist, `rnnbench.…` names
that do not import, `rnnbench SUBCOMMAND --option` / `pytest bench --option` / `tox -e ENV` that
their parser or tox.ini does not know, suite names that are not shipped, unknown generated-part
markers. The Python examples are extracted here and run by tests/test_docs.py.
"""

from __future__ import annotations

import argparse
import configparser
import functools
import importlib
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path

from rnnbench import reference, suites
from rnnbench.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
INLINE = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"\]\(([^)\s]+)\)")
# A path in the checkout, or one spelled as the installed package's (`rnnbench/...`): not inside a
# longer path or URL, and stopping before `<placeholders>`, `:line` and punctuation.
PATH = re.compile(
    r"(?<![\w./-])((?:bench|reports|suites|tests|docs|\.ci|rnnbench)/[\w./*-]*|README\.md|tox\.ini"
    r"|setup\.py|pyproject\.toml|mkdocs\.yml)"
)
DOTTED = re.compile(r"(?<![\w./-])rnnbench(?:\.\w+)+")
FOLDER_IMPORT = re.compile(
    r"\b(?:from (?:bench|reports)(?:\.\w+)* import|import (?:bench|reports)\b|-m (?:bench|reports)\.)"
)
SCRIPT = re.compile(r"\bpython3? (?:bench|reports)/\S+\.py")
SUITE_MENTION = re.compile(r"`([\w-]+)` suite\b|\bsuite `([\w-]+)`")
COMMAND_LANGUAGES = ("bash", "sh", "shell", "console")
PLACEHOLDER = re.compile(r"^[A-Z][A-Z_|]*$")


def pages() -> list[Path]:
    """The README and every Markdown page of the site."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def fenced(text: str) -> list[tuple[str, str]]:
    """(language, body) of every fenced code block."""
    return [(match.group(1), match.group(2)) for match in FENCE.finditer(text)]


def prose(text: str) -> str:
    """The text outside fenced code blocks."""
    return FENCE.sub("", text)


def python_examples(text: str) -> list[str]:
    return [body for language, body in fenced(text) if language == "python"]


def command_lines(text: str) -> Iterator[str]:
    """Command lines shown: every line of a shell block, `$ `-prompted lines of other blocks, and
    inline code that starts with a command; continuation lines joined, comments and prompts dropped."""
    for language, body in fenced(text):
        body = body.replace("\\\n", " ")
        for line in body.splitlines():
            if line.startswith("$ "):
                yield line[2:]
            elif language in COMMAND_LANGUAGES:
                yield line
    for span in INLINE.findall(prose(text)):
        if re.match(r"(rnnbench|pytest|tox|python3? -m) ", span):
            yield span


def segments(line: str) -> Iterator[list[str]]:
    """Each simple command of a shell line, as words (comments dropped, `&&`, `|`, `;`, `&` split)."""
    try:
        words = shlex.split(line, comments=True)
    except ValueError:  # an unbalanced quote in an excerpt: read it word by word
        words = line.split("#")[0].split()
    command: list[str] = []
    for word in [*words, ";"]:
        if word in ("&&", "||", "|", ";", "&"):
            if command:
                yield command
            command = []
        else:
            command.append(word)


@functools.cache
def pytest_options() -> frozenset[str]:
    """Every long option `pytest bench --help` lists (the plugin's, pytest's, pytest-benchmark's)."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "bench", "--help", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return frozenset(re.findall(r"(?<![\w-])--[\w-]+", done.stdout))


@functools.cache
def parsers() -> dict[str, argparse.ArgumentParser]:
    """`rnnbench` subcommand parsers by name ("compare", "baseline save", ...)."""
    return dict(reference.subparsers(build_parser()))


@functools.cache
def tox_envs() -> frozenset[str]:
    config = configparser.ConfigParser(interpolation=None)
    config.read(ROOT / "tox.ini")
    return frozenset(
        section.removeprefix("testenv:")
        for section in config.sections()
        if section.startswith("testenv:")
    )


def long_options(words: list[str]) -> list[str]:
    return [word.split("=")[0] for word in words if word.startswith("--") and len(word) > 2]


def check_rnnbench(words: list[str]) -> list[str]:
    """`rnnbench SUB [ACTION] --options`: the subcommand exists and knows every option (`run` hands
    the rest to pytest)."""
    if (
        len(words) < 2
        or words[1].startswith("-")
        or words[1].endswith(":")
        or PLACEHOLDER.match(words[1])
    ):
        return []
    name = words[1]
    if name not in parsers():
        return [f"rnnbench {name}: no such subcommand"]
    if len(words) > 2 and f"{name} {words[2]}" in parsers():
        name = f"{name} {words[2]}"
    known = {flag for action in parsers()[name]._actions for flag in action.option_strings}
    if name == "run":
        known |= pytest_options()
    return [
        f"rnnbench {name} {option}: no such option"
        for option in long_options(words)
        if option not in known
    ]


def check_command(words: list[str]) -> list[str]:
    """One simple command: rnnbench, pytest bench, python -m rnnbench.reports, tox -e."""
    while words and (words[0] == "flock" or "=" in words[0]):  # env assignments, `flock LOCKFILE`
        words = words[2:] if words[0] == "flock" else words[1:]
    if words[:2] in (["python", "-m"], ["python3", "-m"]) and len(words) > 2:
        if words[2] == "rnnbench.reports":
            return check_rnnbench(["rnnbench", "report", *words[3:]])
        words = words[2:]
    if not words:
        return []
    if words[0] == "rnnbench":
        return check_rnnbench(words)
    if words[:2] == ["pytest", "bench"]:
        return [
            f"pytest bench {option}: no such option"
            for option in long_options(words)
            if option not in pytest_options()
        ]
    if words[0] == "tox" and "-e" in words[:-1]:
        envs = words[words.index("-e") + 1].split(",")
        return [
            f"tox -e {env}: no such environment in tox.ini" for env in envs if env not in tox_envs()
        ]
    return []


def suite_names(text: str) -> Iterator[str]:
    """Suite names a page shows: `--suite X`, `rnnbench cases X`, `load_suite("X")`, "the `X` suite"."""
    for line in command_lines(text):
        for words in segments(line):
            for flag in ("--suite", "--rnnbench-suite"):
                yield from (words[i + 1] for i, word in enumerate(words[:-1]) if word == flag)
                yield from (word.split("=", 1)[1] for word in words if word.startswith(flag + "="))
            if words[:2] == ["rnnbench", "cases"] and len(words) > 2:
                yield words[2]
    yield from re.findall(r"load_suite\(\s*[\"']([^\"']+)[\"']", text)
    yield from (a or b for a, b in SUITE_MENTION.findall(prose(text)))


def problems(text: str, where: Path) -> list[str]:
    """Everything in one page that does not match the code."""
    found = [f"{where.name}: {problem}" for problem in _problems(text, where.parent)]
    return list(dict.fromkeys(found))


def _problems(text: str, folder: Path) -> Iterator[str]:
    spans = INLINE.findall(prose(text)) + [body for _, body in fenced(text)]
    for span in spans:
        for path in PATH.findall(span):
            path = path.rstrip(".,")
            if re.search(re.escape(path) + r":\d", span):
                yield f"{path}: a line number (it moves with every edit; name the function instead)"
            if path.startswith("rnnbench/"):
                yield f"{path}: the checkout has no rnnbench/ folder (the package is bench/, reports/, suites/)"
            elif not any(ROOT.glob(path)):
                yield f"{path}: no such file in the repository"
    for target in LINK.findall(prose(text)):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        if not (folder / target.split("#")[0]).exists():
            yield f"link {target}: no such file"
    for name in sorted(set(DOTTED.findall(text))):
        if not importable(name) and not entry_points(group=name):
            yield f"{name}: does not import (nor is it an installed entry-point group)"
    for script in SCRIPT.findall(text):
        yield f"{script}: run a module as `python -m rnnbench.…`, one spelling everywhere"
    for match in FOLDER_IMPORT.findall(text):
        yield f"{match!r}: a checkout folder is not an import name (write rnnbench.…)"
    for line in command_lines(text):
        for words in segments(line):
            yield from check_command(words)
    for name in suite_names(text):
        if (
            not name.endswith(".toml")
            and not PLACEHOLDER.match(name)
            and name not in suites.names()
        ):
            yield f"suite {name!r}: not a shipped suite ({', '.join(suites.names())})"
    for marker in reference.MARKER.findall(text):
        if marker not in reference.PARTS:
            yield f"<!-- rnnbench:{marker} -->: no such generated part"


@functools.cache
def importable(dotted: str) -> bool:
    """`dotted` is a module, or an attribute of the longest module prefix that imports."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attribute in parts[cut:]:
                target = getattr(target, attribute)
        except AttributeError:
            return False
        return True
    return False
