"""The benchmark `pytest bench` collects: one test per case of the selected suite."""

from typing import Any

from rnnbench.cases.case import Case


def bench_rnn(rnn_case: Case, rnnbench: Any) -> None:
    """Time one LSTM/GRU case and record its measures (see rnnbench.results.schema)."""
    record = rnnbench(rnn_case)
    assert record["status"] == "ok", record["reason"]
    cudnn_ran = record.get("profile", {}).get("cudnn_ran")  # profiled CUDA cases only
    if cudnn_ran is not None:
        assert cudnn_ran == rnn_case.cudnn, (
            f"case cudnn={rnn_case.cudnn} but the profile's cudnn_ran={cudnn_ran}"
        )
