"""`rnnbench compare` / `baseline` exit codes and input errors: never a silent pass."""

import json
import re
from pathlib import Path

import pytest
from gate_docs import CASE_IDS, machine, run_doc, times, write

from rnnbench.cli import main
from rnnbench.errors import EXIT_USAGE


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return write(tmp_path / "base.json", run_doc(run_id="base"))


def run(*argv: str) -> int:
    return main(list(argv))


def test_clean_run_exits_0(base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("compare", str(base), str(write(tmp_path / "cur.json", run_doc(seed=9)))) == 0
    assert "PASS" in capsys.readouterr().out


def test_regression_exits_1(base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run("compare", str(base), str(write(tmp_path / "cur.json", run_doc(scale=1.25, seed=9))))
        == 1
    )
    out = capsys.readouterr().out
    assert "regression" in out and "FAIL" in out


def test_threshold_option_changes_the_verdict(base: Path, tmp_path: Path) -> None:
    current = str(write(tmp_path / "cur.json", run_doc(scale=1.25, seed=9)))
    assert run("compare", str(base), current, "--threshold", "40%") == 0
    assert (
        run(
            "compare",
            str(base),
            current,
            "--threshold-for",
            "gru-*=40%",
            "--threshold-for",
            "lstm-*=40%",
        )
        == 0
    )


def test_missing_case_fails_unless_allowed(base: Path, tmp_path: Path) -> None:
    current = str(write(tmp_path / "cur.json", run_doc(seed=9, ids=CASE_IDS[:2])))
    assert run("compare", str(base), current) == 1
    assert run("compare", str(base), current, "--allow-missing") == 0


def test_foreign_exits_2_naming_the_field(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    current = str(write(tmp_path / "cur.json", run_doc(env=machine(gpu_name="H100"))))
    assert run("compare", str(base), current) == EXIT_USAGE
    assert "gpu_name: None != 'H100'" in capsys.readouterr().err
    assert run("compare", str(base), current, "--allow-foreign") == 0
    assert "FOREIGN COMPARISON" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "corrupt or truncated"),
        ('{"schema": "rnnbench-results", "schema_version": 1, "run": {', "corrupt or truncated"),
        (
            '{"schema": "rnnbench-results", "schema_version": 99, "run": {}, "env": {}, "records": []}',
            "schema_version 99",
        ),
        ('{"hello": 1}', "not an rnnbench results file"),
        (
            '{"schema": "rnnbench-results", "schema_version": 1, "run": {}, "env": {}, "records": [{"id": "x"}]}',
            "records\\[0\\].case: missing",
        ),
    ],
)
def test_bad_baseline_is_an_error_not_a_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    current = str(write(tmp_path / "cur.json", run_doc()))
    assert run("compare", str(bad), current) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert re.search(message, err)


def test_usage_errors_exit_2(base: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("compare", str(base)) == EXIT_USAGE
    assert run("compare", str(base), str(base), "--threshold", "5") == EXIT_USAGE
    assert run("compare", str(base), str(base), "--alpha", "2") == EXIT_USAGE
    assert run("compare", "no-such-baseline", str(base)) == EXIT_USAGE
    assert "no saved baseline" in capsys.readouterr().err


def test_baseline_save_and_use_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    results = tmp_path / "results"
    results.mkdir()
    write(results / "20260101T000000-aaa.json", run_doc(run_id="old", scale=2.0))
    write(results / "20260102T000000-bbb.json", run_doc(run_id="new"))
    write(results / "20260102T000000-bbb.remeasure.json", run_doc(run_id="new-remeasure"))
    assert run("baseline", "save", "main") == 0
    saved = json.loads((tmp_path / ".rnnbench/baselines/main.json").read_text())
    assert saved["run"]["id"] == "new"
    assert run("compare", "main", str(write(tmp_path / "cur.json", run_doc(seed=5)))) == 0


def test_baseline_save_refuses_incomplete_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = run_doc()
    doc["run"]["complete"] = False
    assert (
        run(
            "baseline",
            "save",
            "x",
            "--from",
            str(write(tmp_path / "r.json", doc)),
            "--dir",
            str(tmp_path),
        )
        == EXIT_USAGE
    )
    assert "did not finish" in capsys.readouterr().err


def pytest_benchmark_file(path: Path, scale: float, save_data: bool = True) -> Path:
    """A file shaped like pytest-benchmark's --benchmark-json output (with our machine_info)."""
    benchmarks = []
    for n, case_id in enumerate(CASE_IDS):
        data = times(1e-3 * scale, seed=n)
        stats = {
            "median": sorted(data)[len(data) // 2],
            "mean": sum(data) / len(data),
            "rounds": len(data),
        }
        benchmarks.append(
            {
                "name": f"bench_rnn[{case_id}]",
                "param": case_id,
                "extra_info": {"status": "ok"},
                "stats": stats | ({"data": data} if save_data else {}),
            }
        )
    doc = {
        "machine_info": {"rnnbench": machine()},
        "commit_info": {},
        "benchmarks": benchmarks,
        "datetime": "2026-01-01T00:00:00",
        "version": "5.1.0",
    }
    path.write_text(json.dumps(doc))
    return path


def test_pytest_benchmark_json_is_accepted(tmp_path: Path, base: Path) -> None:
    assert run("compare", str(base), str(pytest_benchmark_file(tmp_path / "pb.json", 1.3))) == 1
    assert run("compare", str(pytest_benchmark_file(tmp_path / "pb0.json", 1.0)), str(base)) == 0


def test_pytest_benchmark_json_without_data_is_refused(
    tmp_path: Path, base: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run(
            "compare",
            str(base),
            str(pytest_benchmark_file(tmp_path / "pb.json", 1.0, save_data=False)),
        )
        == EXIT_USAGE
    )
    assert "--benchmark-save-data" in capsys.readouterr().err


def test_quantile_option(base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    current = str(write(tmp_path / "cur.json", run_doc(scale=1.25, seed=9)))
    assert run("compare", str(base), current, "--quantile", "0.1") == 1
    assert "base p10 ms" in capsys.readouterr().out
    assert run("compare", str(base), current, "--quantile", "2") == EXIT_USAGE
