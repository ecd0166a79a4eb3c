"""The one error type for user mistakes: bad suite files, options or result files."""


class UserError(Exception):
    """A mistake the user can fix; shown as one line, never as a traceback."""
