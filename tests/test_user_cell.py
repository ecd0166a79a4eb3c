"""User cells: checked before timing (one line, exit 4), measured like the built-ins, and attributed."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from gate_docs import document, record, times

from rnnbench.errors import EXIT_USAGE, UserError
from rnnbench.gate import compare
from rnnbench.measurement import analytic, flops, runner, workload
from rnnbench.measurement.session import BenchSession
from rnnbench.measurement.timing import TimingPolicy
from rnnbench.models import build as models
from rnnbench.models import user_cell
from tests.conftest import ROOT, tiny_case, tiny_suite_toml

CELLS = '''
import torch
from torch import nn


class Mine(nn.Module):
    """Meets the contract: an Elman RNN that returns (output, h)."""

    def __init__(self, input_size, hidden_size, num_layers=1, bidirectional=False, batch_first=True):
        super().__init__()
        self.inner = nn.RNN(input_size, hidden_size, num_layers=num_layers, bidirectional=bidirectional, batch_first=True)

    def forward(self, x):
        return self.inner(x)


class GRUAsUser(nn.GRU):
    """nn.GRU under another name: the classifier must read it from its output sequence."""


class WrongShape(Mine):
    def forward(self, x):
        return self.inner(x)[0][:, :, :1]


class NoKeywords(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()


class NaNCell(Mine):
    def forward(self, x):
        return self.inner(x)[0] * float("nan")


class Frozen(Mine):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.requires_grad_(False)


NOT_CALLABLE = 3
'''
POLICY = TimingPolicy(warmup_rounds=1, min_rounds=3, max_rounds=3, max_time=0.01)


@pytest.fixture
def cells(tmp_path: Path) -> Path:
    (tmp_path / "cells.py").write_text(CELLS)
    (tmp_path / "broken.py").write_text("import no_such_module_anywhere\n")
    return tmp_path


def write_suite(folder: Path, cell: list[str] | str, **axes: object) -> Path:
    path = folder / "mine.toml"
    path.write_text(tiny_suite_toml(cell=cell, **axes))
    return path


@pytest.mark.parametrize(
    ("cell", "cause"),
    [
        (
            "broken.py:Mine",
            r"does not import: ModuleNotFoundError: No module named 'no_such_module_anywhere'",
        ),
        ("gone.py:Mine", r"does not import: ImportError: no such file: .*gone.py"),
        ("cells.py:Absent", r"does not import: AttributeError: .*cells.py has no 'Absent'"),
        ("cells.py:NOT_CALLABLE", r"is a int, not a class or factory"),
        (
            "cells.py:NoKeywords",
            r"cannot be built as NAME\(input_size, hidden_size, num_layers=\.\.\., .*TypeError",
        ),
        (
            "cells.py:WrongShape",
            r"output of shape \(2, 3, 1\) on input \(2, 3, 5\); expected .* = \(2, 3, 4\)",
        ),
    ],
)
def test_a_cell_that_breaks_the_contract_stops_the_session_in_one_line(
    cells: Path, cell: str, cause: str
) -> None:
    session = BenchSession(suite_name=str(write_suite(cells, ["lstm", cell])))
    with pytest.raises(
        UserError,
        match=rf"^mine.toml: cell: .*:{cell.split(':')[1]} \(num_layers=1, bidirectional=false\) {cause}",
    ) as caught:
        session.cases  # noqa: B018 (building the cases runs the checks)
    assert "\n" not in str(caught.value)


def test_a_second_reference_under_a_short_name_already_used_is_refused(cells: Path) -> None:
    session = BenchSession(suite_name=str(write_suite(cells, ["cells.py:Mine"])))
    session.cases  # noqa: B018 (building the cases runs the checks)
    (cells / "other.py").write_text(CELLS)
    with pytest.raises(UserError, match=r"cell: two references share the short name 'mine'"):
        session.check_cells([tiny_case(cell=f"{cells}/other.py:Mine")])


@pytest.mark.slow  # a pytest bench subprocess per mistake
@pytest.mark.parametrize(
    ("cells_named", "message"),
    [
        (["broken.py:Mine"], "does not import"),
        (["cells.py:NOT_CALLABLE"], "not a class or factory"),
        (["cells.py:WrongShape"], "output of shape (2, 3, 1)"),
        (["cells.py:Mine", "other/cells.py:MINE"], "two references share the short name 'mine'"),
    ],
)
def test_pytest_bench_exits_4_before_any_case_runs(
    cells: Path, cells_named: list[str], message: str
) -> None:
    (cells / "other").mkdir()
    (cells / "other" / "cells.py").write_text(CELLS)
    path = write_suite(cells, ["lstm", *cells_named])
    results = cells / "results"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "bench",
        "--suite",
        str(path),
        "--results",
        str(results),
        "-q",
        "-p",
        "no:cacheprovider",
    ]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == EXIT_USAGE, done.stdout[-2000:] + done.stderr[-2000:]
    errors = [line for line in (done.stdout + done.stderr).splitlines() if message in line]
    assert len(errors) == 1 and errors[0].startswith("ERROR: mine.toml: cell: "), (
        done.stdout + done.stderr
    )
    assert "Traceback" not in done.stdout + done.stderr
    assert not results.exists()  # no case ran, no results file was begun


def test_a_user_cell_is_measured_with_params_measured_flops_and_its_code(cells: Path) -> None:
    case = tiny_case(cell=f"{cells}/cells.py:Mine", phase="forward_backward")
    measured = runner.measure_case(case, POLICY)
    measures = measured["measures"]
    assert measured["status"] == "ok" and measured["id"].startswith("mine-layer-")
    module = user_cell.build(case)
    assert measures["params"] == sum(p.numel() for p in module.parameters())
    assert measures["flops"] is None and measures["model_peak_bytes"] is None  # not modelled
    assert measures["flops_measured"] > 0 and measures["gflops_per_s"] > 0
    assert set(measures["flops_by_op"]) <= {"aten.mm", "aten.addmm"}
    assert measures["peak_bytes"] > 0 and measures["saved_bytes"] > 0
    source = hashlib.sha256((cells / "cells.py").read_bytes()).hexdigest()[:16]
    assert measured["cell_code"] == {
        "ref": f"{cells}/cells.py:Mine",
        "name": "mine",
        "source_hash": source,
    }


def test_nan_output_is_a_failed_record_and_no_parameters_skips_backward(cells: Path) -> None:
    record, error = runner.run_case(tiny_case(cell=f"{cells}/cells.py:NaNCell"), POLICY)
    assert record["status"] == "failed" and isinstance(error, runner.NonFiniteOutput)
    assert "output holds NaN or inf" in record["reason"]
    record, error = runner.run_case(
        tiny_case(cell=f"{cells}/cells.py:Frozen", phase="backward"), POLICY
    )
    assert (record["status"], error) == ("skipped", None)
    assert (
        record["reason"]
        == "phase backward: cell 'frozen' has no trainable parameters, so there is no backward pass to time"
    )
    assert (
        runner.run_case(tiny_case(cell=f"{cells}/cells.py:Frozen", phase="inference"), POLICY)[0][
            "status"
        ]
        == "ok"
    )


def test_the_classifier_around_a_user_cell_reads_what_the_builtin_reads(cells: Path) -> None:
    """nn.GRU as a user cell (read from its output sequence) gives the built-in GRU classifier's logits."""
    shape = dict(
        model="classifier", num_layers=2, bidirectional=True, seq_len=4, input_size=6, hidden_size=5
    )
    builtin, user = (
        tiny_case(cell="gru", **shape),
        tiny_case(cell=f"{cells}/cells.py:GRUAsUser", **shape),
    )
    torch.manual_seed(0)
    reference = models.build_model(builtin).eval()
    wrapped = models.build_model(user).eval()
    wrapped.load_state_dict(reference.state_dict())
    tokens = models.build_input(builtin)
    torch.testing.assert_close(wrapped(tokens), reference(tokens))


def test_measured_flops_equal_the_formula_for_gru_and_miss_onednn_lstm() -> None:
    """nn.GRU on CPU runs as mm/addmm per step: FlopCounterMode counts exactly the formula's
    forward; nn.LSTM runs as oneDNN's fused mkldnn_rnn_layer, which has no FLOP formula."""
    for cell, expected in (("gru", None), ("lstm", 0)):
        case = tiny_case(cell=cell, batch=3, seq_len=7, input_size=6, hidden_size=5)
        torch.manual_seed(0)
        model, inputs = runner.build(case)
        counted = flops.measure_flops(workload.build_workload("forward", model, inputs, "cpu"))
        assert counted["flops_measured"] == (
            analytic.forward_flops(case) if expected is None else expected
        )


def test_the_gate_says_when_a_cells_code_differs_from_the_baseline() -> None:
    def run(source_hash: str, seed: int) -> dict:
        doc = record("mine-layer-forward", times(seed=seed))
        return document(
            [doc | {"cell_code": {"ref": "x.py:Mine", "name": "mine", "source_hash": source_hash}}]
        )

    (row,) = compare.compare([run("aaaa", 0)], [run("bbbb", 1)]).rows
    assert row.note == "cell code differs from the baseline (source aaaa -> bbbb)"
    (row,) = compare.compare([run("aaaa", 0)], [run("aaaa", 1)]).rows
    assert "cell code" not in row.note
