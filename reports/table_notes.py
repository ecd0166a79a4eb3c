"""What each report table is: its title, what it shows, and why it may be empty (by file name;
`before_after-3` reads as `before_after`)."""

from __future__ import annotations

TABLES = {  # name: (title, what it shows, why it may be empty)
    "what_grew": (
        "What grew",
        "The functions whose inclusive instruction counts per round grew most between the two counted runs "
        "(functions under 0.5% of a case's total count as 0 on that side).",
        "no function counts",
    ),
    "accuracy": (
        "Accuracy: trained LSTM vs GRU",
        "Final held-out metric (mean ± std over seeds), seeds that reached the target, median steps and "
        "training seconds to it (seconds: the machine's load counts), per task, length and configuration.",
        "no quality records (run: rnnbench run --suite quality)",
    ),
    "verdict": (
        "Verdict per device and phase",
        "Shapes each cell wins (ties within ±5%), median GRU/LSTM ratio over shapes with a bootstrap 95% CI, "
        "and where the winner flips along a swept axis.",
        "no shape has both cells timed",
    ),
    "verdict_shapes": (
        "GRU/LSTM ratio per shape",
        "Ratio of medians per shape and phase, with the gate's bootstrap 95% CI from the raw round times; "
        "noisy: either cell's IQR above 10% of its median.",
        "no shape has both cells timed",
    ),
    "cells_verdict": (
        "Every cell against the reference, per device and phase",
        "Shapes where each cell is faster, slower or tied (±5%) against the reference cell, the median "
        "cell/reference ratio over shapes with a bootstrap 95% CI, and where that flips along a swept axis.",
        "fewer than two cells timed",
    ),
    "cells_shapes": (
        "Cell/reference ratio per shape",
        "Each cell's median over the reference's median per shape and phase, with the gate's bootstrap 95% CI "
        "from the raw round times; noisy: either side's IQR above 10% of its median.",
        "no shape has another cell timed beside the reference",
    ),
    "cells_fastest": (
        "Fastest cell per shape",
        "Per shape, device and phase: the cell with the lowest median, the runner-up and its lead "
        "(runner-up median / fastest median).",
        "no shape has two cells timed",
    ),
    "minrnn_claims": (
        "minGRU / minLSTM against the paper's claims",
        "Each minimal cell beside its traditional cell (minGRU: GRU, minLSTM: LSTM) per shape and phase: speed-up "
        "= traditional median / minimal median; memory ratio (training step) = minimal / traditional peak bytes "
        "(saved bytes without peak); the paper's figures (Feng et al., 2024: T4 GPU, batch 64, cuDNN) beside them.",
        "no minimal cell timed beside its traditional cell",
    ),
    "fastest": (
        "Fastest combination per shape",
        "Per phase and shape, the (device, implementation, cell) with the lowest median, of the contenders measured.",
        "one device and one implementation",
    ),
    "before_after": (
        "Before/after, every case",
        "After / before ratio of medians, bootstrap 95% CI, Mann-Whitney U p-value and the gate's mark; "
        "biggest movers first.",
        "no case was timed in both inputs",
    ),
    "memory_model": (
        "Memory model vs measured",
        "Peak bytes of one round's timed call above what was live before it, measured and by the memory model "
        "(rnnbench.measurement.analytic), per case.",
        "no record has both a measured and a modelled peak (results from before they were recorded)",
    ),
    "claims": (
        "LSTM vs GRU: claim vs measured",
        "Each claim checked on GRU/LSTM pairs of one shape and input; ratios within ±5% of 1 are ties.",
        "no timed records",
    ),
    "comparison": (
        "Main comparison",
        "Median and IQR per cell, one table per phase (timed records only); gru/lstm is the ratio of medians "
        "(< 1: GRU faster); noisy rows shaded.",
        "no timed records",
    ),
    "cudnn_speedup": (
        "cuDNN speed-up",
        "Median time with cuDNN off divided by time with cuDNN on (> 1: cuDNN faster), within one input.",
        "no CUDA results with cuDNN both on and off",
    ),
    "cpu_vs_cuda": (
        "CPU vs CUDA",
        "CPU median divided by CUDA median (> 1: CUDA faster), within one input.",
        "no input measured the same case on CPU and CUDA",
    ),
    "memory": (
        "Parameters and memory",
        "Parameter count and bytes; bytes autograd saves for backward (largest over phases); peak where measured.",
        "no timed records",
    ),
    "throughput": (
        "Throughput",
        "Every timed case: median, IQR, noisy (IQR above 10% of the median), tokens/s, GFLOP/s "
        "(analytic FLOPs / median).",
        "no timed records",
    ),
    "efficiency": (
        "Efficiency",
        "Achieved GFLOP/s (analytic FLOPs / median) and its % of the GEMM ceiling the run measured on the device.",
        "no record has an efficiency (results from before the GEMM ceiling was measured)",
    ),
    "not_ok": (
        "Failed and skipped cases",
        "Cases recorded without timings, with the reason.",
        "every case was timed",
    ),
    "environment": (
        "Environment",
        "One column per input (results file): machine, software and run.",
        "no inputs",
    ),
    "why": (
        "Why: top ops, long form",
        "Top ops of every profiled pair, one row per op.",
        "no profiled records",
    ),
}
