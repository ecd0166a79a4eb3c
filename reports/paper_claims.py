"""minGRU / minLSTM against their paper's claims ("Were RNNs All We Needed?", Feng et al., 2024).

Each minimal cell is paired with its traditional cell (minGRU with nn.GRU, minLSTM with nn.LSTM)
on the same shape, device and phase: `speedup` = traditional median / minimal median, and, for
a training step, `memory_ratio` = minimal peak bytes / traditional peak bytes (saved-for-backward
bytes where peak bytes were not measured). The paper's own figures stand beside them where it
quotes one for that length: measured on a T4 GPU at batch 64 with cuDNN's GRU/LSTM, they are not
this machine's, and the table says so.
"""

from __future__ import annotations

import pandas as pd

from rnnbench.reports.inputs import KEY

PAIRS = {"mingru": "gru", "minlstm": "lstm"}
TRAINING = "forward_backward"
# (cell, seq_len) -> the paper's training speed-up over the traditional cell (T4 GPU, batch 64).
# 175x: the abstract (v1/v2: "175x faster for a sequence of length 512"); 1324x / 1361x at 4096:
# the runtime comparison as its summaries quote it.
PAPER_SPEEDUP = {
    ("mingru", 512): "175× (abstract)",
    ("minlstm", 512): "175× (abstract)",
    ("mingru", 4096): "1324×",
    ("minlstm", 4096): "1361×",
}
PAPER_MEMORY = "≈1.88× (88% more)"
COLUMNS = [
    *KEY,
    "phase",
    "cell",
    "baseline",
    "median_s",
    "baseline_median_s",
    "speedup",
    "memory_measure",
    "memory_ratio",
    "paper_speedup",
    "paper_memory",
]


def memory_measure(both: pd.DataFrame) -> str | None:
    """`peak_bytes` when both sides have it, else `saved_bytes`, else None."""
    for measure in ("peak_bytes", "saved_bytes"):
        if measure in both and both[[measure, f"{measure}_base"]].notna().all(axis=None):
            return measure
    return None


def minrnn_table(ok: pd.DataFrame) -> pd.DataFrame:
    """One row per minimal cell, shape, device and phase that has its traditional cell timed beside it."""
    rows = ok.drop_duplicates([*KEY, "phase", "cell"], keep="last").set_index([*KEY, "phase"])
    values = [c for c in ("median_s", "peak_bytes", "saved_bytes") if c in rows]
    parts = []
    for cell, baseline in PAIRS.items():
        mine, base = rows[rows["cell"] == cell][values], rows[rows["cell"] == baseline][values]
        both = mine.join(base.add_suffix("_base"), how="inner")
        if both.empty:
            continue
        table = pd.DataFrame(
            {
                "cell": cell,
                "baseline": baseline,
                "median_s": both["median_s"],
                "baseline_median_s": both["median_s_base"],
                "speedup": both["median_s_base"] / both["median_s"],
            },
            index=both.index,
        )
        training = both.index.get_level_values("phase") == TRAINING
        measure = memory_measure(both[training])
        table["memory_measure"] = measure if measure else None
        table["memory_ratio"] = (
            (both[measure] / both[f"{measure}_base"]).where(training) if measure else float("nan")
        )
        table = table.reset_index()
        table["paper_speedup"] = [
            PAPER_SPEEDUP.get((cell, t), "") if phase == TRAINING else ""
            for t, phase in zip(table["seq_len"], table["phase"])
        ]
        table["paper_memory"] = [
            PAPER_MEMORY if phase == TRAINING else "" for phase in table["phase"]
        ]
        parts.append(table)
    return pd.concat(parts, ignore_index=True)[COLUMNS] if parts else pd.DataFrame(columns=COLUMNS)


def claim_sentences(table: pd.DataFrame) -> list[str]:
    """Per minimal cell, device and phase: its speed-up over the traditional cell at each length,
    the memory ratio of a training step, and the paper's figure where it quotes one."""
    sentences = []
    for (cell, device, phase), rows in table.groupby(["cell", "device_label", "phase"], sort=False):
        rows = rows.sort_values("seq_len")
        speed = ", ".join(
            f"{s:.3g}× at t{t}" + (f" (paper: {p})" if p else "")
            for s, t, p in zip(rows["speedup"], rows["seq_len"], rows["paper_speedup"])
        )
        memory = rows["memory_ratio"].dropna()
        low, high = f"{memory.min():.3g}", f"{memory.max():.3g}"
        mem = (
            (
                f"; memory ({rows['memory_measure'].dropna().iloc[0]}) {low if low == high else f'{low}–{high}'}× "
                f"{rows['baseline'].iloc[0]}'s (paper: {PAPER_MEMORY})"
            )
            if not memory.empty
            else ""
        )
        sentences.append(
            f"{cell} vs {rows['baseline'].iloc[0]}, {str(phase).replace('_', '+')} ({device}): "
            f"speed-up {speed}{mem}."
        )
    return sentences
