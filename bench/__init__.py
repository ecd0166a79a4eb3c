"""rnnbench: benchmark and profile LSTM and GRU in PyTorch.

The front door (see `rnnbench.api`): `Case`, `measure`, `load_suite`, `load_results`, and the
`TimingPolicy` a measurement follows. Everything else is internal, grouped by job: `cases`
(axes, suites, selection), `models`, `measurement`, `results`, `gate`, `cluster`, `reports`, `commands`.
The names load on first use, so importing `rnnbench` (as pytest does with the plugin in every
project) does not import torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rnnbench.api import load_results, load_suite, measure
    from rnnbench.cases.case import Case
    from rnnbench.measurement.policy import TimingPolicy

__version__ = "0.1.0"
__all__ = ["Case", "TimingPolicy", "load_results", "load_suite", "measure"]
_HOMES = {
    "Case": "rnnbench.cases.case",
    "TimingPolicy": "rnnbench.measurement.policy",
    "load_results": "rnnbench.api",
    "load_suite": "rnnbench.api",
    "measure": "rnnbench.api",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'rnnbench' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
