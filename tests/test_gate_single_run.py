"""Plain `rnnbench compare` of one run per side: drift between runs is inconclusive, a real slowdown fails."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from gate_docs import document, record, times, write

from rnnbench.cli import main
from rnnbench.gate import compare, paced, significance, single_run
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


def paced_run(speeds: list[float], run_id: str, code: float = 1.0, torch: str = "2.13.0") -> dict:
    """One run whose host ran case n at speed factor speeds[n] (a round and its probe alike); the
    code's own time is 1 ms x `code`, the probe's 0.1 ms."""
    records = []
    for n, (case_id, speed) in enumerate(zip(IDS, speeds)):
        probe = times(1e-4 * speed, seed=100 + n, spread=0.01)
        rec = record(case_id, times(1e-3 * code * speed, seed=n, spread=0.01))
        rec["pace"] = {"probe": "mm-test", "times_s": probe}
        records.append(rec)
    doc = document(records, run_id=run_id)
    doc["env"]["torch"] = torch
    return doc


HOST = [
    1.0,
    1.45,
    0.8,
    1.3,
    0.7,
    1.5,
    1.1,
    0.9,
]  # the host's speed in each case's run: up to 2x apart


def test_pacing_cancels_the_hosts_speed_but_not_the_codes(tmp_path: Path) -> None:
    base = write(tmp_path / "a.json", paced_run([1.0] * 8, "a"))
    drifted = write(tmp_path / "b.json", paced_run(HOST, "b"))
    doctored = write(tmp_path / "c.json", paced_run(HOST, "c", code=1 + DOCTORED))
    assert main(["compare", str(base), str(drifted)]) == 0
    assert main(["compare", str(base), str(doctored)]) == 1
    raw = compare.compare([paced_run([1.0] * 8, "a")], [paced_run(HOST, "c", code=1.2)])
    pace = (
        paced.rounds([paced_run([1.0] * 8, "a")]),
        paced.rounds([paced_run(HOST, "c", code=1.2)]),
    )
    judged = single_run.judge(raw, significance.DEFAULT_ALPHA, 0.5, pace=pace)
    assert all(row.mark == "regression" for row in judged.rows)
    assert all(abs(row.verdict.ratio - 1.2) < 0.02 for row in judged.rows)
    assert "paced (raw ratio 1.740)" in judged.rows[1].note  # 1.2 x 1.45: what raw times said
    unpaced = single_run.judge(raw, significance.DEFAULT_ALPHA, 0.5)
    assert not any(row.mark == "regression" for row in unpaced.rows)  # drift hides it unpaced


def test_pacing_needs_the_same_probe_and_torch_and_whole_paces() -> None:
    base, other = paced_run([1.0] * 8, "a"), paced_run(HOST, "b", torch="2.14.0")
    raw = compare.compare([base], [other])
    pace = (paced.rounds([base]), paced.rounds([other]))
    judged = single_run.judge(raw, significance.DEFAULT_ALPHA, 0.5, pace=pace)
    assert all("not paced: probe or torch differs" in row.note for row in judged.rows)
    broken = paced_run([1.0] * 8, "x")
    broken["records"][0]["pace"]["times_s"] = broken["records"][0]["pace"]["times_s"][:-1]
    broken["records"][1]["pace"]["times_s"][0] = 0.0
    assert len(paced.rounds([broken])) == 6  # a short or non-positive pace is unused
