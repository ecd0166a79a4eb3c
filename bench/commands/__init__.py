"""The `rnnbench` subcommands; add a module here and list it in MODULES."""

from rnnbench.commands import baseline, cases, compare, history, report, run, show

MODULES = (run, cases, show, report, compare, baseline, history)
