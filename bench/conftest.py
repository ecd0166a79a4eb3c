"""Short option names (`--suite`, `--device`, `--results`, ...) where the benchmarks are collected.

The installed plugin registers only `--rnnbench-*` names, so it cannot clash with another
project's options. This file sits beside `bench_rnn.py`, so `pytest bench` in the checkout and
`rnnbench run` (which runs the installed copy) both load it and accept the short names.
"""

import pytest

from rnnbench.plugin import add_options


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser, short=True)
