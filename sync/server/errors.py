"""Refusals: one exception type carrying the HTTP status, the wire error code and a message."""

from __future__ import annotations

from typing import Any


class SyncError(Exception):
    """A refused request. The app turns it into ``{"error": code, "message": ...}``.

    ``message`` must never contain personal data: it is logged.
    """

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra
        self.context = ""  # e.g. device / batch ids, added to the log line


def loggable(exc: BaseException) -> str:
    """An exception for the log: its class and the traceback's frames (file, line, function; no
    source lines), never its text: a database error's text carries the statement's parameters,
    which can be personal data."""
    import traceback

    frames = "\n".join(
        f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}'
        for frame in traceback.extract_tb(exc.__traceback__)
    )
    return f"{type(exc).__name__}\n{frames}"


class ServerSetupError(Exception):
    """A clear, user-facing problem with the data directory, its keys or startup."""
