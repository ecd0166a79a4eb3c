"""The classic "LSTM vs GRU" table, re-measured: the common claim, what the records show, a verdict.

Each row pairs GRU and LSTM on the same shape of the same input (machine and run). A verdict is
`confirmed` when the claim holds on every pair, `refuted` when it holds on none, and
`depends: ...` otherwise, naming the axis (device, batch, hidden size, ...) that splits the pairs
where it holds from those where it fails. A row without data says `not measured`.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from rnnbench.reports.accuracy import accuracy_row
from rnnbench.reports.inputs import KEY
from rnnbench.reports.state_claim import same_size, state_row

NOT_MEASURED = "not measured"
TIE = 0.05  # ratios within ±5% of 1.0 count as a tie: timings on a shared machine are not finer
SPLIT_AXES = (
    "device_label",
    "input",
    "dtype",
    "model",
    "batch",
    "seq_len",
    "input_size",
    "hidden_size",
    "num_layers",
    "bidirectional",
)
CLAIMS = {
    "gates": "LSTM has 3 gates (input, forget, output), GRU 2 (update, reset)",
    "parameters": "GRU has fewer parameters",
    "training speed": "GRU trains faster",
    "inference speed": "GRU runs inference faster",
    "memory usage": "GRU uses less memory",
    "accuracy": "accuracy is comparable",
    "cell state": "LSTM keeps a separate cell state; GRU exposes its hidden state only",
}
COLUMNS = ["aspect", "claim", "measured", "verdict"]


def pairs(ok: pd.DataFrame, value: str, phase: str | None = None) -> pd.DataFrame:
    """GRU and LSTM `value` side by side per shape (and phase), with `ratio` = GRU / LSTM."""
    if value not in ok:
        return pd.DataFrame(columns=[*KEY, "ratio"])
    rows = ok if phase is None else ok[ok["phase"] == phase]
    rows = rows[rows[value].notna()].drop_duplicates([*KEY, "cell"], keep="last")
    wide = rows.pivot(index=list(KEY), columns="cell", values=value)
    if "gru" not in wide.columns or "lstm" not in wide.columns:
        return pd.DataFrame(columns=[*KEY, "ratio"])
    wide = wide.dropna(subset=["gru", "lstm"])
    wide["ratio"] = wide["gru"].astype(float) / wide["lstm"].astype(float)
    return wide.reset_index()


def ratio_range(ratios: pd.Series, what: str) -> str:
    """`GRU time = 0.76–1.4× LSTM's (median 0.9×, 12 shapes)`."""
    low, high, mid = ratios.min(), ratios.max(), ratios.median()
    span = f"{low:.3g}×" if f"{low:.3g}" == f"{high:.3g}" else f"{low:.3g}–{high:.3g}×"
    tail = "on every shape" if span.count("–") == 0 else f"median {mid:.3g}×"
    return (
        f"GRU {what} = {span} LSTM's ({tail}, {len(ratios)} shape{'s' if len(ratios) != 1 else ''})"
    )


def where_it_flips(table: pd.DataFrame, holds: pd.Series, word: str, opposite: str) -> str:
    """Name the first axis whose values separate shapes where the claim holds from the rest."""
    for axis in SPLIT_AXES:
        by_value = holds.groupby(table[axis]).agg(["all", "any"])
        if len(by_value) > 1 and ((by_value["all"]) | (~by_value["any"])).all():
            yes = ", ".join(str(v) for v in by_value.index[by_value["all"]])
            no = ", ".join(str(v) for v in by_value.index[~by_value["any"]])
            return f"{word} at {axis} = {yes}; {opposite} at {axis} = {no}"
    return f"{word} on {int(holds.sum())} of {len(holds)} shapes, no single axis separates them"


def verdict(table: pd.DataFrame, holds: pd.Series, word: str, opposite: str) -> str:
    """confirmed / refuted / depends: where."""
    if holds.all():
        return "confirmed"
    if not holds.any():
        return "refuted"
    return f"depends: {where_it_flips(table, holds, word, opposite)}"


def ratio_row(table: pd.DataFrame, what: str, word: str, opposite: str) -> tuple[str, str]:
    """(measured, verdict) for a claim 'GRU's `what` is below LSTM's' (ties within TIE are not wins)."""
    if table.empty:
        return NOT_MEASURED, NOT_MEASURED
    holds = table["ratio"] < 1 - TIE
    return ratio_range(table["ratio"], what), verdict(table, holds, word, opposite)


def weight_blocks(row: pd.Series) -> float:
    """Gate-sized weight blocks per direction and layer, solved from a layer's parameter count.

    An RNN layer has blocks x hidden x (input + hidden + 2 biases) parameters per direction; the
    blocks are the gates plus the candidate (LSTM: 3 + 1, GRU: 2 + 1).
    """
    directions = 2 if row["bidirectional"] else 1
    h = row["hidden_size"]
    per_block = sum(
        directions * h * ((row["input_size"] if layer == 0 else h * directions) + h + 2)
        for layer in range(row["num_layers"])
    )
    return row["params"] / per_block


def gates_row(ok: pd.DataFrame) -> tuple[str, str]:
    """Gates counted from measured parameter counts of plain RNN layers (no embedding or head)."""
    layers = ok[ok["model"] == "layer"].drop_duplicates([*KEY, "cell"])
    if layers.empty or not {"gru", "lstm"} <= set(layers["cell"]):
        return NOT_MEASURED, NOT_MEASURED
    gates = layers.apply(weight_blocks, axis=1) - 1
    found = {cell: sorted(set(gates[layers["cell"] == cell].round(3))) for cell in ("lstm", "gru")}
    measured = "gates solved from parameter counts (weight blocks − candidate): " + ", ".join(
        f"{cell.upper()} {'/'.join(f'{g:g}' for g in found[cell])}" for cell in ("lstm", "gru")
    )
    return measured, "confirmed" if found == {"lstm": [3.0], "gru": [2.0]} else "refuted"


def memory_row(ok: pd.DataFrame) -> tuple[str, str]:
    """Training memory: judged on the peak bytes of a forward+backward round where measured (the
    saved-for-backward ratio shown beside it), else on the bytes autograd saves for backward."""
    saved = ratio_row(
        pairs(ok, "saved_bytes", "forward_backward"),
        "saved-for-backward bytes",
        "GRU smaller",
        "GRU not smaller",
    )
    peak = pairs(ok, "peak_bytes", "forward_backward")
    if peak.empty:
        return saved
    measured, judged = ratio_row(
        peak, "training-step peak memory", "GRU smaller", "GRU not smaller"
    )
    return (measured if saved[0] == NOT_MEASURED else f"{measured}; {saved[0]}"), judged


ROWS: dict[str, Callable[[pd.DataFrame], tuple[str, str]]] = {
    "gates": gates_row,
    "parameters": lambda ok: ratio_row(pairs(ok, "params"), "params", "fewer", "not fewer"),
    "training speed": lambda ok: ratio_row(
        pairs(ok, "median_s", "forward_backward"),
        "forward+backward time",
        "GRU faster",
        "GRU not faster",
    ),
    "inference speed": lambda ok: ratio_row(
        pairs(ok, "median_s", "inference"), "inference time", "GRU faster", "GRU not faster"
    ),
    "memory usage": memory_row,
    "accuracy": accuracy_row,
    "cell state": lambda ok: state_row(ok, pairs(same_size(ok), "state_bytes_per_seq")),
}


def claims(ok: pd.DataFrame) -> pd.DataFrame:
    """The claim-vs-measured table for the timed records `ok`."""
    rows = []
    for aspect, claim in CLAIMS.items():
        measured, judged = ROWS[aspect](ok)
        rows.append({"aspect": aspect, "claim": claim, "measured": measured, "verdict": judged})
    return pd.DataFrame(rows, columns=COLUMNS)
