"""The `rnnbench` subcommands; add a module here and list it in MODULES."""

from bench.commands import baseline, cases, compare, history, show

MODULES = (cases, show, compare, baseline, history)
