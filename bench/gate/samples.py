"""The gate's view of stored records: a case's pooled samples on one machine, and its counts.

`rnnbench.gate.compare` pools ok records into these (the baseline's and the current run's) and
compares them case by case; they never leave the gate.
"""

from __future__ import annotations

from typing import Final, TypedDict

TIMES: Final = "times_s"
COUNTS: Final = "instruction_counts"


class Samples(TypedDict):
    """One case on one machine: `status` (ok if any record is ok), the ok records' round times
    pooled (`times_s`) and per run (`runs`), the first `reason` given, the `code_hash`es seen, and the
    cell source hashes seen (`cell_hash`, from `record.cell_code`)."""

    status: str
    times_s: list[float]
    runs: list[list[float]]
    reason: str
    code_hash: set[str]
    cell_hash: set[str]


class CountsSamples(TypedDict):
    """One case's instruction counts (`--counts` runs): `status`, `reason`, the ok repeats' counts
    pooled (`instruction_counts`), and the last ok record's `functions`."""

    status: str
    reason: str
    instruction_counts: list[int]
    functions: dict[str, int]


CaseSamples = dict[str, dict[str, Samples]]  # case id -> machine fingerprint -> samples
CaseCounts = dict[str, CountsSamples]  # case id -> counts samples
