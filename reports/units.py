"""Human units for report cells: times, bytes, rates and ratios, chosen by column name.

Tables keep raw numbers in unit-suffixed columns (`median_s`, `saved_bytes`, `tokens_per_s`)
so their CSV stays machine-readable; `humanize` turns such a table into display text.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

TIME_UNITS = ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns"))
BYTE_UNITS = tuple(
    (1024.0**power, unit)
    for power, unit in reversed(list(enumerate(("B", "KiB", "MiB", "GiB", "TiB"))))
)
SI_PREFIXES = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, ""))


def missing(value: object) -> bool:
    """True for None and NaN: the cell has no data."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def scaled(value: float, units: tuple[tuple[float, str], ...]) -> tuple[float, str]:
    """`value` in the largest unit (scales in decreasing order) it reaches; else in the smallest."""
    for scale, unit in units:
        if abs(value) >= scale:
            return value / scale, unit
    return value / units[-1][0], units[-1][1]


def format_time(seconds: float) -> str:
    """`0.000812` -> `812 µs`: three significant figures."""
    value, unit = scaled(seconds, TIME_UNITS)
    return f"{value:.3g} {unit}"


def format_bytes(count: float) -> str:
    """`1159168` -> `1.11 MiB` (binary units); whole bytes below 1 KiB."""
    value, unit = scaled(float(count), BYTE_UNITS)
    return f"{value:.0f} B" if unit == "B" else f"{value:.3g} {unit}"


def format_si(value: float) -> str:
    """`331121.9` -> `331k`: decimal prefixes for counts and rates."""
    number, prefix = scaled(value, SI_PREFIXES)
    return f"{number:.3g}{prefix}"


def format_ratio(value: float) -> str:
    """`0.7512` -> `0.751×`."""
    return f"{value:.3g}×"


def format_ratio_ci(median: float, low: float, high: float) -> str:
    """`0.83× (0.78–0.9)`; the interval left out when there is none (NaN)."""
    interval = "" if missing(low) or missing(high) else f" ({low:.3g}–{high:.3g})"
    return f"{median:.3g}×{interval}"


def format_percent(value: float) -> str:
    """`31.24` -> `31.2%`."""
    return f"{value:.3g}%"


def format_share(fraction: float) -> str:
    """`0.3124` -> `31.2%`."""
    return format_percent(100 * fraction)


def format_plain(value: float) -> str:
    """Whole numbers without a decimal point (counts stored as float beside nulls), else 4 figures."""
    return str(int(value)) if float(value).is_integer() else f"{value:.4g}"


def formatter_for(column: str) -> Callable[[float], str]:
    """The formatter a numeric column's name asks for."""
    name = column.split(" ")[-1]
    if "/" in column or name == "speedup":
        return format_ratio
    if name == "share":
        return format_share
    if name.endswith("_pct"):
        return format_percent
    if name.endswith("_s") and not name.endswith("per_s"):
        return format_time
    if name.endswith("bytes"):
        return format_bytes
    if name.endswith("per_s") or name in ("params", "flops"):
        return format_si
    return format_plain


def display_name(column: str) -> str:
    """Column header without its unit suffix: `lstm forward median_s` -> `lstm forward median`."""
    for suffix in ("_s", "_bytes"):
        if column.endswith(suffix) and not column.endswith("per_s"):
            return column.removesuffix(suffix) + (" bytes" if suffix == "_bytes" else "")
    return column.replace("_per_s", "/s").replace("_pct", " %")


def format_noisy(flag: object) -> str:
    """A noisy flag as a word to spot (and filter on): `noisy`, or nothing."""
    return "noisy" if flag is True or flag == 1 else ""


def humanize(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of `table` as display strings: numbers in units by column name, '–' for missing cells."""
    shown = pd.DataFrame(index=table.index)
    for column in table.columns:
        numeric = pd.api.types.is_numeric_dtype(table[column]) and not pd.api.types.is_bool_dtype(
            table[column]
        )
        fmt = formatter_for(str(column)) if numeric else str
        if str(column).split(" ")[-1] == "noisy":
            fmt = format_noisy
        shown[display_name(str(column))] = [
            "–" if missing(v) else fmt(v) for v in table[column].tolist()
        ]
    return shown
