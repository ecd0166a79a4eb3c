"""The `rnnbench` subcommands; add a module here and list it in MODULES."""

from bench.commands import baseline, cases, compare, history, report, show

MODULES = (cases, show, report, compare, baseline, history)
