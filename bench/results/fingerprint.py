"""The machine fingerprint: which environment facts identify a machine, and their hash.

The fingerprint hashes only what changes timings for the same code: CPU model, core count,
GPU name, torch / CUDA / cuDNN versions and the torch thread count (and the valgrind version of
a counted run). Hostnames are left out so ephemeral CI machines of one kind share a fingerprint.
Torch-free: readers of stored results (the gate, pytest-benchmark files) compute and compare it
without importing torch; `rnnbench.measurement.env` captures the facts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

FINGERPRINT_KEYS = (
    "cpu_model",
    "cpu_count",
    "gpu_name",
    "torch",
    "cuda",
    "cudnn",
    "threads",
    "valgrind",
)
HASHED_WHEN_SET = (
    "valgrind",
)  # only counted runs have it: other runs keep the fingerprints they always had


def fingerprint(env: Mapping[str, object]) -> str:
    """Short stable hash of the timing-relevant machine facts."""
    facts = {
        key: env.get(key) for key in FINGERPRINT_KEYS if key not in HASHED_WHEN_SET or env.get(key)
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:16]
