"""Before/after: each later input against the first, case by case, biggest movers first (the
marked ones, significant and beyond the threshold, ahead of the rest).

The comparison is the gate's (`rnnbench.gate.compare.compare`): cases matched by id, raw round times
pooled, Mann-Whitney U at alpha 0.01 and a 5% threshold on the ratio of medians (after /
before), with its bootstrap 95% CI. Inputs from different machines are compared anyway (that is
the point of a before/after across machines or torch versions) and the differences are named.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from rnnbench.reports import style
from rnnbench.reports.inputs import Inputs
from rnnbench.results.schema import Document, Record

MARKS = {"regression": "slower ▲", "improvement": "faster ▼", "no change": "–"}
SHOWN = 20  # movers in the plot; the table holds every case
COUNTS_GROWTH = 0.01  # counted cases whose instructions grew beyond this get a "what grew" table
GREW_SHOWN = 5  # at most this many such tables per comparison, biggest growth first


@dataclass(frozen=True)
class Movers:
    """One later input against the first: every matched case, biggest |log ratio| first."""

    before: str
    after: str
    table: (
        pd.DataFrame
    )  # id, cell, phase, before_s, after_s, ratio, ci_low, ci_high, p_value, significance, noisy,
    # note (the gate's: e.g. "cell code differs from the baseline")
    foreign: list[str]  # fingerprint facts that differ between the two machines
    threshold: float  # the gate's default: a change beyond it (and significant) is marked
    alpha: float
    grew: tuple[
        tuple[str, float, pd.DataFrame], ...
    ] = ()  # (case id, instruction ratio, function delta)

    def counts(self) -> str:
        """`104 cases: 3 slower ▲, 2 faster ▼, 99 unchanged (significant and beyond the 5% threshold).`"""
        if self.table.empty:
            return "No case was timed in both inputs."
        marks = self.table["significance"].value_counts()
        slower, faster = marks.get(MARKS["regression"], 0), marks.get(MARKS["improvement"], 0)
        changed = (
            self.table["note"].str.contains("cell code differs", regex=False).sum()
            if "note" in self.table
            else 0
        )
        code = (
            f" The cell's code differs from the first input's in {changed} of them (see note)."
            if changed
            else ""
        )
        return (
            f"{len(self.table)} cases: {slower} slower ▲, {faster} faster ▼, {len(self.table) - slower - faster} "
            f"unchanged (a mark: significant and beyond the {self.threshold:.0%} threshold).{code}"
        )


def has_functions(record: Record) -> bool:
    """The record was counted with its functions (`pytest bench --counts`)."""
    counts = record.get("counts")
    return bool(counts and counts.get("functions"))


def what_grew(
    before: Document, after: Document, slower: set[str]
) -> tuple[tuple[str, float, pd.DataFrame], ...]:
    """Cases counted in both runs (`pytest bench --counts`) whose instructions grew beyond
    COUNTS_GROWTH, or whose time is marked slower: the functions whose inclusive counts grew most."""
    from rnnbench.gate import counts_delta

    def counted(doc: Document) -> dict[str, Record]:
        return {
            r["id"]: r
            for r in doc["records"]
            if has_functions(r) and r.get("measures", {}).get("instructions")
        }

    base, cur = counted(before), counted(after)
    ratios = {
        i: cur[i]["measures"]["instructions"] / base[i]["measures"]["instructions"]
        for i in base.keys() & cur.keys()
    }
    chosen = sorted(
        (i for i, r in ratios.items() if r > 1 + COUNTS_GROWTH or i in slower),
        key=lambda i: -ratios[i],
    )
    return tuple(
        (
            i,
            ratios[i],
            counts_delta.delta(base[i]["counts"]["functions"], cur[i]["counts"]["functions"]),
        )
        for i in chosen[:GREW_SHOWN]
    )


def movers(inputs: Inputs) -> list[Movers]:
    """Each later input compared with the first (empty with fewer than two inputs)."""
    documents = inputs.documents
    if len(documents) < 2:
        return []
    from rnnbench.gate import (
        compare,
    )  # imports torch (through bench.env): paid only when there is a comparison

    threshold, alpha = compare.Thresholds().default, compare.significance.DEFAULT_ALPHA
    labels = list(inputs.environments["input"])
    found = []
    for doc, label in zip(documents[1:], labels[1:]):
        result = compare.compare(
            [documents[0]], [doc], compare.Thresholds(threshold), alpha, allow_foreign=True
        )
        frame = result.frame()
        frame = frame[frame["mark"].isin(list(MARKS))] if not frame.empty else frame
        if frame.empty:
            found.append(Movers(labels[0], label, pd.DataFrame(), result.foreign, threshold, alpha))
            continue
        after = (
            inputs.ok[inputs.ok["input"] == label]
            .drop_duplicates("id", keep="last")
            .set_index("id")
        )
        table = frame.rename(
            columns={"baseline_s": "before_s", "current_s": "after_s", "mark": "significance"}
        )
        table = table.assign(
            cell=table["id"].map(after["cell"]),
            phase=table["id"].map(after["phase"]),
            noisy=table["id"].map(after["noisy"]).fillna(False).astype(bool),
            significance=table["significance"].map(MARKS),
        )
        size = np.abs(np.log(table["ratio"].to_numpy(float)))
        order = np.lexsort(
            (-size, table["significance"] == MARKS["no change"])
        )  # marked first, then by size
        columns = [
            "id",
            "cell",
            "phase",
            "before_s",
            "after_s",
            "ratio",
            "ci_low",
            "ci_high",
            "p_value",
            "significance",
            "noisy",
            "note",
        ]
        if (
            not table["note"].fillna("").astype(bool).any()
        ):  # the column only when a case has something to say
            columns.remove("note")
        table = table.iloc[order][columns].reset_index(drop=True)
        slower = set(table.loc[table["significance"] == MARKS["regression"], "id"])
        grew = what_grew(documents[0], doc, slower)
        found.append(Movers(labels[0], label, table, result.foreign, threshold, alpha, grew))
    return found


def movers_figure(moved: Movers) -> Figure | str:
    """The biggest movers as dots on a log ratio axis with their CI, 1.0 marked, colour by cell."""
    if moved.table.empty:
        return "no case was timed in both inputs"
    top = moved.table.head(SHOWN).iloc[::-1]
    fig = Figure(figsize=(9, 1.2 + 0.28 * len(top)), layout="constrained")
    ax = fig.subplots()
    for row_index, row in enumerate(top.to_dict("records")):
        color = style.CELL_COLORS.get(str(row["cell"]), style.NEUTRAL)
        ax.plot(
            [row["ci_low"], row["ci_high"]],
            [row_index, row_index],
            color=color,
            linewidth=2,
            alpha=0.6,
        )
        ax.scatter(
            [row["ratio"]],
            [row_index],
            color="white" if row["noisy"] else color,
            edgecolors=color,
            zorder=3,
        )
    ax.set_yticks(
        range(len(top)),
        [f"{i} {s}" if s != "–" else i for i, s in zip(top["id"], top["significance"])],
        fontsize=7,
    )
    ax.axvline(1.0, color="black", linewidth=1)
    ax.set_xscale("log")
    low = min(top["ci_low"].min(), top["ratio"].min(), 0.95)
    high = max(top["ci_high"].max(), top["ratio"].max(), 1.05)
    ax.set_xlim(low / 1.05, high * 1.05)
    style.unit_axis(ax.xaxis, style.format_ratio_tick)
    ax.set_xlabel("after / before (ratio of medians; line: bootstrap 95% CI; >1: slower)")
    ax.grid(True, axis="x", which="both", alpha=0.3)
    fig.suptitle(
        f"Biggest movers ({len(top)} of {len(moved.table)} cases; {style.NOISY_NOTE})", fontsize=10
    )
    return fig
