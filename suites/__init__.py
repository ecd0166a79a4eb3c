"""The shipped suite files (package data: `rnnbench.suites`); `rnnbench.cases.suite` loads them."""

from importlib import resources
from pathlib import Path

DIR = Path(str(resources.files(__name__)))


def names() -> list[str]:
    """The shipped suites' names (their file names without `.toml`), sorted."""
    return sorted(path.stem for path in DIR.glob("*.toml"))
