"""The "cell state" claim, judged from the state tensors each record read off its module's output.

Records carry `state_tensors` (how many tensors nn.LSTM / nn.GRU return as their state: LSTM
(h, c), GRU h), `state_shapes` and `state_bytes_per_seq` (their bytes for one sequence: what a
streaming server keeps per user between requests).
"""

from __future__ import annotations

import pandas as pd

from rnnbench.reports.units import format_bytes

NOT_MEASURED = "not measured"


def state_row(ok: pd.DataFrame, byte_pairs: pd.DataFrame) -> tuple[str, str]:
    """(measured, verdict) of "LSTM keeps a separate cell state; GRU exposes its hidden state only".

    `byte_pairs` is `reports.claims.pairs(ok, "state_bytes_per_seq")` (GRU / LSTM per shape).
    """
    if "state_tensors" not in ok or ok["state_tensors"].isna().all():
        return f"{NOT_MEASURED} (records hold no state shapes)", NOT_MEASURED
    rows = ok[ok["state_tensors"].notna()]
    counts = {
        cell: sorted({int(n) for n in rows.loc[rows["cell"] == cell, "state_tensors"]})
        for cell in ("lstm", "gru")
    }
    per_cell = "; ".join(
        f"{cell.upper()} {'/'.join(map(str, n))} tensor{'s' if n != [1] else ''} "
        f"({format_range(rows.loc[rows['cell'] == cell, 'state_bytes_per_seq'])} per sequence)"
        for cell, n in counts.items()
        if n
    )
    measured = f"state returned by the module, per sequence: {per_cell}"
    if not byte_pairs.empty:
        low, high = byte_pairs["ratio"].min(), byte_pairs["ratio"].max()
        span = f"{low:.3g}×" if f"{low:.3g}" == f"{high:.3g}" else f"{low:.3g}–{high:.3g}×"
        measured += (
            f"; GRU state bytes = {span} LSTM's at the same shape ({len(byte_pairs)} shapes)"
        )
    if not counts["lstm"] or not counts["gru"]:
        return measured, NOT_MEASURED
    return measured, "confirmed" if counts == {"lstm": [2], "gru": [1]} else "refuted"


def same_size(ok: pd.DataFrame) -> pd.DataFrame:
    """Records whose cells ran at the case's hidden size (not GRU raised to LSTM's parameter count)."""
    return ok[ok["match"] != "params"] if "match" in ok else ok


def format_range(values: pd.Series) -> str:
    """`256 B` or `256 B–4 KiB`."""
    low, high = (format_bytes(float(v)) for v in (values.min(), values.max()))
    return low if low == high else f"{low}–{high}"
