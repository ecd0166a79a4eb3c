"""One run per side, decided on paced rounds: each side's round times over the probe timed beside them.

Every timed round of a CPU case is preceded by a fixed probe (rnnbench.measurement.pace). The host's
speed moves a round and its probe alike; the code's speed moves only the round. So each side's
statistic is the `quantile` of its round times over the median of its probes' times, the ratio is
the current side's over the baseline's, its 95% CI comes from a seeded bootstrap that resamples each
side's (round, probe) pairs, and the Mann-Whitney U test compares the two sides' rounds each divided
by its own probe. Measured on the project's VM (docs/ab-bisect.md), this cut the spread of a case's
ratio between two runs of unchanged code from sd 0.37 to 0.11 (log ratio). Only the same probe
under the same torch is compared: the probe runs torch, and a torch upgrade may change its speed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from rnnbench.gate import compare, significance
from rnnbench.results.schema import Document, LoadedDocument

# (probe id and torch version, round times, probe times)
Side = tuple[str, list[float], list[float]]
Paced = dict[tuple[str, str], Side]  # per (case id, machine fingerprint)


def rounds(documents: Sequence[Document | LoadedDocument]) -> Paced:
    """Per (case id, machine fingerprint): the probe and torch, and every ok round with its probe,
    pooled over the records that carry a whole, positive pace."""
    paced: Paced = {}
    for doc in documents:
        for record in doc["records"]:
            pace, times = record.get("pace"), record["times_s"]
            if record["status"] != "ok" or not pace or len(pace["times_s"]) != len(times):
                continue
            probes = np.asarray(pace["times_s"], dtype=float)
            if not (np.isfinite(probes).all() and (probes > 0).all()):
                continue
            key = (record["id"], str(doc["env"].get("fingerprint") or ""))
            probe = f"{pace['probe']} torch {doc['env'].get('torch')}"
            known, round_times, probe_times = paced.setdefault(key, (probe, [], []))
            if known == probe:
                round_times.extend(times)
                probe_times.extend(probes.tolist())
    return paced


def statistic(times: np.ndarray, probes: np.ndarray, quantile: float) -> np.ndarray:
    """Along the last axis: the `quantile` of the rounds over the median of their probes."""
    return np.quantile(times, quantile, axis=-1) / np.median(probes, axis=-1)


def verdict(raw: significance.ChangeVerdict, base: Side, cur: Side) -> significance.ChangeVerdict:
    """The paced ratio, CI and test in place of the raw ones (the raw times' statistics are kept)."""
    (_, base_t, base_p), (_, cur_t, cur_p) = base, cur
    sides = [(np.asarray(t), np.asarray(p)) for t, p in ((base_t, base_p), (cur_t, cur_p))]
    ratio = float(statistic(*sides[1], raw.quantile) / statistic(*sides[0], raw.quantile))
    rng = np.random.default_rng(significance.SEED)
    draws = []
    for times, probes in sides:
        picks = rng.integers(0, times.size, (significance.RESAMPLES, times.size))
        draws.append(statistic(times[picks], probes[picks], raw.quantile))
    low, high = np.percentile(draws[1] / draws[0], [2.5, 97.5])
    before, after = (times / probes for times, probes in sides)
    p_value = significance.rank_p_value(before, after)
    return replace(raw, ratio=ratio, ci_low=float(low), ci_high=float(high), p_value=p_value)


def row(case: compare.Row, pace: tuple[Paced, Paced] | None) -> compare.Row:
    """The row decided on paced rounds when both sides have them under the same probe, else as it is."""
    key = (case.id, case.machine or "")
    if pace is None or case.verdict is None or key not in pace[0] or key not in pace[1]:
        return case
    base, cur = pace[0][key], pace[1][key]
    if base[0] != cur[0]:
        note = "not paced: probe or torch differs"
        return replace(case, note="; ".join(filter(None, [case.note, note])))
    decided = verdict(case.verdict, base, cur)
    note = f"paced (raw ratio {case.verdict.ratio:.3f})"
    return replace(
        case, mark=decided.mark, verdict=decided, note="; ".join(filter(None, [case.note, note]))
    )
