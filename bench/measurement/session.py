"""One benchmark session: the selected cases, the environment, and the results file."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import torch

from rnnbench.cases import cell_ref, select, suite
from rnnbench.cases.case import QUALITY_PHASE, Case
from rnnbench.errors import UserError
from rnnbench.measurement import ceiling, counts, runner
from rnnbench.measurement import env as envmod
from rnnbench.measurement.counts import Counter
from rnnbench.measurement.timing import RoundRunner
from rnnbench.models import precision, user_cell
from rnnbench.results import baseline, history
from rnnbench.results.schema import Env, Profile, Record, Run
from rnnbench.results.store import ResultsFile


@dataclass
class BenchSession:
    """What a `pytest bench` run shares across its cases."""

    suite_name: str
    device: str | None = None
    cudnn: str = "both"
    threads: int | None = None
    max_cases: int = select.MAX_CASES
    results_dir: Path = Path("results")
    profile_dir: Path | None = None
    shard: str | None = None  # "K/N" of --shard, kept in the run block so shards can be gathered
    counts: bool = False  # also count each CPU case's instructions under callgrind (rnnbench.measurement.counts)
    cuda_available: bool = field(default_factory=torch.cuda.is_available)
    results: ResultsFile | None = None
    usage_error: str | None = None
    remeasured: ResultsFile | None = (
        None  # the gate's re-measurements (--remeasure), beside `results`
    )
    cells: dict[tuple[str, str | None, int, bool], None] = field(
        default_factory=dict
    )  # (cell, ref, layers, bi) checked
    ran: dict[str, Case] = field(
        default_factory=dict
    )  # every case run, by id: suite cases and the fixture's own

    @cached_property
    def suite(self) -> suite.Suite:
        return suite.load(self.suite_name, self.max_cases)

    @cached_property
    def cases(self) -> list[Case]:
        """The selected cases, their user cells proven on a probe input before any case runs."""
        cases = select.by_device(self.suite.cases, self.device, self.cudnn, self.cuda_available)
        try:
            self.check_cells(cases)
        except UserError as exc:
            raise UserError(f"{self.suite.path.name}: {exc}") from None
        return cases

    def check_cells(self, cases: list[Case]) -> None:
        """One short name per reference across the session, and every new user cell probed
        (rnnbench.models.user_cell.check_cells); a `UserError` otherwise."""
        new = {
            (c.cell, c.cell_ref, c.num_layers, c.bidirectional): None for c in cases
        }.keys() - self.cells.keys()
        if not new:
            return
        cell_ref.check_unique((cell, ref) for cell, ref, _, _ in [*self.cells, *new])
        user_cell.check_cells(
            c for c in cases if (c.cell, c.cell_ref, c.num_layers, c.bidirectional) in new
        )
        self.cells.update(dict.fromkeys(new))

    @cached_property
    def counter(self) -> Counter | None:
        """The session's one callgrind worker (started on the first count); None without --counts."""
        return counts.Counter() if self.counts else None

    @cached_property
    def env(self) -> Env:
        envmod.set_threads(self.threads)
        return envmod.capture(valgrind=self.counter.version if self.counter else None)

    def _results(self) -> ResultsFile:
        if self.results is None:
            run: Run = {
                "suite": self.suite.name,
                "suite_path": str(self.suite.path),
                "policy": self.suite.policy.as_dict(),
                **({"shard": self.shard} if self.shard else {}),
            }
            self.results = ResultsFile.new_run(self.results_dir, run, self.env)
        return self.results

    def record(self, record: Record) -> None:
        """Store one finished record now (atomically), so an interrupt cannot lose it."""
        self._results().add(record)

    def run(self, case: Case, round_runner: RoundRunner) -> tuple[Record, BaseException | None]:
        """Measure `case` (or explain why not) and store its record; a `UserError` for a user cell
        that breaks the contract (a case handed to the `rnnbench` fixture, not from the suite)."""
        self.check_cells([case])
        self.ran[case.id] = case
        self.env  # noqa: B018 (the cached property sets the threads before anything is timed)
        skipped = runner.skipped_record(case, self.cuda_available)
        if skipped is not None:
            outcome: tuple[Record, BaseException | None] = (skipped, None)
        else:
            outcome = runner.run_case(case, self.suite.policy, round_runner, self.suite.quality)
        if outcome[0]["status"] == "ok" and case.phase != QUALITY_PHASE:  # after the timed rounds
            self.add_efficiency(case, outcome[0])
            if self.profile_dir is not None:
                outcome[0]["profile"] = self.profile(case)
            if self.counter is not None:
                counts.add_to_record(outcome[0], self.counter.count(case))
        self.record(outcome[0])
        return outcome

    def gemm_ceiling(self, device: str, dtype: str) -> float:
        """The GEMM ceiling of (device, dtype), measured the first time it is asked for, kept in env.
        Autocast cases are held to the ceiling of the dtype their products run in."""
        dtype = precision.compute_dtype(dtype)
        key = ceiling.key(device, dtype)
        rates = self.env.setdefault("gemm_gflops", {})
        if key not in rates:
            measured = ceiling.measure_ceiling(device, dtype)
            rates[key] = measured.gflops_per_s
            self.env.setdefault("gemm_size", {})[key] = measured.size
        return rates[key]

    def add_efficiency(self, case: Case, record: Record) -> None:
        """measures.efficiency = achieved GFLOP/s over this run's GEMM ceiling."""
        measures = record["measures"]
        achieved = measures["gflops_per_s"]
        assert achieved is not None  # an ok timed record has FLOPs: analytic or counted
        efficiency = achieved / self.gemm_ceiling(case.device, case.dtype)
        measures["efficiency"] = efficiency
        if efficiency > 1:  # kept as measured: the report shows it, the warning says why
            warnings.warn(
                f"{case.id}: {efficiency:.0%} of the GEMM ceiling: either the ceiling was measured"
                " while the machine was busy, or this case's kernel (e.g. oneDNN's fused LSTM) beats the"
                " reference square GEMM",
                stacklevel=2,
            )

    def profile(self, case: Case) -> Profile:
        """Profile `case` into `profile_dir/<case id>`; a failure is kept as the profile's `error`."""
        assert self.profile_dir is not None
        trace_dir = self.profile_dir / case.id
        try:
            return runner.profile_case(case, trace_dir)
        except (
            Exception
        ) as exc:  # the timing is already measured: keep it, say why there is no profile
            reason = runner.one_line(exc)
            warnings.warn(f"{case.id}: profiling failed: {reason}", stacklevel=2)
            return {"trace_dir": str(trace_dir), "error": reason, "top_ops": []}

    def remeasure(self, case_id: str, attempt: int) -> list[float]:
        """Measure a case the gate flagged once more, store its record in `<run id>.remeasure.json`
        beside the results file (never in it: it is not part of the run), and return its round times."""
        assert self.results is not None
        if self.remeasured is None:
            run_id = self.results.run["id"]
            path = self.results.path.with_name(f"{run_id}{baseline.REMEASURE_SUFFIX}")
            run: Run = {
                **self.results.run,
                "id": f"{run_id}{history.REMEASURE_ID}",
                "remeasure_of": run_id,
            }
            self.remeasured = ResultsFile(path, run, self.env)
        case = self.ran[
            case_id
        ]  # a suite case, or one a user's own benchmark file handed the fixture
        record, _error = runner.run_case(case, self.suite.policy, settings=self.suite.quality)
        self.remeasured.add(record)
        self.remeasured.close(complete=True)
        return record["times_s"]

    def close(self, complete: bool) -> Path | None:
        if self.counts and self.counter is not None:
            self.counter.close()
        if self.results is None:
            return None
        self.results.close(complete)
        return self.results.path
