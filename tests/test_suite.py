"""Suite files: expansion into cases, ids, and one-line errors that name the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from rnnbench.cases import suite
from rnnbench.cases.case import Case
from rnnbench.cli import main
from rnnbench.errors import EXIT_USAGE, UserError
from tests.conftest import tiny_case


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "s.toml"
    path.write_text(text)
    return str(path)


GRID = """
[[grid]]
cell = ["lstm", "gru"]
batch = [1, 8]
seq_len = 10
input_size = 4
hidden_size = 6
bidirectional = [false, true]
"""


def test_grid_is_a_cartesian_product_and_cpu_never_duplicates_over_cudnn(tmp_path: Path) -> None:
    loaded = suite.load(write(tmp_path, GRID))
    cpu = [c for c in loaded.cases if c.device == "cpu"]
    cuda = [c for c in loaded.cases if c.device == "cuda"]
    assert len(cpu) == 2 * 2 * 2 * 4  # cells x batches x directions x phases
    assert len(cuda) == 2 * len(cpu)  # cudnn on and off
    assert {c.cudnn for c in cpu} == {None}
    assert {c.cudnn for c in cuda} == {True, False}
    assert len(set(loaded.cases)) == len(loaded.cases)


def test_defaults_and_explicit_cases_merge_without_duplicates(tmp_path: Path) -> None:
    text = (
        GRID
        + """
[defaults]
device = "cpu"
phases = ["inference"]

[[case]]
cell = "lstm"
batch = 1
seq_len = 10
input_size = 4
hidden_size = 6
phases = ["inference", "forward"]
"""
    )
    loaded = suite.load(write(tmp_path, text))
    assert len(loaded.cases) == 2 * 2 * 2 + 1  # the case's inference phase is already in the grid
    assert (
        tiny_case(batch=1, seq_len=10, input_size=4, hidden_size=6, phase="forward") in loaded.cases
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GRID.replace("hidden_size", "hiden_size"), "grid[0].hiden_size: unknown key"),
        (GRID.replace('"gru"', '"rnn"'), "grid[0].cell: unknown value 'rnn'"),
        (
            GRID.replace("batch = [1, 8]", "batch = [0]"),
            "grid[0].batch: must be a positive integer",
        ),
        (
            GRID.replace("seq_len = 10", "seq_len = 2.5"),
            "grid[0].seq_len: must be a positive integer",
        ),
        (GRID.replace("seq_len = 10\n", ""), "grid[0].seq_len: missing"),
        (GRID + '\n[defaults]\ncudnn = "maybe"\n', "grid[0].cudnn: unknown value 'maybe'"),
        (GRID + '\n[defaults]\ndtype = "float8"\n', "grid[0].dtype: unknown value 'float8'"),
        (GRID + "\n[settings]\nmax_time = -1\n", "settings.max_time: must be a positive number"),
        (GRID + "\n[settings]\nrounds = 3\n", "settings.rounds: unknown key"),
        (GRID + "\n[bogus]\nx = 1\n", "bogus: unknown table"),
        ('[[case]]\ncell = ["lstm", "gru"]\n', "case[0].cell: a [[case]] takes one value"),
        ("[suite]\nname = 'x'\n", "no [[grid]] or [[case]] tables"),
        ("[[grid]\n", "not valid TOML"),
    ],
)
def test_mistakes_are_one_line_errors_naming_the_field(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(UserError) as info:
        suite.load(write(tmp_path, text))
    assert message in str(info.value)
    assert str(info.value).startswith("s.toml: ")
    assert "\n" not in str(info.value)


def test_unknown_suite_name_lists_the_shipped_ones() -> None:
    with pytest.raises(UserError, match=r"unknown suite 'nope' \(shipped: .*smoke"):
        suite.load("nope")


def test_readable_ids() -> None:
    case = tiny_case(
        batch=32, seq_len=100, input_size=300, hidden_size=256, num_layers=2, bidirectional=True
    )
    assert case.id == "lstm-layer-b32-t100-i300-h256-l2-bi-cpu-fp32-forward"
    cuda = tiny_case(device="cuda", cudnn=False, cell="gru", phase="backward")
    assert cuda.id == "gru-layer-b2-t3-i4-h5-l1-uni-cuda-native-fp32-backward"
    assert Case.from_dict(cuda.to_dict()) == cuda


@pytest.mark.parametrize(
    "name", ["smoke", "default", "seed", "full", "impls", "variants", "quality", "quality-full"]
)
def test_shipped_suites_load(name: str) -> None:
    loaded = suite.load(name)
    assert loaded.cases
    assert {c.cell for c in loaded.cases} == {"lstm", "gru"}


def test_smoke_covers_cells_phases_directions_and_depths() -> None:
    cpu = [c for c in suite.load("smoke").cases if c.device == "cpu"]
    assert {c.phase for c in cpu} == {"forward", "backward", "forward_backward", "inference"}
    assert {c.bidirectional for c in cpu} == {False, True}
    assert {c.num_layers for c in cpu} == {1, 2}


def test_cases_command_reports_a_bad_suite_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cases", write(tmp_path, GRID.replace("batch", "batsh"))]) == EXIT_USAGE
    err = capsys.readouterr().err.strip()
    assert err == (
        "rnnbench cases: error: s.toml: grid[0].batsh: unknown key (expected one of: cell, model, "
        "batch, seq_len, input_size, hidden_size, num_layers, bidirectional, dtype, device, cudnn, phases, "
        "impl, layout, threads, task, forget_bias, match)"
    )
