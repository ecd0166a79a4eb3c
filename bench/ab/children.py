"""The parent's end of a side's worker processes (rnnbench.ab.worker): start, ask, stop."""

from __future__ import annotations

import contextlib
import json
import subprocess
from pathlib import Path
from typing import Any

from rnnbench.ab import sides, worker

WORKER = Path(worker.__file__).resolve()
STOP_TIMEOUT_S = 60.0  # a counted side stops its valgrind worker first: seconds under load


class SideFailed(Exception):
    """A side's worker could not start (import error, bad suite, missing cell) or died."""


class Process:
    """One long-lived worker: the suite is loaded and torch imported once, then cases run on request."""

    def __init__(
        self,
        side: sides.Side,
        root: Path,
        log: Path,
        settings: dict[str, Any],
        environment: dict[str, str],
    ) -> None:
        self.side, self.log = side, log
        with log.open("w") as stream:
            self.process = subprocess.Popen(
                [side.python, str(WORKER), json.dumps(settings)],
                cwd=root,
                env=environment,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stream,
                text=True,
            )

    def hello(self) -> dict[str, Any]:
        """The worker's first reply: its environment, cases and CPUs (`SideFailed` if it could not start)."""
        hello = self.reply()
        if "error" in hello:
            raise SideFailed(f"{self.side.name} ({self.side.label}): {hello['error']}")
        return hello

    def reply(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            tail = self.log.read_text(errors="replace").strip().splitlines()[-1:]
            raise SideFailed(
                f"{self.side.name} ({self.side.label}): worker exited ({self.process.wait()}): "
                f"{' '.join(tail) or 'no output'}"
            )
        return json.loads(line)

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        """Send one request; the record it answers with."""
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        reply = self.reply()
        if "error" in reply:
            raise SideFailed(f"{self.side.name} ({self.side.label}): {reply['error']}")
        return reply["record"]

    def close(self) -> None:
        """Closing stdin ends the worker; one that does not end in time is killed."""
        if self.process.stdin is not None and not self.process.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.close()
        try:
            self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Child:
    """One side: `processes` identical workers in its checkout. Several let an A/B spread its pairs over
    processes, so that one process's own speed (where its heap and code landed in memory) averages out."""

    def __init__(
        self,
        side: sides.Side,
        root: Path,
        scratch: Path,
        settings: dict[str, Any],
        processes: int = 1,
    ) -> None:
        self.side = side
        scratch.mkdir(parents=True, exist_ok=True)
        environment = sides.child_environment(root, scratch)
        self.workers: list[Process] = []
        try:
            for index in range(processes):  # all start at once; their imports overlap
                log = scratch / f"worker-{index}.log"
                self.workers.append(Process(side, root, log, settings, environment))
            hellos = [process.hello() for process in self.workers]
        except BaseException:
            self.close()
            raise
        self.env: dict[str, Any] = hellos[0]["env"]
        self.cases: list[str] = hellos[0]["cases"]
        self.cpus: list[int] | None = hellos[0].get("cpus")  # the CPUs the workers run on

    def measure(self, kind: str, case_id: str, *rounds: int, process: int = 0) -> dict[str, Any]:
        """One `run` (timed), `count` (timed, then counted), `warm` (built and warmed up, untimed) or
        `turn` (`rounds` rounds) of a case in one of the side's processes: its record (`failed` with the
        reason)."""
        return self.workers[process].ask({kind: [case_id, *rounds] if rounds else case_id})

    def close(self) -> None:
        for process in self.workers:
            process.close()
