"""Errors a user can cause; the CLI turns them into one line and exit code 1."""


class VtileError(Exception):
    """A problem with the user's input or installation, with a clear message."""
