"""Quality training: untrained and memoryless models score at chance, one seed gives one result,
the stopping rule, forget-gate bias, equal-parameter sizing and the records it all ends in."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import torch
from scipy import stats

from rnnbench.cases import suite
from rnnbench.cases.case import Case
from rnnbench.errors import UserError
from rnnbench.measurement import quality, runner, tasks
from rnnbench.measurement.env import threads_for
from rnnbench.measurement.timing import TimingPolicy
from rnnbench.models import build as models
from rnnbench.results import store
from tests.conftest import tiny_case

SETTINGS = quality.QualitySettings(
    seeds=2, steps=150, eval_every=25, eval_size=1000, learning_rate=0.01
)
CASE = tiny_case(
    model="classifier",
    cell="gru",
    batch=32,
    seq_len=8,
    input_size=8,
    hidden_size=16,
    phase="train_quality",
    threads=1,
)
ADDING = dataclasses.replace(CASE, task="adding", model="layer", input_size=2)
SENTIMENT = dataclasses.replace(
    CASE, task="sentiment", seq_len=12, bidirectional=True, num_layers=2
)


def consistent_with_chance(accuracy: float, chance: float) -> bool:
    """A binomial test cannot tell `accuracy` on the eval set from guessing (at the 0.1% level)."""
    hits = round(accuracy * SETTINGS.eval_size)
    return stats.binomtest(hits, SETTINGS.eval_size, chance).pvalue > 1e-3


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("case", [CASE, SENTIMENT], ids=["recall", "sentiment"])
def test_an_untrained_classifier_scores_at_chance(case: Case, cell: str) -> None:
    case = dataclasses.replace(case, cell=cell, seq_len=20)
    torch.manual_seed(0)
    task = quality.task_of(case)
    score = quality.evaluate(task, quality.build(case, SETTINGS), *quality.eval_set(case, SETTINGS))
    assert consistent_with_chance(score, task.baseline(SETTINGS))


def test_an_untrained_regressor_is_no_better_than_always_answering_the_mean() -> None:
    torch.manual_seed(0)
    task = quality.task_of(ADDING)
    mse = quality.evaluate(
        task, quality.build(ADDING, SETTINGS), *quality.eval_set(ADDING, SETTINGS)
    )
    assert mse > 0.9 * task.baseline(SETTINGS)


def train(case: Case, window: int | None = None, seed: int = 0) -> quality.Run:
    with threads_for(
        case.threads
    ):  # tiny models: one thread is fastest, and immune to a busy machine
        return quality.train(case, SETTINGS, seed=seed, window=window)


def test_a_model_that_sees_only_the_last_tokens_scores_at_chance_after_training() -> None:
    run = train(CASE, window=CASE.seq_len - 1)
    assert consistent_with_chance(run.final, 1 / SETTINGS.classes) and run.steps_to_target is None


def test_a_regressor_that_sees_only_the_last_step_does_not_beat_the_baseline() -> None:
    run = train(ADDING, window=1)
    assert (
        run.final > 0.85 * quality.task_of(ADDING).baseline(SETTINGS)
        and run.steps_to_target is None
    )


def test_the_same_model_with_the_whole_sequence_learns_and_one_seed_gives_one_curve() -> None:
    run = train(CASE)
    assert not consistent_with_chance(run.final, 1 / SETTINGS.classes) and run.final > 0.5
    again = train(CASE)  # the same seed: the same curve (seconds are the clock's, not the seed's)
    assert (again.steps, again.values, again.steps_to_target) == (
        run.steps,
        run.values,
        run.steps_to_target,
    )
    assert run.steps[0] == 0 and run.seconds[0] == 0 and run.steps == sorted(run.steps)
    assert all(b >= a for a, b in zip(run.seconds, run.seconds[1:]))
    if run.steps_to_target is not None:
        index = run.steps.index(run.steps_to_target)
        assert run.values[index] >= SETTINGS.target_accuracy > max(run.values[:index])


def test_a_seed_stops_once_it_has_reached_the_target_and_saturated() -> None:
    task = tasks.TASKS["recall"]
    rule = dataclasses.replace(SETTINGS, patience=2, min_delta=0.01)
    assert quality.saturated(task, [0.25, 0.6, 1.0], rule)
    assert not quality.saturated(task, [0.25, 0.96, 0.97, 0.99], rule)  # still improving
    assert quality.saturated(task, [0.25, 0.97, 0.97, 0.975], rule)
    adding = tasks.TASKS["adding"]  # lower is better; min_delta is in skill (1/6 of MSE here)
    assert quality.saturated(adding, [0.2, 0.009, 0.0089, 0.0088], rule)
    assert not quality.saturated(adding, [0.2, 0.009, 0.001, 0.0009], rule)
    assert not quality.saturated(
        task, [0.25, 0.97, 0.97, 0.97], dataclasses.replace(rule, patience=0)
    )


def test_forget_bias_sets_the_forget_gate_only() -> None:
    case = dataclasses.replace(CASE, cell="lstm", forget_bias=1.0)
    torch.manual_seed(0)
    plain = quality.build(dataclasses.replace(case, forget_bias=None), SETTINGS)
    torch.manual_seed(0)
    rnn, before = models.rnn_of(quality.build(case, SETTINGS)), models.rnn_of(plain)
    h = case.hidden_size
    assert torch.all(rnn.bias_ih_l0[h : 2 * h] == 1) and torch.all(rnn.bias_hh_l0[h : 2 * h] == 0)
    for gate in (slice(0, h), slice(2 * h, 4 * h)):
        assert torch.equal(rnn.bias_ih_l0[gate], before.bias_ih_l0[gate])


@pytest.mark.parametrize("case", [CASE, ADDING, SENTIMENT], ids=["recall", "adding", "sentiment"])
def test_equal_parameters_raise_gru_hidden_to_the_closest_count(case: Case) -> None:
    matched = dataclasses.replace(case, match="params")
    hidden = quality.matched_hidden(matched, SETTINGS)
    goal = quality.count_params(quality.build(dataclasses.replace(case, cell="lstm"), SETTINGS))

    def gap(size: int) -> int:
        return abs(
            quality.count_params(
                quality.build(dataclasses.replace(case, hidden_size=size), SETTINGS)
            )
            - goal
        )

    assert hidden > case.hidden_size and gap(hidden) <= min(gap(hidden - 1), gap(hidden + 1))
    assert (
        quality.count_params(quality.build(matched, SETTINGS)) == goal - gap(hidden)
        or gap(hidden) > 0
    )


@pytest.mark.parametrize(
    "changes, reason",
    [
        ({"forget_bias": 1.0}, "GRU has no forget gate"),
        ({"cell": "lstm", "match": "params"}, "LSTM is the reference"),
    ],
)
def test_combinations_without_meaning_are_skipped_with_a_reason(
    changes: dict[str, object], reason: str
) -> None:
    case = dataclasses.replace(CASE, **changes)
    assert reason in (runner.skip_reason(case, cuda_available=False) or "")


def test_a_quality_case_becomes_a_record_with_curves() -> None:
    settings = quality.QualitySettings(seeds=2, steps=20, eval_every=10, eval_size=50)
    record, error = runner.run_case(ADDING, TimingPolicy(), settings=settings)
    assert error is None and record["status"] == "ok"
    measures = record["measures"]
    assert (
        len(record["times_s"]) == 2
        and measures["metric"] == "mse"
        and measures["baseline"] == pytest.approx(1 / 6)
    )
    assert [len(c["value"]) for c in measures["curves"]] == [3, 3]
    assert measures["metric_values"] == [c["value"][-1] for c in measures["curves"]]
    assert record["times_s"] == [c["seconds"][-1] for c in measures["curves"]]
    assert measures["state_tensors"] == 1 and measures["params"] == quality.count_params(
        quality.build(ADDING, settings)
    )


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"task": "adding"}, "model: task 'adding' trains model 'layer'"),
        ({"task": "adding", "model": "layer"}, "input_size: task 'adding' feeds 2 features"),
        ({"task": "copy"}, "task: unknown value 'copy'"),
        ({"phase": "forward", "task": "recall"}, "task: only train_quality cases"),
        ({"match": "size"}, "match: unknown value 'size'"),
    ],
)
def test_quality_axes_name_the_field_when_wrong(changes: dict[str, object], message: str) -> None:
    with pytest.raises(UserError, match=message):
        dataclasses.replace(CASE, **changes)


def test_settings_mistakes_name_the_field() -> None:
    with pytest.raises(UserError, match="sentiment_words: must be odd"):
        quality.QualitySettings(sentiment_words=2)
    with pytest.raises(UserError, match="target_mse: must be in"):
        quality.QualitySettings(target_mse=0)


def test_the_shipped_quality_suites_and_their_mistakes(tmp_path: Path) -> None:
    for name in ("quality", "quality-full"):
        loaded = suite.load(name)
        assert {c.task for c in loaded.cases} == {
            "recall",
            "adding",
            "sentiment",
        } and loaded.quality.seeds >= 3
        assert {c.forget_bias for c in loaded.cases} == {None, 1.0} and {
            c.phase for c in loaded.cases
        } == {"train_quality"}
    assert suite.load("quality-full").quality.seeds >= 5
    bad = tmp_path / "q.toml"
    bad.write_text(
        Path(suite.SUITES_DIR / "quality.toml").read_text().replace("seeds = 3", "seeds = 0")
    )
    with pytest.raises(UserError, match=r"q.toml: quality.seeds: must be at least 1"):
        suite.load(str(bad))


@pytest.mark.usefixtures("in_process_bench")  # before the in-process pytest run
def test_pytest_bench_runs_a_quality_suite_and_skips_what_has_no_meaning(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(
        ".toml",
        q="""
[quality]
seeds = 2
steps = 4
eval_every = 2
eval_size = 20

[[grid]]
cell = ["lstm", "gru"]
forget_bias = ["default", 1]
task = "adding"
device = "cpu"
threads = 1
batch = 4
seq_len = 5
input_size = 2
hidden_size = 4
phases = ["train_quality"]
""",
    )
    pytester.makepyfile(test_cases="from rnnbench.bench_rnn import bench_rnn as test_rnn\n")
    result = pytester.runpytest_inprocess(
        "-p", "rnnbench.conftest", "--suite", "q.toml", "--results", "out"
    )
    result.assert_outcomes(passed=3, skipped=1)
    frame = store.load_frame([pytester.path / "out"]).set_index("id")
    assert (
        frame.loc[
            "lstm-layer-adding-b4-t5-i2-h4-l1-uni-cpu-thr1-fp32-fb1-train_quality", "forget_bias"
        ]
        == 1
    )
    skipped = frame[frame["status"] == "skipped"]
    assert list(skipped["cell"]) == ["gru"] and "no forget gate" in skipped["reason"].iloc[0]
    assert all(len(curves) == 2 for curves in frame.loc[frame["status"] == "ok", "curves"])
