"""Does rnnbench's median agree with torch.utils.benchmark on the same case, in one process?

    python -m rnnbench.experiments.timer_agreement [--threads N] [--repeats 3]

For each case, alternates an rnnbench measurement (rnnbench.measurement.runner.measure_case) with
`torch.utils.benchmark.Timer(...).blocked_autorange()` on the same model and input, at the same
thread count, and prints the median of each side's medians and their ratio.
"""

from __future__ import annotations

import argparse
import statistics

import torch
import torch.utils.benchmark as tbench

from rnnbench.cases.case import Case
from rnnbench.measurement import runner
from rnnbench.measurement.timing import TimingPolicy
from rnnbench.models import build as models

POLICY = TimingPolicy(warmup_rounds=3, min_rounds=10, max_rounds=200, max_time=1.0)
CASES = (
    Case(
        cell="lstm",
        model="layer",
        batch=32,
        seq_len=100,
        input_size=300,
        hidden_size=256,
        num_layers=2,
        bidirectional=True,
        dtype="float32",
        device="cpu",
        cudnn=None,
        phase="forward",
    ),
    Case(
        cell="gru",
        model="layer",
        batch=8,
        seq_len=32,
        input_size=64,
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dtype="float32",
        device="cpu",
        cudnn=None,
        phase="inference",
    ),
)
STATEMENTS = {"forward": "model(x)", "inference": "with torch.inference_mode(): model(x)"}


def timer_median(case: Case) -> float:
    """torch.utils.benchmark's median for the same phase (forward or inference only)."""
    torch.manual_seed(0)
    model = models.build_model(case).train(case.phase != "inference")
    timer = tbench.Timer(
        stmt=STATEMENTS[case.phase],
        globals={"model": model, "x": models.build_input(case), "torch": torch},
        num_threads=torch.get_num_threads(),
    )
    return timer.blocked_autorange(min_run_time=1.0).median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    for case in CASES:
        ours, theirs = [], []
        for _ in range(args.repeats):
            stats = runner.measure_case(case, POLICY)["stats"]
            assert stats is not None  # these cases run ok
            ours.append(stats["median"])
            theirs.append(timer_median(case))
        a, b = statistics.median(ours), statistics.median(theirs)
        print(
            f"{case.id}: rnnbench {a * 1e3:.3f} ms, torch.utils.benchmark {b * 1e3:.3f} ms, ratio {a / b:.3f}"
        )


if __name__ == "__main__":
    main()
