"""One benchmark session: the selected cases, the environment, and the results file."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import torch

from bench import env as envmod
from bench import runner, suite
from bench.case import Case
from bench.store import ResultsFile, run_file_name
from bench.timing import RoundRunner

DEVICE_CHOICES = ("cpu", "cuda", "all")
CUDNN_CHOICES = ("on", "off", "both")


def select(cases: tuple[Case, ...], device: str | None, cudnn: str, cuda_available: bool) -> list[Case]:
    """Filter by device (None = every device present) and cuDNN setting (cases that use cuDNN)."""
    if device is None:
        devices = {"cpu", "cuda"} if cuda_available else {"cpu"}
    else:
        devices = {"cpu", "cuda"} if device == "all" else {device}
    wanted_cudnn = {"on": {True}, "off": {False}, "both": {True, False}}[cudnn]
    return [c for c in cases if c.device in devices and (c.cudnn is None or c.cudnn in wanted_cudnn)]


def describe_selection(device: str | None, cudnn: str) -> str:
    return f"--device={device or 'present'} --cudnn={cudnn}"


@dataclass
class BenchSession:
    """What a `pytest bench` run shares across its cases."""

    suite_name: str
    device: str | None = None
    cudnn: str = "both"
    threads: int | None = None
    results_dir: Path = Path("results")
    cuda_available: bool = field(default_factory=torch.cuda.is_available)
    results: ResultsFile | None = None
    usage_error: str | None = None

    @cached_property
    def suite(self) -> suite.Suite:
        return suite.load(self.suite_name)

    @cached_property
    def cases(self) -> list[Case]:
        return select(self.suite.cases, self.device, self.cudnn, self.cuda_available)

    @cached_property
    def env(self) -> dict[str, Any]:
        envmod.set_threads(self.threads)
        return envmod.capture()

    def _results(self) -> ResultsFile:
        if self.results is None:
            run = {
                "id": run_file_name(self.env).removesuffix(".json"),
                "suite": self.suite.name,
                "suite_path": str(self.suite.path),
                "policy": vars(self.suite.policy),
            }
            self.results = ResultsFile(self.results_dir / f"{run['id']}.json", run, self.env)
        return self.results

    def record(self, record: dict[str, Any]) -> None:
        """Store one finished record now (atomically), so an interrupt cannot lose it."""
        self._results().add(record)

    def run(self, case: Case, round_runner: RoundRunner) -> tuple[dict[str, Any], BaseException | None]:
        """Measure `case` (or explain why not) and store its record."""
        self.env  # threads are set before anything is timed
        reason = runner.skip_reason(case, self.cuda_available)
        if reason is not None:
            outcome: tuple[dict[str, Any], BaseException | None] = (runner.base_record(case, "skipped", reason), None)
        else:
            outcome = runner.run_case(case, self.suite.policy, round_runner, self.suite.quality)
        self.record(outcome[0])
        return outcome

    def close(self, complete: bool) -> Path | None:
        if self.results is None:
            return None
        self.results.close(complete)
        return self.results.path
