"""mkdocs hook: fill each page's `<!-- rnnbench:NAME -->` markers with parts generated from the code."""

from typing import Any

from rnnbench import reference


def on_page_markdown(markdown: str, **_: Any) -> str:
    return reference.expand(markdown)
