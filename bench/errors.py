"""The one error type for user mistakes: bad suite files, options or result files.

Every user or input error exits with status 4, under `pytest bench` (pytest's own usage-error
status, which pytest also uses for unknown options) and under `rnnbench` alike.
"""

EXIT_USAGE = 4


class UserError(ValueError):
    """A mistake the user can fix; shown as one line, never as a traceback.

    A `ValueError`, so library callers of `Case(...)` or `TimingPolicy(...)` can catch the
    conventional type for a bad argument value."""
