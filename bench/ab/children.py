"""The parent's end of a side's worker process (rnnbench.ab.worker): start, ask, stop."""

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


class Child:
    """One side's long-lived worker: the suite is loaded and torch imported once, then cases run on request."""

    def __init__(
        self, side: sides.Side, root: Path, scratch: Path, settings: dict[str, Any]
    ) -> None:
        self.side = side
        scratch.mkdir(parents=True, exist_ok=True)
        self.log = scratch / "worker.log"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [side.python, str(WORKER), json.dumps(settings)],
                cwd=root,
                env=sides.child_environment(root, scratch),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        try:
            hello = self._reply()
            if "error" in hello:
                raise SideFailed(f"{side.name} ({side.label}): {hello['error']}")
        except BaseException:
            self.close()
            raise
        self.env: dict[str, Any] = hello["env"]
        self.cases: list[str] = hello["cases"]
        self.cpus: list[int] | None = hello.get("cpus")  # the CPUs the worker runs on

    def _reply(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            tail = self.log.read_text(errors="replace").strip().splitlines()[-1:]
            raise SideFailed(
                f"{self.side.name} ({self.side.label}): worker exited ({self.process.wait()}): "
                f"{' '.join(tail) or 'no output'}"
            )
        return json.loads(line)

    def measure(self, kind: str, case_id: str, *rounds: int) -> dict[str, Any]:
        """One `run` (timed), `count` (timed, then counted) or `turn` (`rounds` rounds) of a case: its
        record (`failed` with the reason)."""
        assert self.process.stdin is not None
        request = {kind: [case_id, *rounds] if rounds else case_id}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        reply = self._reply()
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
