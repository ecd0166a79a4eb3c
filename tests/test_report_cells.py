"""The verdict for N cells: ratios to a reference cell, the fastest cell per shape, where it flips."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from report_data import frame_of

from conftest import run_bench, tiny_suite_toml
from rnnbench import cli
from rnnbench.errors import EXIT_USAGE, UserError
from rnnbench.reports.cells_verdict import cells_verdict, line_texts, pick_reference
from rnnbench.reports.paper_claims import claim_sentences, minrnn_table

# seconds per cell at seq_len 64, 256, 1024: LSTM is fastest at 64, minGRU beyond, GRU never
TIMES = {
    "lstm": (1.0, 2.0, 8.0),
    "gru": (2.0, 4.0, 16.0),
    "mingru": (1.5, 1.5, 2.0),
    "minlstm": (1.6, 2.1, 2.2),
}
LENGTHS = (64, 256, 1024)


def timed(
    times: dict[str, tuple[float, ...]] = TIMES, phase: str = "forward_backward"
) -> pd.DataFrame:
    rows = [
        {"cell": cell, "seq_len": t, "phase": phase, "median_s": s}
        for cell, seconds in times.items()
        for t, s in zip(LENGTHS, seconds)
    ]
    frame = frame_of(rows)
    frame["times_s"] = [[m * 0.99, m, m * 1.01] for m in frame["median_s"]]
    frame["noisy"] = False
    return frame


def test_each_cell_is_timed_against_the_reference_with_a_ci() -> None:
    found = cells_verdict(timed())
    assert (
        found is not None
        and found.reference == "lstm"
        and found.cells == ["lstm", "gru", "mingru", "minlstm"]
    )
    shapes = found.shapes.set_index(["cell", "seq_len"])
    for cell, seconds in TIMES.items():
        for t, s in zip(LENGTHS, seconds):
            if cell != "lstm":
                row = shapes.loc[(cell, t)]
                assert row["ratio"] == pytest.approx(s / TIMES["lstm"][LENGTHS.index(t)])
                assert row["ci_low"] <= row["ratio"] <= row["ci_high"]
    lines = found.lines.set_index("cell")
    assert (
        lines.loc["gru", "median_ratio"] == pytest.approx(2.0) and lines.loc["gru", "slower"] == 3
    )
    assert (
        lines.loc["mingru", "faster"],
        lines.loc["mingru", "slower"],
        lines.loc["mingru", "ties"],
    ) == (2, 1, 0)
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
    with pytest.raises(
        UserError, match=r"^--reference: no timed records of cell 'rnn' \(cells: lstm, gru, mingru"
    ):
        cells_verdict(timed(), reference="rnn")


def test_line_texts_name_the_faster_side_and_fewer_than_two_cells_give_no_verdict() -> None:
    found = cells_verdict(timed())
    assert found is not None
    texts = {line["cell"]: line for line in line_texts(found)}
    assert texts["gru"]["faster"] == "lstm" and texts["gru"]["ratio"].startswith("2×")
    assert texts["mingru"]["counts"] == "2 / 1 / 0 of 3"
    assert cells_verdict(timed({"lstm": TIMES["lstm"]})) is None


@pytest.fixture(scope="module")
def three_cells(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real profiled run of LSTM, GRU and minGRU (the entry-point cell) at two tiny lengths."""
    work = tmp_path_factory.mktemp("three-cells")
    suite = tiny_suite_toml(
        cell=["lstm", "gru", "mingru"],
        seq_len=[2, 6],
        device="cpu",
        phases=["forward_backward", "inference"],
    )
    return run_bench(suite, work, "--profile", str(work / "profiles"), "--threads", "1")


@pytest.mark.slow  # a real `pytest bench --profile` run in a subprocess
def test_the_report_puts_every_cell_in_its_verdict(three_cells: Path, tmp_path: Path) -> None:
    assert (
        cli.main(["report", str(three_cells), "-o", str(tmp_path), "--quiet", "--reference", "gru"])
        == 0
    )
    page = (tmp_path / "report.html").read_text()
    assert "Every cell against gru" in page and (tmp_path / "plots" / "cells_ratio.png").exists()
    lines = pd.read_csv(tmp_path / "tables" / "cells_verdict.csv")
    assert set(lines["cell"]) == {"lstm", "mingru"} and set(lines["phase"]) == {
        "forward_backward",
        "inference",
    }
    best = pd.read_csv(tmp_path / "tables" / "cells_fastest.csv")
    assert len(best) == 4 and (best["contenders"] == 3).all()  # 2 lengths x 2 phases, 3 cells each
    for cell in ("lstm", "gru", "mingru"):
        for phase in ("forward+backward", "inference"):
            assert re.search(
                rf"<li>{cell}, {re.escape(phase)} \(b2 t6 h5\): top op .+?, \d+% of self time, "
                rf"\d+ calls? per round; \d+ op calls per round",
                page,
            ), (cell, phase)


@pytest.mark.slow  # a real `pytest bench --profile` run in a subprocess
def test_an_unknown_reference_stops_the_report_with_exit_4(
    three_cells: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        cli.main(
            ["report", str(three_cells), "-o", str(tmp_path / "out"), "--reference", "minlstm"]
        )
        == EXIT_USAGE
    )
    err = capsys.readouterr().err
    assert (
        err.count("\n") == 1
        and "--reference" in err
        and "minlstm" in err
        and "Traceback" not in err
    )
    assert not (tmp_path / "out" / "report.html").exists()


def test_minimal_cells_beside_their_traditional_cells_and_the_paper() -> None:
    rows = [
        {
            "cell": cell,
            "seq_len": t,
            "phase": phase,
            "median_s": s * (1 if phase == "inference" else 3),
            "peak_bytes": float(s * 100),
        }
        for phase in ("forward_backward", "inference")
        for cell, times in {"gru": (4.0, 40.0), "mingru": (2.0, 4.0), "lstm": (1.0, 8.0)}.items()
        for t, s in zip((64, 512), times)
    ]
    table = minrnn_table(frame_of(rows)).set_index(["cell", "phase", "seq_len"])
    assert set(table.index.get_level_values("cell")) == {
        "mingru"
    }  # no minlstm timed: no row for it
    assert table.loc[("mingru", "forward_backward", 512), "speedup"] == pytest.approx(10.0)
    assert table.loc[("mingru", "forward_backward", 64), "memory_ratio"] == pytest.approx(0.5)
    assert table.loc[("mingru", "forward_backward", 512), "paper_speedup"] == "175× (abstract)"
    assert pd.isna(table.loc[("mingru", "inference", 512), "memory_ratio"])
    (training, inference) = claim_sentences(table.reset_index())
    assert training == (
        "mingru vs gru, forward+backward (cpu): speed-up 2× at t64, 10× at t512 (paper: 175× "
        "(abstract)); memory (peak_bytes) 0.1–0.5× gru's (paper: ≈1.88× (88% more))."
    )
    assert inference.startswith("mingru vs gru, inference (cpu): speed-up 2× at t64, 10× at t512.")
