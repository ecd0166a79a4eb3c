"""A launch of a suite in N shards: its folders, the command each shard runs, and its manifest.

    DIR/<launch id>/                       the run folder: `rnnbench report` and the gate read it
    DIR/<launch id>/shard-K-of-N.json      shard K's gathered results file
    DIR/<launch id>/.jobs/launch.json      the manifest: suite, shard count, pytest args, jobs
    DIR/<launch id>/.jobs/shard-K/         shard K's --results folder while its job runs
    DIR/<launch id>/.jobs/logs/<job id>/   submitit's pickles and each job's log

Readers of results skip hidden folders, so they see each shard once: in the run folder.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rnnbench.cluster import gather
from rnnbench.errors import UserError
from rnnbench.results import history, store


@dataclass
class Launch:
    """What a launch runs (suite, shard count, extra pytest args) and where it keeps everything."""

    folder: Path
    suite: str
    shards: int
    pytest_args: list[str] = field(default_factory=list)
    launcher: str = "local"
    slurm: dict[str, Any] = field(default_factory=dict)  # the SlurmOptions it was submitted with
    jobs: dict[str, dict[str, str]] = field(
        default_factory=dict
    )  # shard K -> {"job_id", "log", "launcher"}
    history_db: str | None = (
        None  # --history DB: each gathered shard is appended there, the launch as one run
    )

    @classmethod
    def new(
        cls,
        results_dir: Path,
        suite: str,
        shards: int,
        pytest_args: list[str],
        launcher: str,
        history_db: Path | None = None,
    ) -> Launch:
        """A fresh launch folder `<results_dir>/<UTC time>-<suite name>-<N>shards`."""
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        name = Path(suite).stem if suite.endswith(".toml") else suite
        suite = (
            str(Path(suite).resolve()) if Path(suite).is_file() else suite
        )  # jobs may start elsewhere
        db = str(history_db.resolve()) if history_db is not None else None
        return cls(
            results_dir.resolve() / f"{stamp}-{name}-{shards}shards",
            suite,
            shards,
            list(pytest_args),
            launcher,
            history_db=db,
        )

    @classmethod
    def load(cls, folder: Path) -> Launch:
        """The launch whose run folder is `folder` (for --resume)."""
        path = folder / ".jobs" / "launch.json"
        try:
            return cls(folder.resolve(), **json.loads(path.read_text()))
        except (OSError, json.JSONDecodeError, TypeError) as exc:
            raise UserError(
                f"--resume: {folder} is not a launch folder (cannot read {path}: {exc})"
            ) from None

    def save(self) -> None:
        data = asdict(self)
        data.pop("folder")
        store.write_atomic(self.manifest, data)

    @property
    def id(self) -> str:
        return self.folder.name

    @property
    def manifest(self) -> Path:
        return self.folder / ".jobs" / "launch.json"

    @property
    def logs(self) -> Path:
        return self.folder / ".jobs" / "logs"

    def work_dir(self, k: int) -> Path:
        return self.folder / ".jobs" / f"shard-{k}"

    def command(self, k: int) -> list[str]:
        """Shard K's command: `rnnbench run` of the suite's K-th slice into its own folder."""
        shard = [
            "--suite",
            self.suite,
            "--shard",
            f"{k}/{self.shards}",
            "--results",
            str(self.work_dir(k)),
        ]
        return [sys.executable, "-m", "rnnbench", "run", *shard, *self.pytest_args]

    def gathered(self, k: int) -> bool:
        return gather.gathered_path(self.folder, k, self.shards).exists()

    def remaining(self) -> list[int]:
        """The shards without a gathered results file."""
        return [k for k in range(1, self.shards + 1) if not self.gathered(k)]

    def collect(self, k: int) -> bool:
        """Gather shard K's complete results file from its work folder; False if it has none."""
        if self.gathered(k):
            return True
        work = self.work_dir(k)
        if not work.is_dir() or not any(work.glob("*.json")):
            return False
        doc = gather.shard_documents([work]).get((k, self.shards))
        if doc is None:
            return False
        gather.put(doc, self.folder, self.id)
        if self.history_db is not None:
            history.append(
                self.history_db, store.load([gather.gathered_path(self.folder, k, self.shards)])
            )
        return True
