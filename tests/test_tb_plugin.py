"""The traces load in TensorBoard's profiler plugin (optional `tb` extra), through its own loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from rnnbench.cases.case import Case
from rnnbench.measurement import runner

tb_loader = pytest.importorskip(
    "torch_tb_profiler.profiler.loader",
    reason="torch-tb-profiler is not installed (optional: pip install -e '.[tb]')",
)
tb_io = pytest.importorskip("torch_tb_profiler.io")


def test_plugin_loads_the_run_with_its_views(tmp_path: Path) -> None:
    case = Case(
        cell="gru",
        model="layer",
        batch=2,
        seq_len=3,
        input_size=4,
        hidden_size=4,
        num_layers=1,
        bidirectional=False,
        dtype="float32",
        device="cpu",
        cudnn=None,
        phase="forward_backward",
    )
    trace_dir = tmp_path / case.id
    runner.profile_case(case, trace_dir)
    with tb_io.Cache(str(tmp_path / "cache")) as cache:
        run = tb_loader.RunLoader(case.id, str(trace_dir), cache).load()
    (profile,) = run.get_profiles()  # one worker, one span: the <worker>.<n> of the file name
    views = {view.display_name for view in profile.views}
    assert {"Overview", "Operator", "Trace", "Memory"} <= views
    assert profile.trace_file_path.endswith(".pt.trace.json")
