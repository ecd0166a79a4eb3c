"""Measuring one case: runner, session, workloads, timing, memory, FLOPs, profiling, GEMM ceiling, quality, environment."""
