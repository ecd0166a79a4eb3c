"""Plain `rnnbench compare` of one run per side: drift between runs is inconclusive, a real slowdown fails."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from gate_docs import document, record, times, write

from rnnbench.cli import main
from rnnbench.gate import compare, significance, single_run
from rnnbench.results import history

IDS = tuple(f"lstm-{n}-forward" for n in range(8))
DRIFT = (-0.04, -0.02, 0.0, 0.02, 0.04, -0.03, 0.03)  # log drift of seven cases between two runs
OUTLIER = 0.11  # the eighth case drifted further: beyond a 5% threshold, within what one run per side resolves
DOCTORED = 0.20


def run(drifts: tuple[float, ...], run_id: str, scale: float = 1.0) -> dict:
    """One run: case n's rounds tight (1% spread) around 1 ms x exp(drift n) x scale."""
    return document(
        [
            record(i, times(1e-3 * scale * math.exp(d), seed=n, spread=0.01))
            for n, (i, d) in enumerate(zip(IDS, drifts))
        ],
        run_id=run_id,
    )


def test_drift_beyond_the_threshold_is_inconclusive_not_a_regression(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    base, now = (
        write(tmp_path / "a.json", run((0.0,) * 8, "a")),
        write(tmp_path / "b.json", run((*DRIFT, OUTLIER), "b")),
    )
    raw = compare.compare([run((0.0,) * 8, "a")], [run((*DRIFT, OUTLIER), "b")])
    assert [row.mark for row in raw.rows].count(
        "regression"
    ) == 1  # what compare said before: FAIL on drift
    assert main(["compare", str(base), str(now)]) == 0
    out = capsys.readouterr().out
    assert "inconclusive" in out and "PASS" in out and "rnnbench ab BASE HEAD" in out
    judged = single_run.judge(raw, significance.DEFAULT_ALPHA, 0.5)
    outlier = judged.rows[-1]
    assert outlier.mark == single_run.INCONCLUSIVE and outlier.verdict.method == significance.SINGLE
    assert "resolvable change" in outlier.note and "spread of 8 cases' ratios" in outlier.note


def test_a_doctored_twenty_percent_slowdown_still_fails(tmp_path: Path) -> None:
    base = write(tmp_path / "a.json", run((0.0,) * 8, "a"))
    doctored = write(tmp_path / "b.json", run((*DRIFT, OUTLIER), "b", scale=1 + DOCTORED))
    assert main(["compare", str(base), str(doctored)]) == 1


def test_too_few_cases_and_no_history_resolve_nothing() -> None:
    raw = compare.compare([run((0.0,) * 2, "a")], [run((0.0, 0.3), "b")])
    judged = single_run.judge(raw, significance.DEFAULT_ALPHA, 0.5)
    assert judged.rows[1].mark == single_run.INCONCLUSIVE and "unknown" in judged.rows[1].note


def test_history_spread_sets_the_resolvable_change(tmp_path: Path) -> None:
    """A steady machine's history (runs within +-1%) resolves a 10% change that the cases' spread cannot."""
    db = tmp_path / "history.db"
    for n, shift in enumerate((0.0, 0.01, -0.01, 0.005)):
        history.append(db, [run((shift,) * 8, f"h{n}")])
    drifts = (*DRIFT, 0.10)
    current = run(drifts, "now")
    raw = compare.compare([run((0.0,) * 8, "a")], [current])
    by_cases = single_run.judge(raw, significance.DEFAULT_ALPHA, 0.5)
    runs = history.last_runs(db, current["env"]["fingerprint"], 5)
    by_history = single_run.judge(raw, significance.DEFAULT_ALPHA, 0.5, runs)
    assert by_cases.rows[-1].mark == single_run.INCONCLUSIVE
    assert (
        by_history.rows[-1].mark == "regression" and "history: 4 runs" in by_history.rows[-1].note
    )
    base, now = (
        write(tmp_path / "a.json", run((0.0,) * 8, "a")),
        write(tmp_path / "b.json", current),
    )
    assert main(["compare", str(base), str(now)]) == 0
    assert main(["compare", str(base), str(now), "--drift-from", str(db)]) == 1
    sd = float(np.log([1.0, 1.01, 0.99, 1.005]).std(ddof=1))
    assert single_run.resolvable(sd * math.sqrt(2), 3.0) < math.expm1(0.10)
