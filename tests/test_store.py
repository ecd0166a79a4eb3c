"""Results files: atomic writes, schema checks, and the DataFrame loader."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rnnbench.errors import UserError
from rnnbench.measurement import env, runner
from rnnbench.measurement.timing import TimingPolicy
from rnnbench.results import schema, store
from tests.conftest import tiny_case

POLICY = TimingPolicy(warmup_rounds=1, min_rounds=3, max_rounds=3)


def results_file(
    path: Path, phases: tuple[str, ...] = ("forward", "inference")
) -> store.ResultsFile:
    out = store.ResultsFile(path, {"id": path.stem, "suite": "t"}, env.capture())
    for phase in phases:
        out.add(runner.measure_case(tiny_case(phase=phase), POLICY))
    return out


def test_round_trip_into_one_frame(tmp_path: Path) -> None:
    results_file(tmp_path / "a.json").close(complete=True)
    results_file(tmp_path / "sub" / "b.json", ("backward",)).close(complete=True)
    frame = store.load_frame([tmp_path])
    assert len(frame) == 3
    assert set(frame["phase"]) == {"forward", "inference", "backward"}
    doc = json.loads((tmp_path / "a.json").read_text())
    first = doc["records"][0]
    row = frame[frame["id"] == first["id"]].iloc[0]
    assert row["median_s"] == first["stats"]["median"]
    assert row["times_s"] == first["times_s"] and len(row["times_s"]) == 3
    assert row["params"] == first["measures"]["params"] > 0
    assert row["fingerprint"] == doc["env"]["fingerprint"]
    assert doc["run"]["complete"] is True and doc["schema_version"] == schema.SCHEMA_VERSION


def test_every_record_is_on_disk_before_the_run_ends(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    out = results_file(path, ("forward",))
    doc = store.read_document(path)  # readable mid-run
    assert len(doc["records"]) == 1 and doc["run"]["complete"] is False
    out.add(runner.measure_case(tiny_case(phase="backward"), POLICY))
    assert len(store.read_document(path)["records"]) == 2


def test_a_failed_write_never_replaces_a_good_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "run.json"
    out = results_file(path, ("forward",))
    good = path.read_text()

    def broken_dump(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # e.g. Ctrl-C in the middle of writing

    monkeypatch.setattr(store.json, "dumps", broken_dump)
    with pytest.raises(KeyboardInterrupt):
        out.add(runner.base_record(tiny_case(phase="backward"), "skipped", "test"))
    assert path.read_text() == good
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]  # no temp file left behind


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"schema": "rnnbench-results", "schema_version": 1, "run": {}, "env": {}, "recor',
            "corrupt or truncated JSON",
        ),
        ('{"benchmarks": []}', "not an rnnbench results file"),
        (
            '{"schema": "rnnbench-results", "schema_version": 99, "run": {}, "env": {}, "records": []}',
            "schema_version 99",
        ),
        (
            '{"schema": "rnnbench-results", "schema_version": 1, "run": {}, "env": {}, "records": [{"id": 1}]}',
            "records[0].case: missing",
        ),
    ],
)
def test_bad_files_are_one_line_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(UserError, match=re.escape(message)):
        store.load_frame([path])


def test_empty_or_missing_inputs(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no result files"):
        store.load_frame([tmp_path])
    with pytest.raises(UserError, match="no such file"):
        store.load_frame([tmp_path / "missing"])


def test_environment_and_fingerprint() -> None:
    captured = env.capture()
    for key in (
        "torch",
        "python",
        "cpu_model",
        "cpu_count",
        "threads",
        "fingerprint",
        "commit",
        "hostname",
    ):
        assert key in captured
    changed = dict(captured, threads=captured["threads"] + 1)
    assert env.fingerprint(changed) != captured["fingerprint"]
    assert env.fingerprint(dict(captured, hostname="elsewhere")) == captured["fingerprint"]
