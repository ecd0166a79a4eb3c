"""The `rnnbench` subcommands; add a module here and list it in MODULES."""

from rnnbench.commands import ab, baseline, bisect, cases, compare, gather, history, report, run, show

MODULES = (run, gather, cases, show, report, compare, baseline, history, ab, bisect)
