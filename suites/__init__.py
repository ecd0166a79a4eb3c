"""The shipped suite files (package data: `rnnbench.suites`); `rnnbench.cases.suite` loads them."""
