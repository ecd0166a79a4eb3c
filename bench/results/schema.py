"""The results-file schema, written down once as types.

A results file is one JSON `Document` per pytest session; its `records` are one `Record` per case.
The shapes are `TypedDict`s, not dataclasses: a record is JSON on disk, in the SQLite history and
in pandas rows, and every reader indexes it (`record["measures"]["flops"]`); a `TypedDict` types
that dict as it is, with no conversion layer to keep in step, and mypy checks the keys. Keys a
record may lack are declared in a `total=False` part. `rnnbench.results.schema_doc` renders these
types and their docstrings as the schema reference.

Version history (`SCHEMA_VERSION`; older files are upgraded on read by
`rnnbench.results.upgrade`, newer ones refused with one line):
  1 (2026-11): the first. `measures.efficiency`, `measures.first_round_s`, CPU
    `measures.peak_bytes`, `measures.model_peak_bytes` and the pre-flight measures, `profile`,
    `counts`, `measures.instructions`, the state measures, env `gemm_gflops` / `gemm_size` /
    `valgrind`, the case keys impl, layout, threads, task, forget_bias and match, the run keys
    `shard` and `launch`, and quality records were added to it as optional keys (older v1
    files lack them).
  2 (2026-11): the keys added within version 1 are part of the schema: every stored case has
    every axis (`upgrade_1_to_2` gives v1 cases without them their defaults), and every ok timed
    record has `first_round_s`, `peak_bytes`, `model_peak_bytes` and `efficiency` in its
    measures (None where a v1 run did not measure them). New optional keys: `Record.cell_code`
    (user cells) and `Measures.flops_measured` (FLOPs counted by FlopCounterMode); later
    `Record.pace` (the machine-pace probe beside each timed round of a CPU case).
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict, get_args

SCHEMA = "rnnbench-results"
SCHEMA_VERSION = 2
Status = Literal["ok", "failed", "skipped"]
STATUSES: tuple[str, ...] = get_args(Status)


class Policy(TypedDict):
    """The run's `TimingPolicy` (rnnbench.measurement.timing): how many rounds each case was timed."""

    warmup_rounds: int
    min_rounds: int
    max_rounds: int
    max_time: float


class Launch(TypedDict):
    """`run.launch`: written when `rnnbench run --launcher` or `rnnbench gather` gathers a shard into
    a run folder (rnnbench.cluster.gather)."""

    id: str  # the launch (run folder) name
    shards: int


class Run(TypedDict, total=False):
    """`document.run`: one pytest session.

    `id` is `<utc time>-<commit>-<fingerprint>-<random>`, also the file's name (runs written before
    the random part was added lack it). `finished` is null while running; `complete` is false
    until the session ends normally. Runs read back from the SQLite history carry only id, suite,
    started, complete and `from_history` (the history file); pytest-benchmark files converted on
    read have `format` "pytest-benchmark"; the gate's re-measurement files have `remeasure_of`
    (the run they re-measure). `shard`: "K/N" of a `--shard K/N` run; `launch`: see `Launch`.
    """

    id: str
    suite: str | None
    suite_path: str
    started: str | None
    finished: str | None
    complete: bool
    policy: Policy
    shard: str
    launch: Launch
    remeasure_of: str
    from_history: str
    format: str


class Env(TypedDict, total=False):
    """`document.env`: the machine and software (rnnbench.measurement.env.capture), once per run.

    `fingerprint` hashes the timing-relevant facts (rnnbench.results.fingerprint); `commit` is the
    project's git commit (`+dirty` with local changes). Once a case of a (device, dtype) has run:
    `gemm_gflops` {"cpu/float32": GEMM ceiling GFLOP/s, ...} and `gemm_size` {"cpu/float32": n of
    the n x n GEMM that measured it, ...}. `valgrind`: the valgrind version of a `--counts` run;
    it enters the fingerprint only when set. pytest-benchmark files converted on read have only
    cpu_model, cpu_count, python, hostname, commit and fingerprint.
    """

    rnnbench: str
    commit: str | None
    python: str
    python_implementation: str
    platform: str
    hostname: str
    cpu_model: str
    cpu_count: int | None
    threads: int
    interop_threads: int
    thread_env: dict[str, str]
    torch: str
    mkldnn: bool
    cuda: str | None
    cudnn: int | None
    gpu_name: str | None
    gpu_count: int
    tf32_matmul: bool | None
    tf32_cudnn: bool | None
    cudnn_benchmark: bool | None
    argv: list[str]
    valgrind: str
    fingerprint: str
    gemm_gflops: dict[str, float]
    gemm_size: dict[str, int]


class CaseDict(TypedDict, total=False):
    """`record.case`: the frozen `rnnbench.Case` as a dict (`Case.to_dict`), one key per axis.

    The runner writes every key, and v1 records are upgraded to have every key; only a record
    converted from another project's pytest-benchmark file may lack some (readers then use the
    axis defaults, rnnbench.cases.case.AXIS_DEFAULTS).
    cudnn: null on cpu and for impls without cuDNN.
    impl: "fused" (default) | "cell_loop" | "scripted" | "compiled" | "compiled_loop" (rnnbench.models.impls).
    layout: "padded" (default) | "packed" (pack_padded_sequence; lengths in rnnbench.models.layout).
    threads: null (default: the session's thread count) | CPU intra-op threads for this case.
    dtype: "float32" | "bfloat16" | "float16" | "autocast_bf16" | "autocast_fp16" (float32
    weights, forward under torch.autocast).
    phase: "forward" | "backward" | "forward_backward" | "inference" | "train_quality" (a quality
    run, rnnbench.measurement.quality: see `QualityMeasures`).
    task, forget_bias, match: quality cases only. task: null (= "recall") | "recall" | "adding" |
    "sentiment" (rnnbench.measurement.tasks); forget_bias: null (PyTorch's init) | number: LSTM
    forget-gate bias at init (b_ih = value, b_hh = 0); match: "hidden" (default) | "params": GRU
    hidden raised to LSTM's parameter count.
    cell: "lstm" | "gru" | a user cell's short name (the entry-point name, or NAME lower-cased);
    cell_ref: null for the built-ins | the user cell's full reference (rnnbench.cases.cell_ref:
    `package.module:NAME`, an absolute `FILE.py:NAME`, or an entry point's `module:object`).
    """

    cell: str
    cell_ref: str | None
    model: str
    batch: int
    seq_len: int
    input_size: int
    hidden_size: int
    num_layers: int
    bidirectional: bool
    dtype: str
    device: str
    cudnn: bool | None
    phase: str
    impl: str
    layout: str
    threads: int | None
    task: str | None
    forget_bias: float | None
    match: str


class Stats(TypedDict):
    """`record.stats`: statistics of `times_s`, in seconds (`rounds`: how many). Every value is a
    positive, finite number (the spreads `stdev` and `iqr` may be 0); readers refuse others."""

    median: float
    mean: float
    stdev: float
    min: float
    max: float
    q1: float
    q3: float
    iqr: float
    rounds: int


class StateMeasures(TypedDict, total=False):
    """Measures of every ok record, timed or quality: params, threads (the intra-op threads it ran
    with) and the state measures (see `TimedMeasures`)."""

    params: int
    threads: int
    state_tensors: int
    state_shapes: list[list[int]]
    state_bytes_per_seq: int


class TimedMeasures(StateMeasures, total=False):
    """`record.measures` of a timed case (phases forward, backward, forward_backward, inference).

    params, param_bytes, saved_bytes (0 for inference); flops, gflops_per_s and tokens_per_s
    (for packed cases they count the padded batch, batch x seq_len, as for the padded case);
    threads (the intra-op threads it ran with); first_round_s: seconds of the case's first (cold)
    round, setup included (compiled impls compile in it, so it is their compile time plus one
    round); efficiency: gflops_per_s / env gemm_gflops of the case's device/dtype.
    MEMORY: peak_bytes is the peak of bytes live during one round's target above those live when
    the target began (after its untimed setup), measured in one extra untimed round
    (rnnbench.measurement.memory): CPU from torch.profiler's memory events, CUDA from the
    allocator's counters. model_peak_bytes is the memory model's figure for the same quantity
    (rnnbench.measurement.analytic.memory_model), kept beside it. A case refused by the pre-flight
    check is `skipped` with measures {model_total_bytes (the model's weights + inputs + peak),
    model_peak_bytes, available_bytes (what the device could give: MemAvailable or free CUDA
    memory)}. Before these were added within v1, peak_bytes was CUDA only (null on CPU) and counted
    from the start of the round (setup included, weights and inputs included); no stored run has a
    CUDA record of that kind.
    instructions: with `counts` status ok, the median counted repeat's instructions.
    state_tensors, state_shapes, state_bytes_per_seq (rnnbench.measurement.state): the state
    nn.LSTM / nn.GRU returned in one forward of the case's input: how many tensors (LSTM h and c:
    2, GRU h: 1), their shapes (layers x directions, batch, hidden), and their bytes for one
    sequence; absent for impls without an nn.LSTM / nn.GRU module.
    flops_measured (v2): FLOPs of one round counted by torch.utils.flop_counter.FlopCounterMode,
    beside the formula's `flops` (user cells have only this one: their `flops` and
    `model_peak_bytes` are null, not modelled, and gflops_per_s uses flops_measured); flops_by_op:
    {aten op: FLOPs} of that count (rnnbench.measurement.flops).
    """

    param_bytes: int
    saved_bytes: int
    peak_bytes: int | None
    flops: int | None
    gflops_per_s: float | None
    tokens_per_s: float
    first_round_s: float | None
    efficiency: float | None
    instructions: int
    model_peak_bytes: int | None
    model_total_bytes: int
    available_bytes: int
    flops_measured: int | None
    flops_by_op: dict[str, int]


class Curve(TypedDict):
    """One seed's learning curve: held-out metric `value` at each `step`, after `seconds` of training."""

    step: list[int]
    seconds: list[float]
    value: list[float]


class QualityMeasures(StateMeasures, total=False):
    """`record.measures` of a quality record (phase "train_quality"; one per case, all seeds).

    Its `times_s` are the training seconds of each seed (evaluations excluded), `stats` over them.
    params; trained_hidden_size (the hidden size it trained with); task; metric ("accuracy" |
    "mse"); baseline (chance accuracy, or 1/6: the MSE of always answering 1 on the adding
    problem); target; seeds; steps (the budget); learning_rate; threads; metric_values [final
    held-out metric per seed]; metric_mean; metric_std (ddof 1); reached_target (seeds that
    reached the target); seed_steps_to_target and seed_time_to_target_s [per seed, null where not
    reached]; steps_to_target and time_to_target_s (medians over the seeds that did; null when none
    did); curves [per seed: `Curve`]; state_tensors, state_shapes, state_bytes_per_seq (as for
    timed records).
    Quality records written before tasks existed (within v1) have instead: task "recall-first"
    (= recall), chance, target_accuracy, accuracies, accuracy_mean, accuracy_std, reached_target,
    steps_to_target, time_to_target_s; rnnbench.reports.accuracy reads both: accuracy_summary(frame)
    turns these rows into the accuracy table.
    """

    task: str
    seeds: int
    steps: int
    chance: float
    target_accuracy: float
    accuracies: list[float]
    accuracy_mean: float
    accuracy_std: float
    reached_target: int
    steps_to_target: float | None
    time_to_target_s: float | None
    metric: str
    baseline: float
    target: float
    learning_rate: float
    trained_hidden_size: int
    metric_values: list[float]
    metric_mean: float
    metric_std: float
    seed_steps_to_target: list[int | None]
    seed_time_to_target_s: list[float | None]
    curves: list[Curve]


class Measures(TimedMeasures, QualityMeasures, total=False):
    """`record.measures`: a timed record's `TimedMeasures` or a quality record's `QualityMeasures`
    (both have params, threads and the state measures); {} for failed and most skipped records."""


class TopOp(TypedDict):
    """One of a profile's top operators: calls and self times per round, share of `phase_self_s`."""

    name: str
    calls: int
    self_cpu_s: float
    self_cuda_s: float
    share: float


class ProfileSchedule(TypedDict):
    """torch.profiler's schedule of a profiled case: steps waited, warmed up, recorded."""

    wait: int
    warmup: int
    active: int


class Profile(TypedDict, total=False):
    """`record.profile`: only for ok records of a `--profile` run (rnnbench.measurement.profiling).

    trace_dir: DIR/<case id> (DIR as given to --profile); trace: its <worker>.<n>.pt.trace.json;
    ranked_by: "self_cpu" | "self_cuda"; phase_self_s: self time per round in the timed target
    (the shares' denominator); op_calls: operator and autograd-node calls per round in the timed
    target; top_ops: `TopOp`s; cudnn_ran: CUDA only: a cuDNN op or kernel ran.
    When profiling failed: only trace_dir, error (one line) and top_ops [].
    """

    trace_dir: str
    trace: str
    schedule: ProfileSchedule
    ranked_by: str
    phase_self_s: float
    op_calls: int
    top_ops: list[TopOp]
    cudnn_ran: bool
    error: str


class Counts(TypedDict, total=False):
    """`record.counts`: only for ok records of a `--counts` run (rnnbench.measurement.counts).

    status "ok": instructions [of the timed target, per counted repeat], threads (1: counted at),
    warmup_rounds, functions {"function (library)": inclusive instructions of the last repeat, for
    functions above 0.5% of it, largest first; for a user cell also "Qualname (file.py)": inclusive
    instructions of each Python function of its file, counted in a round of its own,
    rnnbench.measurement.python_counts}; with status ok, measures.instructions is the
    median repeat's count. status "not applicable" (CUDA and training cases) | "failed": reason
    (one line) only.
    """

    status: str
    reason: str
    instructions: list[int]
    threads: int
    warmup_rounds: int
    functions: dict[str, int]


class CellCode(TypedDict):
    """`record.cell_code` (v2, every record the runner writes; built-ins as `torch.nn:LSTM` / `torch.nn:GRU`)."""

    ref: str  # the full reference (Case.cell_ref: an absolute path for `FILE.py:NAME`)
    name: str  # the short cell name (case.cell, in the id)
    source_hash: (
        str | None
    )  # sha256 (16 hex) of the file that defines the cell; null without Python source


class Pace(TypedDict):
    """`record.pace` (v2, CPU cases timed since 2026-11-30): the machine-pace probe timed just before
    each timed round (`rnnbench.measurement.pace`), for comparing one run per side across drift."""

    # the probe's id; paced times are compared only between equal ids (and torch versions)
    probe: str
    times_s: list[float]  # seconds of the probe before each timed round, in the order of times_s


class _RecordKeys(TypedDict):
    id: str
    case: CaseDict
    status: Status
    reason: str | None
    times_s: list[float]
    stats: Stats | None
    noisy: bool | None
    measures: Measures
    code_hash: str | None


class Record(_RecordKeys, total=False):
    """One record per case, i.e. one shape x one phase, e.g. id
    "lstm-layer-b32-t100-i300-h256-l2-bi-cpu-fp32-forward".

    status "ok" | "failed" | "skipped"; reason: null | one line: why it failed or was skipped.
    times_s: raw seconds of every timed round, in order (empty unless ok; each a positive, finite
    number: readers refuse NaN, infinite, zero or negative times); stats: `Stats` | null; noisy:
    IQR > 10% of the median; code_hash: hash of the case and the code that runs it (null in
    converted pytest-benchmark files). Optional: `profile`, `counts`, `cell_code`, `pace`. Readers refuse
    records whose `case` or `measures` is not an object, naming the file and the record.
    """

    profile: Profile
    counts: Counts
    cell_code: CellCode
    pace: Pace


class Document(TypedDict):
    """A results file: {"schema": "rnnbench-results", "schema_version": 2, run, env, records}.
    Loaded documents also carry `source`, the path they were read from (not written to disk)."""

    schema: str
    schema_version: int
    run: Run
    env: Env
    records: list[Record]


class LoadedDocument(Document, total=False):
    """A `Document` as `rnnbench.results.store.load` returns it: with the path it was read from."""

    source: str


MEASURES = tuple(TimedMeasures.__annotations__)  # StateMeasures' keys first
QUALITY_MEASURES = tuple(name for name in QualityMeasures.__annotations__ if name not in MEASURES)
STATS = tuple(Stats.__annotations__)


def document(run: Run, env: Env, records: list[Record], version: int = SCHEMA_VERSION) -> Document:
    """A complete results document, at this version unless told (records read back from storage
    that keeps no version are stamped with the oldest they may have, and upgraded on read)."""
    return {"schema": SCHEMA, "schema_version": version, "run": run, "env": env, "records": records}


def as_document(doc: Any) -> Document:
    """`doc`, checked by the caller (rnnbench.results.validate), as a `Document`."""
    return doc
