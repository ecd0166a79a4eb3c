"""The README and the docs pages against the code: every path, import, option and suite they name
exists, the checks catch a deliberate mistake of each kind, the generated parts cover the code,
and every Python example runs (on tiny shapes, in a folder holding one tiny run)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from docs_check import ROOT, pages, problems, python_examples

from rnnbench import reference
from rnnbench.cases.case import Case
from rnnbench.plugin import OPTIONS

README_MAX_LINES = 250
BROKEN = """
See `bench/timing.py`, `bench/plugin.py:164`, `python bench/experiments/gate_power.py` and [the guide](docs/nowhere.md); the schema is `rnnbench/results/schema.py`.
```python
from bench import store
import rnnbench.measure.timing
```
Run `rnnbench report results --no-such-option`, then `rnnbench cases --list`.
```bash
pytest bench --suite smokey --no-such-flag
rnnbench frobnicate results/
tox -e nosuchenv
```
The `huge` suite.
<!-- rnnbench:nosuchpart -->
"""


@pytest.mark.parametrize("page", pages(), ids=lambda path: str(path.relative_to(ROOT)))
def test_page_matches_the_code(page: Path) -> None:
    assert problems(page.read_text(), page) == []


def test_checks_catch_each_kind_of_drift() -> None:
    found = "\n".join(problems(BROKEN, ROOT / "README.md"))
    for expected in (
        "bench/timing.py: no such file",
        "link docs/nowhere.md",
        "rnnbench/results/schema.py: the checkout",
        "'from bench import': a checkout folder",
        "rnnbench.measure.timing: does not import",
        "rnnbench report --no-such-option: no such option",
        "rnnbench cases --list: no such option",
        "pytest bench --no-such-flag",
        "suite 'smokey'",
        "rnnbench frobnicate: no such subcommand",
        "tox -e nosuchenv",
        "suite 'huge'",
        "rnnbench:nosuchpart",
        "bench/plugin.py: a line number",
        "python bench/experiments/gate_power.py: run a module",
    ):
        assert expected in found, expected


def test_checks_pass_real_names() -> None:
    good = (
        "`bench/measurement/timing.py`, `rnnbench.results.store.load_frame`, `rnnbench compare a b --threshold 5%`,\n"
        "`pytest bench --suite sweep --benchmark-json out.json`, `rnnbench run --suite smoke -k lstm --shard 1/2`"
    )
    assert problems(good, ROOT / "README.md") == []


def test_readme_is_a_front_page() -> None:
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) <= README_MAX_LINES
    assert "tox -e sweep" in text and "tox -e tests" in text  # the two set-up commands
    assert "docs/report-screenshot.png" in text


def test_generated_parts_cover_the_code() -> None:
    axes = reference.axes()
    assert all(f"| `{field.name}` |" in axes for field in dataclasses.fields(Case))
    options = reference.pytest_options()
    assert all(f"`--rnnbench-{name}`" in options for _, name, _ in OPTIONS)
    commands = reference.command_help()
    assert all(
        f"### `rnnbench {name}`" in commands
        for name in ("run", "report", "compare", "baseline save", "history list")
    )
    assert "<!-- rnnbench:" not in reference.expand("<!-- rnnbench:suites -->")


EXAMPLES = [
    (page, index) for page in pages() for index, _ in enumerate(python_examples(page.read_text()))
]


@pytest.mark.parametrize(
    "page, index", EXAMPLES, ids=[f"{page.name}-{index}" for page, index in EXAMPLES]
)
def test_python_example_runs(
    page: Path, index: int, tiny_results: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(tiny_results, tmp_path / "results")
    monkeypatch.chdir(tmp_path)
    source = python_examples(page.read_text())[index]
    exec(
        compile(source, f"{page.name}: python example {index + 1}", "exec"),
        {"__name__": "__docs__", "__file__": str(tmp_path / "example.py")},
    )
