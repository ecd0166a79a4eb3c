"""The checkout's root: rnnbench must be installed (its pytest plugin is an entry point)."""

import importlib.util

import pytest

if importlib.util.find_spec("rnnbench") is None:
    raise pytest.UsageError(
        "rnnbench is not installed here: run `pip install -e .` (or use `tox -e tests`)"
    )
