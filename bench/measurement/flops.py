"""FLOPs as PyTorch counts them: `torch.utils.flop_counter.FlopCounterMode` around one untimed round.

The counter sees every aten op that reaches the dispatcher and has a FLOP formula (mm, addmm, bmm,
convolutions, attention); fused kernels without one count 0. On CPU, nn.LSTM runs as oneDNN's
`aten::mkldnn_rnn_layer`, which has no formula, so its measured FLOPs are 0, while nn.GRU and
user cells decompose into mm/addmm and are counted. Elementwise gate math is never counted (as
in the analytic formulas). The round is the phase's own: its setup runs outside the counter, so
a backward case counts the backward pass only.
"""

from __future__ import annotations

from torch.utils.flop_counter import FlopCounterMode

from rnnbench.measurement.timing import Workload
from rnnbench.results.schema import TimedMeasures


def measure_flops(work: Workload) -> TimedMeasures:
    """`flops_measured` (total of one round's target) and `flops_by_op` ({aten op: FLOPs})."""
    work.setup()
    counter = FlopCounterMode(display=False)
    with counter:
        work.target()
    by_op = {str(op): int(n) for op, n in counter.get_flop_counts().get("Global", {}).items() if n}
    return {"flops_measured": int(counter.get_total_flops()), "flops_by_op": by_op}
