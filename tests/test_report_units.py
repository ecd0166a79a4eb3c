"""Human units for report cells."""

from __future__ import annotations

import pandas as pd

from rnnbench.reports.units import format_bytes, format_time, humanize


def test_times_and_bytes() -> None:
    assert format_time(0.000812) == "812 µs"
    assert format_time(1.5) == "1.5 s"
    assert format_time(0.0123) == "12.3 ms"
    assert format_time(3e-10) == "0.3 ns"
    assert format_bytes(512) == "512 B"
    assert format_bytes(1159168) == "1.11 MiB"


def test_humanize_picks_units_by_column_name() -> None:
    table = pd.DataFrame(
        {
            "id": ["a<b"],
            "lstm forward median_s": [0.002],
            "gru saved_bytes": [2048],
            "gru/lstm forward median": [0.75],
            "tokens_per_s": [331121.9],
            "threads": [2.0],
            "peak_bytes": [None],
            "cell=gru share": [0.3124],
            "efficiency_pct": [5.0],
        }
    )
    shown = humanize(table).iloc[0].to_dict()
    assert shown == {
        "id": "a<b",
        "lstm forward median": "2 ms",
        "gru saved bytes": "2 KiB",
        "gru/lstm forward median": "0.75×",
        "tokens/s": "331k",
        "threads": "2",
        "peak bytes": "–",
        "cell=gru share": "31.2%",
        "efficiency %": "5%",
    }
