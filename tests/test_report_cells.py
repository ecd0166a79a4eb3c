"""The verdict for N cells: ratios to a reference cell, the fastest cell per shape, where it flips."""

from __future__ import annotations

import pandas as pd
import pytest
from report_data import frame_of

from rnnbench.errors import UserError
from rnnbench.reports.cells_verdict import cells_verdict, line_texts, pick_reference

# seconds per cell at seq_len 64, 256, 1024: LSTM is fastest at 64, minGRU beyond, GRU never
TIMES = {"lstm": (1.0, 2.0, 8.0), "gru": (2.0, 4.0, 16.0), "mingru": (1.5, 1.5, 2.0), "minlstm": (1.6, 2.1, 2.2)}
LENGTHS = (64, 256, 1024)


def timed(times: dict[str, tuple[float, ...]] = TIMES, phase: str = "forward_backward") -> pd.DataFrame:
    rows = [{"cell": cell, "seq_len": t, "phase": phase, "median_s": s}
            for cell, seconds in times.items() for t, s in zip(LENGTHS, seconds)]  # fmt: skip
    frame = frame_of(rows)
    frame["times_s"] = [[m * 0.99, m, m * 1.01] for m in frame["median_s"]]
    frame["noisy"] = False
    return frame


def test_each_cell_is_timed_against_the_reference_with_a_ci() -> None:
    found = cells_verdict(timed())
    assert found is not None and found.reference == "lstm" and found.cells == ["lstm", "gru", "mingru", "minlstm"]
    shapes = found.shapes.set_index(["cell", "seq_len"])
    for cell, seconds in TIMES.items():
        for t, s in zip(LENGTHS, seconds):
            if cell != "lstm":
                row = shapes.loc[(cell, t)]
                assert row["ratio"] == pytest.approx(s / TIMES["lstm"][LENGTHS.index(t)])
                assert row["ci_low"] <= row["ratio"] <= row["ci_high"]
    lines = found.lines.set_index("cell")
    assert lines.loc["gru", "median_ratio"] == pytest.approx(2.0) and lines.loc["gru", "slower"] == 3
    assert (lines.loc["mingru", "faster"], lines.loc["mingru", "slower"], lines.loc["mingru", "ties"]) == (2, 1, 0)
    assert lines.loc["mingru", "crossovers"] == "seq_len 64→256"  # where minGRU overtakes LSTM
    assert lines.loc["gru", "crossovers"] == "none"


def test_fastest_cell_per_shape_and_where_the_winner_flips() -> None:
    found = cells_verdict(timed())
    assert found is not None
    best = found.winners.set_index("seq_len")
    assert best["fastest"].to_dict() == {64: "lstm", 256: "mingru", 1024: "mingru"}
    assert best.loc[1024, "runner_up"] == "minlstm" and best.loc[1024, "lead"] == pytest.approx(1.1)
    assert (best["contenders"] == 4).all()
    flips = found.flips.iloc[0]
    assert flips["wins"] == "mingru 2, lstm 1" and flips["winner_flips"] == "seq_len 64→256"


def test_another_reference_and_the_default_without_lstm() -> None:
    found = cells_verdict(timed(), reference="mingru")
    assert found is not None and found.reference == "mingru"
    assert set(found.shapes["cell"]) == {"lstm", "gru", "minlstm"}
    lstm = found.lines.set_index("cell").loc["lstm"]
    assert lstm["median_ratio"] == pytest.approx(2 / 1.5) and lstm["crossovers"] == "seq_len 64→256"
    without = cells_verdict(timed({k: v for k, v in TIMES.items() if k != "lstm"}))
    assert without is not None and without.reference == "gru"
    assert pick_reference(["mingru", "minlstm"], None) == "mingru"


def test_an_unknown_reference_is_one_line_naming_the_option() -> None:
    with pytest.raises(UserError, match=r"^--reference: no timed records of cell 'rnn' \(cells: lstm, gru, mingru"):
        cells_verdict(timed(), reference="rnn")


def test_line_texts_name_the_faster_side_and_fewer_than_two_cells_give_no_verdict() -> None:
    found = cells_verdict(timed())
    assert found is not None
    texts = {line["cell"]: line for line in line_texts(found)}
    assert texts["gru"]["faster"] == "lstm" and texts["gru"]["ratio"].startswith("2×")
    assert texts["mingru"]["counts"] == "2 / 1 / 0 of 3"
    assert cells_verdict(timed({"lstm": TIMES["lstm"]})) is None
