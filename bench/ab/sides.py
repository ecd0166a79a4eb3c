"""One side of an A/B: which code, which interpreter, and the environment its child process runs in.

The child must import *that side's* rnnbench. An rnnbench checkout maps `bench/` -> `rnnbench`,
`reports/` -> `rnnbench.reports`, `suites/` -> `rnnbench.suites` (setup.py's FOLDERS), so a plain
PYTHONPATH entry cannot make it importable. Instead each side gets a scratch folder `site/` whose
`rnnbench/` holds symbolic links into the side's folders, first on PYTHONPATH: the child, and any
process it starts (the callgrind worker of `--metric instructions`), import the side's code. A
checkout of another project (a user's repository with its own cells) runs the installed rnnbench,
linked the same way, so a second interpreter (`--python-base/--python-head`) needs no install of it.
Linking costs a few system calls (no build, no copy), measured in docs/ab-bisect.md.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from rnnbench.errors import UserError

FOLDERS = {
    "rnnbench": "bench",
    "rnnbench.reports": "reports",
    "rnnbench.suites": "suites",
}  # as setup.py


@dataclass(frozen=True)
class Side:
    """`base` or `head`: a revision (None: the files as they are) run by an interpreter."""

    name: str
    revision: str | None
    python: str = sys.executable
    commit: str | None = None

    @property
    def label(self) -> str:
        """What the user asked for: the revision, and the interpreter when it is not this one."""
        parts = [self.revision or "working tree"] + (
            [self.python] if self.python != sys.executable else []
        )
        return " with ".join(parts)


def is_rnnbench_checkout(root: Path) -> bool:
    """True for a checkout of rnnbench itself (its pyproject names the project `rnnbench`)."""
    try:
        project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8")).get(
            "project", {}
        )
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return (
        project.get("name") == "rnnbench" and (root / FOLDERS["rnnbench"] / "__init__.py").is_file()
    )


def installed_folders() -> dict[str, Path]:
    """Where this process's rnnbench packages live (an editable checkout or site-packages)."""
    folders = {}
    for name in FOLDERS:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin is not None
        folders[name] = Path(spec.origin).parent
    return folders


def code_folders(root: Path) -> dict[str, Path]:
    """The package folders a side imports: the checkout's own if it is rnnbench, else the installed ones."""
    if is_rnnbench_checkout(root):
        return {name: root / folder for name, folder in FOLDERS.items()}
    return installed_folders()


def link_packages(folders: dict[str, Path], site: Path) -> Path:
    """Make `site/rnnbench` import as the packages in `folders` (links, nothing copied); returns `site`."""
    package = site / "rnnbench"
    package.mkdir(parents=True)
    subpackages = {
        name.rpartition(".")[2]: path for name, path in folders.items() if name != "rnnbench"
    }
    for entry in folders["rnnbench"].iterdir():
        if entry.name != "__pycache__" and entry.name not in subpackages:
            (package / entry.name).symlink_to(entry.resolve())
    for name, path in subpackages.items():
        (package / name).symlink_to(path.resolve())
    return site


def child_environment(root: Path, scratch: Path) -> dict[str, str]:
    """The environment of a side's child: its rnnbench, then its checkout (user modules), first on the path."""
    site = link_packages(code_folders(root), scratch / "site")
    paths = [site, root, *([root / "src"] if (root / "src").is_dir() else [])]
    inherited = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return {**os.environ, "PYTHONPATH": os.pathsep.join([*map(str, paths), *inherited])}


def check_python(path: str, option: str) -> str:
    """An interpreter given on the command line must be an executable file."""
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        raise UserError(f"{option}: not an executable interpreter: {path}")
    return path
