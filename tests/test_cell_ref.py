"""The open `cell` axis: the four reference forms, short names in ids, and suite resolution."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from rnnbench.cases import cell_ref, suite
from rnnbench.cases.case import Case
from rnnbench.errors import UserError
from tests.conftest import tiny_case, tiny_suite_toml


def test_builtins_and_their_torch_references_keep_the_builtin_ids() -> None:
    builtin = tiny_case(cell="lstm")
    assert builtin.cell_ref is None and builtin.id.startswith("lstm-layer-")
    assert tiny_case(cell="torch.nn:LSTM") == builtin
    assert tiny_case(cell="torch.nn:GRU").id == tiny_case(cell="gru").id


def test_module_reference_short_name_is_the_name_lower_cased() -> None:
    case = tiny_case(cell="torch.nn:RNN")
    assert (case.cell, case.cell_ref) == ("rnn", "torch.nn:RNN")
    assert case.id == tiny_case(cell="lstm").id.replace("lstm-", "rnn-", 1)


def test_file_reference_resolves_against_the_base_folder(tmp_path: Path) -> None:
    short, ref = cell_ref.parse("cells/my_cell.py:LayerNormLSTM2", tmp_path)
    assert short == "layernormlstm2"
    assert ref == f"{(tmp_path / 'cells' / 'my_cell.py').resolve()}:LayerNormLSTM2"


def test_entry_point_name_is_the_short_name(monkeypatch: pytest.MonkeyPatch) -> None:
    found = [SimpleNamespace(name="Fast-GRU", value="fastpkg.cells:FastGRUImpl")]
    monkeypatch.setattr(
        cell_ref, "entry_points", lambda group: found if group == cell_ref.ENTRY_POINT_GROUP else []
    )
    case = tiny_case(cell="Fast-GRU")
    assert (case.cell, case.cell_ref) == ("fast_gru", "fastpkg.cells:FastGRUImpl")


def test_a_stored_user_case_reads_back_without_importing_its_cell(tmp_path: Path) -> None:
    case = tiny_case(
        cell=f"{tmp_path}/gone.py:Mine"
    )  # the file does not exist: nothing is imported
    data = json.loads(json.dumps(case.to_dict()))
    assert Case.from_dict(data) == case
    old = {
        key: value for key, value in tiny_case().to_dict().items() if key != "cell_ref"
    }  # before the axis
    assert Case.from_dict(old) == tiny_case()


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (
            "nosuch",
            r"cell: unknown value 'nosuch' \(expected one of: lstm, gru.*FILE\.py:NAME, package\.module:NAME\)",
        ),
        (
            "my_cell.py:2bad",
            r"cell: 'my_cell\.py:2bad': NAME after ':' must be a Python identifier",
        ),
        (
            "not a module:Mine",
            r"cell: 'not a module:Mine' is neither FILE\.py:NAME nor package\.module:NAME",
        ),
        ("mine.py:LSTM", r"cell: 'mine\.py:LSTM' would share the built-in short name 'lstm'"),
        ("mine.py:_", r"cell: 'mine\.py:_' gives an empty short name"),
    ],
)
def test_bad_cell_values_are_one_line_errors_naming_the_field(cell: str, message: str) -> None:
    with pytest.raises(UserError, match=message) as caught:
        tiny_case(cell=cell)
    assert "\n" not in str(caught.value)


def test_user_cells_refuse_impls_that_rebuild_the_builtins() -> None:
    with pytest.raises(
        UserError, match=r"impl: 'cell_loop' rebuilds nn.LSTM / nn.GRU.*\(cell 'rnn'\)"
    ):
        tiny_case(cell="torch.nn:RNN", impl="cell_loop")
    with pytest.raises(UserError, match=r"layout: packed sequences need nn.LSTM / nn.GRU"):
        tiny_case(cell="torch.nn:RNN", layout="packed")
    with pytest.raises(UserError, match=r"phase: train_quality trains the built-in cells only"):
        tiny_case(cell="torch.nn:RNN", model="classifier", phase="train_quality")


def test_suite_file_references_are_relative_to_the_suite_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "suites"
    folder.mkdir()
    path = folder / "mine.toml"
    path.write_text(
        tiny_suite_toml(
            cell=["lstm", "my_cell.py:Mine", "torch.nn:RNN"], impl=["fused", "cell_loop"]
        )
    )
    monkeypatch.chdir(tmp_path)  # not the suite's folder
    cases = suite.load(str(path)).cases
    refs = {case.cell: case.cell_ref for case in cases}
    assert refs == {
        "lstm": None,
        "mine": f"{(folder / 'my_cell.py').resolve()}:Mine",
        "rnn": "torch.nn:RNN",
    }
    # the grid drops the user cells' cell_loop points instead of refusing the suite
    assert {(case.cell, case.impl) for case in cases} == {
        ("lstm", "fused"),
        ("lstm", "cell_loop"),
        ("mine", "fused"),
        ("rnn", "fused"),
    }


def test_two_references_with_one_short_name_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.toml"
    path.write_text(tiny_suite_toml(cell=["a.py:Mine", "b.py:MINE"]))
    with pytest.raises(
        UserError,
        match=r"dup.toml: cell: two references share the short name 'mine': .*a.py:Mine and .*b.py:MINE$",
    ):
        suite.load(str(path))


def test_a_case_table_with_a_bad_reference_names_its_table(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        tiny_suite_toml()
        + '\n[[case]]\ncell = "x.py:1"\nbatch = 1\nseq_len = 2\ninput_size = 3\nhidden_size = 4\n'
    )
    with pytest.raises(UserError, match=r"^bad.toml: case\[0\]\.cell: 'x.py:1': NAME after ':'"):
        suite.load(str(path))
