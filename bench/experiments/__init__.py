"""Scripts that measure the harness itself (run by hand, never as timed unit tests)."""
