"""Schema versions: real version-1 files from before schema 2 load, report, show and gate as they
did (tests/data/v1-expected holds main's output of them at a869070), a v1 file gates against a v2
one, and a newer version is refused with one line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rnnbench import cli
from rnnbench.cases.case import AXIS_DEFAULTS, Case
from rnnbench.errors import EXIT_USAGE
from rnnbench.results import schema, store, upgrade

DATA = Path(__file__).parent / "data"
V1_FILES = sorted((DATA / "v1").glob("*.json"))
EXPECTED = DATA / "v1-expected"


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding the v1 files as `v1/*.json` (the paths main's output names), made the cwd."""
    shutil.copytree(DATA / "v1", tmp_path / "v1")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def as_v2(source: Path, target: Path) -> Path:
    """Write `source` as this rnnbench reads it (upgraded to the current version) to `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(store.read_document(source), indent=1))
    return target


def rnnbench(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_v1_files_load_upgraded_to_the_current_version() -> None:
    assert len(V1_FILES) == 4 and all(
        json.loads(p.read_text())["schema_version"] == 1 for p in V1_FILES
    )
    documents = store.load(V1_FILES)
    assert {doc["schema_version"] for doc in documents} == {schema.SCHEMA_VERSION}
    records = [record for doc in documents for record in doc["records"]]
    assert {"profile", "counts"} <= {
        key for record in records for key in record
    }  # the data covers them
    for record in records:
        assert set(upgrade.V1_CASE_DEFAULTS) <= set(record["case"])
        assert Case.from_dict(record["case"]).id == record["id"]
        if record["status"] == "ok" and record["case"]["phase"] != "train_quality":
            assert set(upgrade.V1_TIMED_MEASURES) <= set(record["measures"])


def test_upgrade_fills_v1_defaults_and_is_idempotent() -> None:
    assert {
        axis: AXIS_DEFAULTS[axis] for axis in upgrade.V1_CASE_DEFAULTS
    } == upgrade.V1_CASE_DEFAULTS
    record = {
        "id": "x",
        "case": {"cell": "lstm", "phase": "forward"},
        "status": "ok",
        "times_s": [1.0],
        "stats": {},
        "measures": {"flops": 3},
    }
    doc = {"schema_version": 1, "records": [record]}
    once = upgrade.upgrade(doc, "f")
    assert once["schema_version"] == 2 and once["records"][0]["case"]["impl"] == "fused"
    assert once["records"][0]["measures"] == {
        "flops": 3,
        **dict.fromkeys(upgrade.V1_TIMED_MEASURES),
    }
    twice = upgrade.upgrade_1_to_2(json.loads(json.dumps(once)))
    assert twice["records"] == once["records"]


@pytest.mark.parametrize("version", [schema.SCHEMA_VERSION + 1, 99])
def test_a_newer_version_is_one_line(
    work: Path, capsys: pytest.CaptureFixture[str], version: int
) -> None:
    doc = json.loads(V1_FILES[0].read_text()) | {"schema_version": version}
    (work / "new.json").write_text(json.dumps(doc))
    code, _, err = rnnbench(capsys, "show", "new.json")
    expected = f"schema_version {version} is newer than this rnnbench reads ({schema.SCHEMA_VERSION}); upgrade rnnbench"
    assert code == EXIT_USAGE and err.strip() == f"rnnbench show: error: new.json: {expected}"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["compare", "v1/timed-1.json", "v1/timed-2.json"], "compare.txt"),
        (
            [
                "compare",
                "v1/counted-profiled.json",
                "v1/counted-profiled.json",
                "--metric",
                "instructions",
            ],
            "compare-counts.txt",
        ),
        (["show", "v1"], "show.txt"),
    ],
)
def test_v1_files_gate_and_show_as_before(
    work: Path, capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    code, out, _ = rnnbench(capsys, *argv)
    assert code == 0 and out == (EXPECTED / expected).read_text()


def test_a_v1_baseline_gates_a_v2_run(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    current = as_v2(work / "v1/timed-2.json", work / "v2/timed-2.json")
    assert json.loads(current.read_text())["schema_version"] == schema.SCHEMA_VERSION
    code, out, _ = rnnbench(capsys, "compare", "v1/timed-1.json", str(current))
    assert code == 0 and out == (EXPECTED / "compare.txt").read_text()


def test_v1_files_report_as_before(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = rnnbench(
        capsys,
        "report",
        *(f"v1/{p.name}" for p in V1_FILES),
        "-o",
        "report",
        "--quiet",
        "--summary-md",
        "summary.md",
    )
    assert code == 0
    assert (work / "summary.md").read_text() == (EXPECTED / "summary.md").read_text()
    expected = sorted(p.name for p in (EXPECTED / "tables").glob("*.csv"))
    assert sorted(p.name for p in (work / "report/tables").glob("*.csv")) == expected
    for name in expected:
        assert (work / "report/tables" / name).read_text() == (
            EXPECTED / "tables" / name
        ).read_text(), name
