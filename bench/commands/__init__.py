"""The `rnnbench` subcommands; add a module here and list it in MODULES."""

from bench.commands import cases, report, show

MODULES = (cases, report, show)
