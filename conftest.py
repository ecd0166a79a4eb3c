"""Registers the rnnbench pytest plugin for `pytest bench` (and the tests that exercise it)."""

pytest_plugins = ("bench.plugin",)
