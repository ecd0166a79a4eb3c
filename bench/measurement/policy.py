"""The timing policy: how many rounds to time a case. Numpy- and torch-free, so suites load
(`rnnbench cases`) without them; `rnnbench.measurement.timing` times the rounds."""

from __future__ import annotations

import math
from dataclasses import dataclass

from rnnbench.errors import UserError
from rnnbench.results.schema import Policy


@dataclass(frozen=True)
class TimingPolicy:
    """How many rounds to time: enough to fill `max_time`, within [min_rounds, max_rounds]."""

    warmup_rounds: int = 3
    min_rounds: int = 5
    max_rounds: int = 200
    max_time: float = 0.5

    def __post_init__(self) -> None:
        for name in ("warmup_rounds", "min_rounds", "max_rounds"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise UserError(f"{name}: must be a non-negative integer, got {value!r}")
        if self.min_rounds < 1 or self.max_rounds < self.min_rounds:
            raise UserError(
                f"min_rounds: need 1 <= min_rounds <= max_rounds, got {self.min_rounds}"
            )
        number = isinstance(self.max_time, (int, float)) and not isinstance(self.max_time, bool)
        if not number or not 0 < self.max_time < math.inf:
            raise UserError(
                f"max_time: must be a positive number of seconds (finite), got {self.max_time!r}"
            )

    def as_dict(self) -> Policy:
        """The policy as a results file's `run.policy`."""
        return {
            "warmup_rounds": self.warmup_rounds,
            "min_rounds": self.min_rounds,
            "max_rounds": self.max_rounds,
            "max_time": self.max_time,
        }

    def rounds_for(self, estimate_s: float) -> int:
        """Round count for a call that takes about `estimate_s` seconds."""
        if estimate_s <= 0:
            return self.max_rounds
        wanted = math.floor(self.max_time / estimate_s)
        return max(self.min_rounds, min(self.max_rounds, wanted))
