"""The report's tables, as pandas DataFrames with raw numbers in unit-suffixed columns.

Every table is computed from timed ('ok') records only, except `not_ok`, which lists the
failed and skipped cases with their reasons. Comparisons (cell against cell, device against
device) are made within one input, so a ratio never mixes two machines or two runs.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from rnnbench.cases.case import CELLS, PHASES
from rnnbench.reports.inputs import KEY, Inputs
from rnnbench.reports.profile_summary import efficiency_table

CUDA_LABELS = ("cuda-cudnn", "cuda-native")


def ordered(values: Any, order: tuple[str, ...]) -> list[str]:
    """The members of `order` present in `values`, in `order`'s order."""
    present = set(values)
    return [item for item in order if item in present]


def cell_order(values: Any) -> list[str]:
    """The cells present in `values`: the built-ins in their order, then user cells by name."""
    present = set(values)
    return [
        *ordered(present, CELLS),
        *sorted(c for c in present - set(CELLS) if isinstance(c, str)),
    ]


def spread_cells(
    rows: pd.DataFrame, values: list[str], ratios: list[str], by_phase: bool
) -> pd.DataFrame:
    """One row per shape; columns `<cell> [phase] <value>` and `gru/lstm [phase] <value>` ratios."""
    if rows.empty:
        return pd.DataFrame()
    extra = ["phase"] if by_phase else []
    rows = rows.drop_duplicates([*KEY, "cell", *extra], keep="last")
    wide = rows.set_index([*KEY, "cell", *extra])[values].unstack(["cell", *extra])
    groups = [[phase] for phase in ordered(rows["phase"], PHASES)] if by_phase else [[]]
    cells = cell_order(rows["cell"])
    columns: dict[str, pd.Series] = {}
    for group in groups:
        for cell in cells:
            for value in values:
                if (value, cell, *group) in wide.columns:
                    columns[" ".join([cell, *group, value])] = wide[(value, cell, *group)]
        for value in ratios:
            pair = [(value, cell, *group) for cell in ("gru", "lstm")]
            if all(column in wide.columns for column in pair):
                name = " ".join(["gru/lstm", *group, value.removesuffix("_s")])
                columns[name] = wide[pair[0]] / wide[pair[1]]
    return pd.DataFrame(columns, index=wide.index).dropna(how="all").reset_index()


def comparison(ok: pd.DataFrame) -> pd.DataFrame:
    """Main table: median, IQR and noisy flag per cell x phase for every shape, and the GRU/LSTM median ratio."""
    return spread_cells(ok, ["median_s", "iqr_s", "noisy"], ["median_s"], by_phase=True)


def memory(ok: pd.DataFrame) -> pd.DataFrame:
    """Parameters and memory per cell: params, param bytes, saved-for-backward bytes, peak bytes."""
    per_shape = ok.groupby([*KEY, "cell"], as_index=False, dropna=False).agg(
        params=("params", "first"),
        param_bytes=("param_bytes", "first"),
        saved_bytes=("saved_bytes", "max"),
        peak_bytes=("peak_bytes", "max"),
    )
    values = ["params", "param_bytes", "saved_bytes"] + (
        ["peak_bytes"] if per_shape["peak_bytes"].notna().any() else []
    )
    return spread_cells(per_shape, values, ["params", "saved_bytes", "peak_bytes"], by_phase=False)


def speedup(
    ok: pd.DataFrame, base: str, others: tuple[str, ...], spread: bool = False
) -> pd.DataFrame:
    """Rows where `base` and another device label both ran a case: medians and base/other speed-up
    (with `spread`, each side's q1 and q3 too)."""
    index = [key for key in KEY if key != "device_label"] + ["cell", "phase"]
    rows = ok.drop_duplicates([*index, "device_label"], keep="last")
    wide = rows.pivot(index=index, columns="device_label", values=["median_s", "q1_s", "q3_s"])
    labels = set(wide.columns.get_level_values(1))
    present = [label for label in others if label in labels]
    if base not in labels or not present:
        return pd.DataFrame()
    values = ["median_s", "q1_s", "q3_s"] if spread else ["median_s"]
    columns = {f"{base} {value}": wide[(value, base)] for value in values}
    for label in present:
        columns.update({f"{label} {value}": wide[(value, label)] for value in values})
        columns[f"{label} speedup"] = wide[("median_s", base)] / wide[("median_s", label)]
    table = pd.DataFrame(columns)
    speedups = [f"{label} speedup" for label in present]
    return table[table[speedups].notna().any(axis=1)].reset_index()


def cudnn_speedup(ok: pd.DataFrame, spread: bool = False) -> pd.DataFrame:
    """What cuDNN buys: cuDNN-off median over cuDNN-on median, per case."""
    return speedup(ok, "cuda-native", ("cuda-cudnn",), spread)


def cpu_vs_cuda(ok: pd.DataFrame) -> pd.DataFrame:
    """CPU median over CUDA median, per case, where one input measured both."""
    return speedup(ok, "cpu", CUDA_LABELS)


def throughput(ok: pd.DataFrame) -> pd.DataFrame:
    """Tokens per second and achieved GFLOP/s for every timed case, and whether its timing is noisy."""
    columns = [
        "input",
        "id",
        "median_s",
        "iqr_s",
        "noisy",
        "flops",
        "gflops_per_s",
        "tokens_per_s",
        "threads",
    ]
    return ok[columns].sort_values(["input", "id"]).reset_index(drop=True)


def efficiency(ok: pd.DataFrame) -> pd.DataFrame:
    """Achieved GFLOP/s and % of the run's measured GEMM ceiling per case, lowest first within
    each input (the axes that vary within an input are shown)."""
    parts = [
        efficiency_table(rows).assign(input=name)
        for name, rows in ok.groupby("input", sort=False)
        if rows["efficiency"].notna().any()
    ]
    if not parts:
        return pd.DataFrame()
    table = pd.concat(parts, ignore_index=True)
    return table[["input", *table.columns.drop("input")]]


def not_ok(inputs: Inputs) -> pd.DataFrame:
    """Failed and skipped cases, with why."""
    return (
        inputs.not_ok[["input", "id", "status", "reason"]]
        .sort_values(["input", "status", "id"])
        .reset_index(drop=True)
    )


def environment(inputs: Inputs) -> pd.DataFrame:
    """One column per input: suite, run, commit, machine, torch / CUDA / cuDNN, threads."""
    return inputs.environments.set_index("input").T.rename_axis("field").reset_index()


def all_tables(inputs: Inputs) -> dict[str, pd.DataFrame]:
    """Every table by file name, in report order."""
    ok = inputs.ok
    return {
        "comparison": comparison(ok),
        "cudnn_speedup": cudnn_speedup(ok),
        "cpu_vs_cuda": cpu_vs_cuda(ok),
        "memory": memory(ok),
        "throughput": throughput(ok),
        "efficiency": efficiency(ok),
        "not_ok": not_ok(inputs),
        "environment": environment(inputs),
    }


def constant_keys(table: pd.DataFrame) -> dict[str, Any]:
    """Key columns holding one value in every row: shown once as a caption, not per row."""
    if len(table) < 2:
        return {}
    return {
        k: table[k].iloc[0]
        for k in KEY
        if k in table.columns and table[k].nunique(dropna=False) == 1
    }
