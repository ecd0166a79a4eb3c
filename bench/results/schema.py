"""The results-file schema, written down once.

A results file is one JSON document per pytest session:

    {
      "schema": "rnnbench-results",
      "schema_version": 1,
      "run": {"id" (`<utc time>-<commit>-<fingerprint>-<random>`, also the file's name; runs
              written before the random part was added lack it), "suite", "suite_path", "started",
              "finished" (null while running),
              "complete" (false until the session ends normally), "policy": {TimingPolicy}},
      "env": {see rnnbench.measurement.env.capture; includes "fingerprint" and "commit"; once a case of a
              (device, dtype) has run: "gemm_gflops": {"cpu/float32": GEMM ceiling GFLOP/s, ...}
              and "gemm_size": {"cpu/float32": n of the n x n GEMM that measured it, ...}},
      "records": [RECORD, ...]
    }

RECORD (one per case, i.e. one shape x one phase):

    {
      "id": "lstm-layer-b32-t100-i300-h256-l2-bi-cpu-fp32-forward",
      "case": {cell, model, batch, seq_len, input_size, hidden_size, num_layers,
               bidirectional, dtype, device, cudnn (null on cpu and for impls without cuDNN),
               phase, impl, layout, threads},
      "status": "ok" | "failed" | "skipped",
      "reason": null | "one line: why it failed or was skipped",
      "times_s": [raw seconds of every timed round, in order]   (empty unless ok; each a
                 positive, finite number: readers refuse NaN, infinite, zero or negative times),
      "stats": {median, mean, stdev, min, max, q1, q3, iqr (seconds), rounds} | null,
      "noisy": IQR > 10% of the median,
      "measures": {params, param_bytes, saved_bytes (0 for inference),
                   peak_bytes, model_peak_bytes (see MEMORY below), flops, gflops_per_s,
                   tokens_per_s, threads, first_round_s, efficiency (gflops_per_s / env
                   gemm_gflops of the case's device/dtype)},
      "code_hash": hash of the case and the code that runs it,
      "cell_code": {"ref": the cell's full reference ("torch.nn:LSTM" for the built-in lstm; an
                    absolute path for FILE.py:NAME), "name": its short name (case.cell, in the id),
                    "source_hash": sha256 (16 hex) of the file that defines it, or null},
      "profile": optional, only for ok records of a `--profile` run (rnnbench.measurement.profiling):
        {"trace_dir": DIR/<case id> (DIR as given to --profile), "trace": its <worker>.<n>.pt.trace.json,
         "schedule": {wait, warmup, active}, "ranked_by": "self_cpu" | "self_cuda",
         "phase_self_s": self time per round in the timed target (the shares' denominator),
         "op_calls": operator and autograd-node calls per round in the timed target,
         "top_ops": [{name, calls, self_cpu_s, self_cuda_s (per round), share}, ...],
         "cudnn_ran": CUDA only: a cuDNN op or kernel ran}
        or {"trace_dir", "error": one line, "top_ops": []} when profiling failed.
      "counts": optional, only for ok records of a `--counts` run (rnnbench.measurement.counts):
        {"status": "ok", "instructions": [instructions of the timed target, per counted repeat],
         "threads": 1 (counted at), "warmup_rounds", "functions": {"function (library)": inclusive
         instructions of the last repeat, for functions above 0.5% of it, largest first}}
        or {"status": "not applicable" | "failed", "reason": one line} (CUDA and training cases:
        not applicable); with status ok, measures.instructions = the median repeat's count.
    }

Case keys added within version 1 (optional: records without them read as the default):
  impl     "fused" (default) | "cell_loop" | "scripted" | "compiled" | "compiled_loop" (rnnbench.models.impls)
  layout   "padded" (default) | "packed" (pack_padded_sequence; lengths in rnnbench.models.layout)
  threads  null (default: the session's thread count) | CPU intra-op threads for this case
  dtype    also "autocast_bf16" | "autocast_fp16": float32 weights, forward under torch.autocast
  phase    also "train_quality": a quality run (rnnbench.measurement.quality), see QUALITY RECORD below
  task, forget_bias, match: quality cases only, see QUALITY RECORD below
Case key `cell_ref` (optional, null for the built-ins): a user cell's full reference, with its
short name in `cell` (rnnbench.cases.cell_ref). Record key `cell_code` (optional; older records lack it).
Measures added within version 1 for every timed case: flops_measured (FLOPs of one round's target
counted by torch.utils.flop_counter.FlopCounterMode, rnnbench.measurement.flops) and flops_by_op
({aten op: FLOPs}); for a user cell `flops` and `model_peak_bytes` are null (not modelled) and
gflops_per_s is computed from flops_measured.
Measures added within version 1: state_tensors, state_shapes, state_bytes_per_seq (rnnbench.measurement.state:
the state nn.LSTM / nn.GRU returned in one forward of the case's input: how many tensors (LSTM
h and c: 2, GRU h: 1), their shapes (layers x directions, batch, hidden), and their bytes for one
sequence; absent for impls without an nn.LSTM / nn.GRU module).
first_round_s: seconds of the case's first (cold) round, setup
included; compiled impls compile in it, so it is their compile time plus one round. For packed
cases, flops and tokens_per_s count the padded batch (batch x seq_len), as for the padded case.
Run keys added within version 1 (optional): `shard`, "K/N" of a `--shard K/N` run; `launch`,
{"id": launch (run folder) name, "shards": N}, written when `rnnbench run --launcher` or
`rnnbench gather` gathers the shard into a run folder (rnnbench.cluster.gather).

MEMORY (measures, within version 1): peak_bytes is the peak of bytes live during one round's
target above those live when the target began (after its untimed setup), measured in one extra
untimed round (rnnbench.measurement.memory): CPU from torch.profiler's memory events, CUDA from
the allocator's counters. model_peak_bytes is the memory model's figure for the same quantity
(rnnbench.measurement.analytic.memory_model), kept beside it. A case refused by the pre-flight
check is `skipped` with measures {model_total_bytes (the model's weights + inputs + peak),
model_peak_bytes, available_bytes (what the device could give: MemAvailable or free CUDA memory)}.
Before these were added, peak_bytes was CUDA only (null on CPU) and counted from the start of the
round (setup included, weights and inputs included); no stored run has a CUDA record of that kind.

QUALITY RECORD (phase "train_quality", in the same records list; one per case, all seeds):
  case keys of quality cases (optional, defaults for other phases and older records):
    task         null (= "recall") | "recall" | "adding" | "sentiment" (rnnbench.measurement.tasks)
    forget_bias  null (PyTorch's init) | number: LSTM forget-gate bias at init (b_ih = value, b_hh = 0)
    match        "hidden" (default) | "params": GRU hidden raised to LSTM's parameter count
  "times_s": training seconds of each seed (evaluations excluded), "stats" over them;
  "measures": {params, trained_hidden_size (the hidden size it trained with), task, metric
               ("accuracy" | "mse"), baseline (chance accuracy, or 1/6: the MSE of always
               answering 1 on the adding problem), target, seeds, steps (the budget),
               learning_rate, threads,
               metric_values [final held-out metric per seed], metric_mean, metric_std (ddof 1),
               reached_target (seeds that reached the target), seed_steps_to_target and
               seed_time_to_target_s [per seed, null where not reached], steps_to_target and
               time_to_target_s (medians over the seeds that did; null when none did),
               curves [per seed: {step: [...], seconds: [training seconds at each], value: [...]}],
               state_tensors, state_shapes, state_bytes_per_seq (as for timed records)}
  Quality records written before tasks existed have instead: task "recall-first" (= recall),
  chance, target_accuracy, accuracies, accuracy_mean, accuracy_std, reached_target,
  steps_to_target, time_to_target_s; rnnbench.reports.accuracy reads both:
  accuracy_summary(frame) turns these rows into the accuracy table.

History: version 1 (2026-11) is the first; `measures.efficiency`, `measures.first_round_s`,
CPU `measures.peak_bytes`, `measures.model_peak_bytes` and the pre-flight measures,
`profile`, `counts`, `measures.instructions`, env `gemm_gflops`/`gemm_size`/`valgrind` (the
valgrind version of a `--counts` run; it enters the fingerprint only when set), the case and run
keys above and quality records were added to it as optional keys (older files lack them). Readers
refuse other versions with a message, and records whose `case` or `measures` is not an object, or
whose times or statistics are not positive finite numbers (spreads may be 0), naming the file and
the record.
"""

from __future__ import annotations

import math
from typing import Any

from rnnbench.errors import UserError

SCHEMA = "rnnbench-results"
SCHEMA_VERSION = 1
STATUSES = ("ok", "failed", "skipped")
MEASURES = (
    "params", "param_bytes", "saved_bytes", "peak_bytes", "flops", "flops_measured",
    "gflops_per_s", "tokens_per_s", "threads", "first_round_s", "efficiency", "instructions",
    "state_tensors", "state_shapes", "state_bytes_per_seq",
    "model_peak_bytes", "model_total_bytes", "available_bytes",
)  # fmt: skip
QUALITY_MEASURES = (
    "task", "seeds", "steps", "chance", "target_accuracy", "accuracies", "accuracy_mean",
    "accuracy_std", "reached_target", "steps_to_target", "time_to_target_s",
    "metric", "baseline", "target", "learning_rate", "trained_hidden_size", "metric_values", "metric_mean",
    "metric_std", "seed_steps_to_target", "seed_time_to_target_s", "curves",
)  # fmt: skip
STATS = ("median", "mean", "stdev", "min", "max", "q1", "q3", "iqr", "rounds")


def document(run: dict[str, Any], env: dict[str, Any], records: list[dict[str, Any]]) -> dict[str, Any]:
    """A complete results document."""
    return {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "run": run, "env": env, "records": records}


def check_document(doc: Any, source: str) -> dict[str, Any]:
    """Return `doc` if it is a results document this version reads; else a one-line `UserError`."""
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise UserError(f"{source}: not an rnnbench results file (no \"schema\": \"{SCHEMA}\")")
    version = doc.get("schema_version")
    if version != SCHEMA_VERSION:
        raise UserError(f"{source}: schema_version {version!r} is not supported (this rnnbench reads {SCHEMA_VERSION})")
    for key, kind in (("run", dict), ("env", dict), ("records", list)):
        if not isinstance(doc.get(key), kind):
            raise UserError(f"{source}: {key}: missing or not a {kind.__name__}")
    for index, record in enumerate(doc["records"]):
        check_record(record, f"{source}: records[{index}]")
    return doc


def check_record(record: Any, where: str) -> None:
    """Validate one record: its shape, and that every time is a positive, finite number of seconds
    (a hand-edited NaN, infinite, zero or negative time would pass or break every comparison)."""
    if not isinstance(record, dict):
        raise UserError(f"{where}: not an object")
    for key in ("id", "case", "status", "times_s", "measures"):
        if key not in record:
            raise UserError(f"{where}.{key}: missing")
    if not isinstance(record["id"], str):
        raise UserError(f"{where}.id: not a string ({record['id']!r})")
    for key in ("case", "measures"):
        if not isinstance(record[key], dict):
            raise UserError(f"{where}.{key}: not an object ({record[key]!r})")
    if record["status"] not in STATUSES:
        raise UserError(f"{where}.status: unknown value {record['status']!r}")
    times = record["times_s"]
    if not isinstance(times, list):
        raise UserError(f"{where}.times_s: not a list ({times!r})")
    for index, value in enumerate(times):
        if not _seconds(value):
            raise UserError(f"{where}.times_s[{index}]: {value!r} is not a positive, finite number of seconds")
    if record["status"] == "ok" and (not times or not isinstance(record.get("stats"), dict)):
        raise UserError(f"{where}: status ok but no times_s/stats")
    for name, value in (record.get("stats") or {}).items():
        if name in STATS and value is not None and not (_seconds(value) or (value == 0 and name in ZERO_STATS)):
            raise UserError(f"{where}.stats.{name}: {value!r} is not a valid number")


ZERO_STATS = ("stdev", "iqr")  # spreads may be 0; every other statistic is a positive time or count


def _seconds(value: Any) -> bool:
    """A positive, finite number (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < math.inf
