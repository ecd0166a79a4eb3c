"""The quality suite's task needs memory: untrained and memoryless models score at chance."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from scipy import stats

from rnnbench.cases import suite
from rnnbench.errors import UserError
from rnnbench.measurement import quality, runner
from rnnbench.measurement.env import threads_for
from rnnbench.measurement.timing import TimingPolicy
from rnnbench.reports.accuracy import accuracy_summary
from rnnbench.results import store
from tests.conftest import tiny_case

SETTINGS = quality.QualitySettings(seeds=2, steps=150, eval_every=25, eval_size=1000)
CASE = tiny_case(
    model="classifier", cell="gru", batch=32, seq_len=8, input_size=8, hidden_size=16, phase="train_quality", threads=1
)


def eval_set(seq_len: int) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(quality.EVAL_SEED)
    return quality.batch(gen, SETTINGS.eval_size, seq_len, SETTINGS)


def consistent_with_chance(accuracy: float) -> bool:
    """A binomial test cannot tell `accuracy` on the eval set from guessing (at the 0.1% level)."""
    hits = round(accuracy * SETTINGS.eval_size)
    return stats.binomtest(hits, SETTINGS.eval_size, SETTINGS.chance).pvalue > 1e-3


def test_the_label_is_the_first_token_and_never_a_distractor() -> None:
    tokens, labels = eval_set(12)
    assert torch.equal(tokens[:, 0], labels)
    assert set(labels.tolist()) == set(range(SETTINGS.classes))
    assert tokens[:, 1:].min() >= SETTINGS.classes  # key tokens appear only at position 0


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_an_untrained_model_scores_at_chance(cell: str) -> None:
    case = tiny_case(**{**CASE.to_dict(), "cell": cell, "seq_len": 20})
    torch.manual_seed(0)
    model = quality.build(case, SETTINGS)
    assert consistent_with_chance(quality.accuracy(model, *eval_set(case.seq_len)))


def train(window: int | None) -> quality.Run:
    with threads_for(CASE.threads):  # tiny models: one thread is fastest, and immune to a busy machine
        return quality.train(CASE, SETTINGS, seed=0, window=window)


def test_a_model_that_sees_only_the_last_tokens_scores_at_chance_after_training() -> None:
    run = train(window=CASE.seq_len - 1)
    assert consistent_with_chance(run.accuracy) and run.steps_to_target is None


def test_the_same_model_with_the_whole_sequence_learns_the_task() -> None:
    run = train(window=None)
    assert not consistent_with_chance(run.accuracy) and run.accuracy > 2 * SETTINGS.chance


def test_a_quality_case_becomes_a_record_and_a_summary_row(tmp_path: Path) -> None:
    settings = quality.QualitySettings(seeds=2, steps=20, eval_every=10, eval_size=50)
    record, error = runner.run_case(CASE, TimingPolicy(), settings=settings)
    assert error is None and record["status"] == "ok"
    assert len(record["times_s"]) == 2 and record["stats"]["rounds"] == 2
    measures = record["measures"]
    assert len(measures["accuracies"]) == 2 and measures["params"] == sum(
        p.numel() for p in quality.build(CASE, settings).parameters()
    )
    results = store.ResultsFile(tmp_path / "r.json", {"id": "r1", "suite": "q"}, {"fingerprint": "f"})
    results.add(record)
    results.add(runner.measure_case(tiny_case(), TimingPolicy(warmup_rounds=1, min_rounds=1, max_rounds=1)))
    table = accuracy_summary(store.load_frame([tmp_path]))
    assert len(table) == 1 and table.loc[0, "cell"] == "gru"
    assert table.loc[0, "accuracy_mean"] == pytest.approx(sum(measures["accuracies"]) / 2)
    assert table.loc[0, "accuracy"].count("±") == 1
    assert accuracy_summary(store.load_frame([tmp_path]).iloc[1:]).empty


def test_the_shipped_quality_suite_and_its_mistakes(tmp_path: Path) -> None:
    loaded = suite.load("quality")
    assert {c.cell for c in loaded.cases} == {"lstm", "gru"}
    assert {c.phase for c in loaded.cases} == {"train_quality"} and loaded.quality.seeds >= 3
    bad = tmp_path / "q.toml"
    bad.write_text(Path(suite.SUITES_DIR / "quality.toml").read_text().replace("seeds = 3", "seeds = 0"))
    with pytest.raises(UserError, match=r"q.toml: quality.seeds: must be at least 1"):
        suite.load(str(bad))
    with pytest.raises(UserError, match="phase: train_quality trains the classifier"):
        tiny_case(phase="train_quality")


def test_pytest_bench_runs_a_quality_suite(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", q="""
[quality]
seeds = 2
steps = 4
eval_every = 2
eval_size = 20

[[grid]]
cell = "gru"
model = "classifier"
device = "cpu"
threads = 1
batch = 4
seq_len = 5
input_size = 4
hidden_size = 4
phases = ["train_quality"]
""")
    pytester.makepyfile(test_cases="from rnnbench.bench_rnn import bench_rnn as test_rnn\n")
    result = pytester.runpytest_inprocess("-p", "rnnbench.conftest", "--suite", "q.toml", "--results", "out")
    result.assert_outcomes(passed=1)
    frame = store.load_frame([pytester.path / "out"])
    assert frame.loc[0, "phase"] == "train_quality" and len(frame.loc[0, "accuracies"]) == 2
