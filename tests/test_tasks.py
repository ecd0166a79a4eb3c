"""The quality tasks: seeded, scored perfectly by their oracles, and needing order and memory."""

from __future__ import annotations

import pytest
import torch

from rnnbench.measurement import tasks
from rnnbench.measurement.quality import QualitySettings
from rnnbench.results import metrics

SETTINGS = QualitySettings()


def draw(
    name: str, size: int = 2000, seq_len: int = 30, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    return tasks.TASKS[name].batch(torch.Generator().manual_seed(seed), size, seq_len, SETTINGS)


@pytest.mark.parametrize("name", sorted(tasks.TASKS))
def test_each_oracle_scores_perfectly_and_a_seed_fixes_the_data(name: str) -> None:
    task = tasks.TASKS[name]
    inputs, targets = draw(name)
    perfect = tasks.score(task, task.oracle(inputs, SETTINGS), targets)
    assert perfect == metrics.PERFECT[task.metric]
    again, other = draw(name), draw(name, seed=1)
    assert torch.equal(again[0], inputs) and torch.equal(again[1], targets)
    assert not torch.equal(other[0], inputs)


def test_recall_labels_are_the_first_token_and_never_a_distractor() -> None:
    tokens, labels = draw("recall")
    assert torch.equal(tokens[:, 0], labels) and set(labels.tolist()) == set(
        range(SETTINGS.classes)
    )
    assert tokens[:, 1:].min() >= SETTINGS.classes


def test_adding_marks_one_value_in_each_half_and_its_baseline_is_one_sixth() -> None:
    inputs, targets = draw("adding", size=20000)
    marks = inputs[..., 1]
    assert torch.equal(marks.sum(1), torch.full((20000,), 2.0))
    assert torch.equal(marks[:, :15].sum(1), torch.ones(20000))
    always_one = tasks.score(tasks.TASKS["adding"], torch.ones(20000), targets)
    assert always_one == pytest.approx(tasks.TASKS["adding"].baseline(SETTINGS), abs=0.01)


def test_sentiment_labels_depend_on_word_order() -> None:
    task = tasks.TASKS["sentiment"]
    tokens, labels = draw("sentiment")
    assert 0.4 < labels.float().mean() < 0.6
    reversed_labels = task.oracle(tokens.flip(1), SETTINGS)  # a "not" now follows its word
    assert (reversed_labels != labels).float().mean() > 0.3
    bag = (tokens == tasks.NOT).sum(1)  # a bag of words knows how many "not"s, not what they negate
    polar = ((tokens >= tasks.POSITIVE) & (tokens < tasks.NEGATIVE)).sum(1) - (
        (tokens >= tasks.NEGATIVE) & (tokens < tasks.NOISE)
    ).sum(1)
    ignoring_not = (polar > 0).long()
    assert tasks.score(task, ignoring_not, labels) < 0.8 and bag.max() >= 1


def test_a_too_short_sequence_is_refused() -> None:
    with pytest.raises(ValueError, match="too short"):
        draw("sentiment", seq_len=6)
