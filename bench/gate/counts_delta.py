"""What got slower: the functions whose inclusive instruction counts changed most between two counted runs.

Inputs are a record's `counts.functions` (inclusive counts per function, those above 0.5% of the
case's total; see rnnbench.measurement.callgrind.inclusive). A function under that cutoff on one side counts as 0
there, so a delta smaller than 0.5% of the total is not to be trusted. Reports call `delta` too.
"""

from __future__ import annotations

import pandas as pd

TOP = 5
PYTHON_FUNCTION = (
    r".* \(\S+\.py\)$"  # a user cell's Python function (rnnbench.measurement.python_counts)
)


def delta(baseline: dict[str, int], current: dict[str, int], top: int = TOP) -> pd.DataFrame:
    """The `top` functions by growth of inclusive instructions: function, baseline, current, delta, ratio;
    after every Python function of a user cell's file that grew (`Qualname (file.py)`), which come first:
    the C functions that grow with them are the interpreter frames that hold everything."""
    names = list(dict.fromkeys([*current, *baseline]))
    frame = pd.DataFrame(
        {
            "function": names,
            "baseline": [baseline.get(name, 0) for name in names],
            "current": [current.get(name, 0) for name in names],
        }
    )
    frame["delta"] = frame["current"] - frame["baseline"]
    frame["ratio"] = frame["current"] / frame["baseline"].where(frame["baseline"] > 0)
    frame = frame.sort_values("delta", ascending=False, kind="stable")
    python = frame["function"].str.match(PYTHON_FUNCTION) & (frame["delta"] > 0)
    return pd.concat([frame[python], frame[~python].head(top)]).reset_index(drop=True)


def lines(
    case_id: str, baseline: dict[str, int], current: dict[str, int], top: int = TOP
) -> list[str]:
    """The delta as text under the gate's table (nothing when either side has no functions)."""
    if not baseline or not current:
        return []
    frame = delta(baseline, current, top)
    out = [f"what grew in {case_id} (inclusive instructions per round, baseline -> current):"]
    for grew, before, after, function in zip(
        frame["delta"], frame["baseline"], frame["current"], frame["function"]
    ):
        out.append(f"  {grew:+12,d}  {before:>12,d} -> {after:>12,d}  {function[:110]}")
    return out
