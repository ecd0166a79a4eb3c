"""Train LSTM and GRU on seeded tasks with oracles: learning curves, time to target, seed spread.

A `train_quality` case names a task (`rnnbench.measurement.tasks`: recall, adding, sentiment), the
cell and its shape, and optionally a forget-gate bias (LSTM only) and `match = "params"` (GRU
hidden size raised until its parameter count is closest to the LSTM's at the case's hidden size).

Each seed trains a fresh model (torch seed = seed) on fresh batches from
`torch.Generator().manual_seed(seed)` with Adam, and evaluates on one held-out set of `eval_size`
sequences (seed EVAL_SEED) before training and every `eval_every` steps. Training seconds exclude
evaluations and batch generation. A seed stops at `steps`, or earlier once it has reached the
target and is saturated: accuracy 1.0, or `patience` evaluations in a row without beating its best
by `min_delta` (in units of the baseline-to-perfect range). The rule is the same for every cell, so a cell that never reaches the target
trains the whole budget. Steps and seconds to target are those of the first evaluation at target.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn

from rnnbench.cases.case import Case
from rnnbench.cases.quality_settings import QualitySettings
from rnnbench.measurement import state, tasks
from rnnbench.models import build as models
from rnnbench.results import metrics
from rnnbench.results.schema import QualityMeasures

EVAL_SEED = 10_000


@dataclass(frozen=True)
class Run:
    """One seed's training: its learning curve and when (if ever) it reached the target."""

    steps: list[int]
    seconds: list[float]
    values: list[float]
    steps_to_target: int | None
    time_to_target_s: float | None

    @property
    def final(self) -> float:
        return self.values[-1]

    @property
    def train_s(self) -> float:
        return self.seconds[-1]


def task_of(case: Case) -> tasks.Task:
    """The task a quality case trains on (records before tasks existed trained on recall)."""
    return tasks.TASKS[case.task or "recall"]


def skip_reason(case: Case) -> str | None:
    """Why a quality case cannot run (a combination that has no meaning), or None."""
    if case.forget_bias is not None and case.cell != "lstm":
        return f"forget_bias: {case.cell.upper()} has no forget gate (LSTM only)"
    if case.forget_bias is not None and case.impl != "fused":
        return f"forget_bias: set on nn.LSTM's bias, so impl 'fused' only (not {case.impl!r})"
    if case.match == "params" and case.cell == "lstm":
        return "match: 'params' raises GRU's hidden size to LSTM's parameter count; LSTM is the reference"
    return None


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def matched_hidden(case: Case, settings: QualitySettings) -> int:
    """The hidden size at which `case`'s model has the parameter count closest to the LSTM's."""
    task = task_of(case)
    plain = dataclasses.replace(case, match="hidden")
    goal = count_params(
        task.build(dataclasses.replace(plain, cell="lstm", forget_bias=None), settings)
    )

    def params(hidden: int) -> int:
        return count_params(task.build(dataclasses.replace(plain, hidden_size=hidden), settings))

    low, high = case.hidden_size, 2 * case.hidden_size  # GRU has 3/4 of LSTM's RNN weights
    while low < high:  # the smallest hidden size with at least the goal's parameters
        mid = (low + high) // 2
        low, high = (mid + 1, high) if params(mid) < goal else (low, mid)
    return min((low - 1, low), key=lambda hidden: (abs(params(hidden) - goal), hidden))


def set_forget_bias(rnn: nn.RNNBase, value: float) -> None:
    """Make every LSTM layer's forget-gate bias `value` (b_ih = value, b_hh = 0; gates i, f, g, o)."""
    hidden = rnn.hidden_size
    with torch.no_grad():
        for name, param in rnn.named_parameters():
            if name.startswith(("bias_ih", "bias_hh")):
                param[hidden : 2 * hidden] = value if name.startswith("bias_ih") else 0.0


def sized(case: Case, settings: QualitySettings) -> Case:
    """`case` at the hidden size it trains with (raised for match = 'params')."""
    if case.match != "params":
        return case
    return dataclasses.replace(case, hidden_size=matched_hidden(case, settings))


def build(case: Case, settings: QualitySettings) -> nn.Module:
    """The model `case` trains: the task's model at its size, forget-gate bias set if asked."""
    model = task_of(case).build(sized(case, settings), settings)
    if case.forget_bias is not None:
        set_forget_bias(models.rnn_of(model), case.forget_bias)
    return model


def evaluate(
    task: tasks.Task, model: nn.Module, inputs: Tensor, targets: Tensor, window: int | None = None
) -> float:
    """The task's metric on held-out data; `window` feeds only the last `window` steps."""
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        output = model(inputs[:, -window:] if window else inputs)
    model.train(was_training)
    return tasks.score(task, tasks.predict(task, output), targets)


def eval_set(case: Case, settings: QualitySettings) -> tuple[Tensor, Tensor]:
    """The held-out set every seed of `case` is scored on."""
    gen = torch.Generator().manual_seed(EVAL_SEED)
    inputs, targets = task_of(case).batch(gen, settings.eval_size, case.seq_len, settings)
    return inputs.to(case.device), targets.to(case.device)


def saturated(task: tasks.Task, values: list[float], settings: QualitySettings) -> bool:
    """Accuracy 1.0, or the last `patience` evaluations did not beat the best before them by
    `min_delta` of the baseline-to-perfect range (so one rule serves accuracy and MSE)."""
    if task.metric == "accuracy" and values[-1] >= 1.0:
        return True
    if settings.patience == 0 or len(values) <= settings.patience:
        return False
    skill = metrics.skill(values, task.metric, task.baseline(settings))
    return bool(
        skill[-settings.patience :].max() < skill[: -settings.patience].max() + settings.min_delta
    )


def train(case: Case, settings: QualitySettings, seed: int, window: int | None = None) -> Run:
    """Train one seed of `case` (on the last `window` steps only, if given)."""
    task = task_of(case)
    torch.manual_seed(seed)
    model = build(case, settings).to(case.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.learning_rate)
    gen = torch.Generator().manual_seed(seed)
    eval_inputs, eval_targets = eval_set(case, settings)
    target = settings.target(task)
    steps, seconds, values = [0], [0.0], [evaluate(task, model, eval_inputs, eval_targets, window)]
    reached: tuple[int, float] | None = None
    train_s = 0.0
    model.train()
    for step in range(1, settings.steps + 1):
        inputs, targets = task.batch(gen, case.batch, case.seq_len, settings)
        inputs, targets = inputs.to(case.device), targets.to(case.device)
        start = time.perf_counter()
        loss = tasks.loss(task, model(inputs[:, -window:] if window else inputs), targets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if case.device == "cuda":
            torch.cuda.synchronize()
        train_s += time.perf_counter() - start
        if step % settings.eval_every and step != settings.steps:
            continue
        steps.append(step)
        seconds.append(train_s)
        values.append(evaluate(task, model, eval_inputs, eval_targets, window))
        if reached is None and metrics.reached(values[-1], task.metric, target):
            reached = (step, train_s)
        if reached is not None and saturated(task, values, settings):
            break
    return Run(
        steps, seconds, values, reached[0] if reached else None, reached[1] if reached else None
    )


def median_or_none(values: list[float | None]) -> float | None:
    hits = [v for v in values if v is not None]
    return float(np.median(hits)) if hits else None


def train_seeds(case: Case, settings: QualitySettings) -> tuple[list[float], QualityMeasures]:
    """Train every seed: per-seed training seconds, and the quality measures (results/schema.py)."""
    task = task_of(case)
    runs = [train(case, settings, seed) for seed in range(settings.seeds)]
    finals = np.array([run.final for run in runs])
    model = build(case, settings)
    return [run.train_s for run in runs], {
        "params": count_params(model),
        "trained_hidden_size": sized(case, settings).hidden_size,
        "task": case.task or "recall",
        "metric": task.metric,
        "baseline": task.baseline(settings),
        "target": settings.target(task),
        "seeds": settings.seeds,
        "steps": settings.steps,
        "learning_rate": settings.learning_rate,
        "metric_values": finals.tolist(),
        "metric_mean": float(finals.mean()),
        "metric_std": float(finals.std(ddof=1)) if len(runs) > 1 else 0.0,
        "reached_target": sum(run.steps_to_target is not None for run in runs),
        "seed_steps_to_target": [run.steps_to_target for run in runs],
        "seed_time_to_target_s": [run.time_to_target_s for run in runs],
        "steps_to_target": median_or_none([run.steps_to_target for run in runs]),
        "time_to_target_s": median_or_none([run.time_to_target_s for run in runs]),
        "curves": [
            {"step": run.steps, "seconds": run.seconds, "value": run.values} for run in runs
        ],
        **state.carried_state(model, eval_set(case, settings)[0][:2]),
    }
