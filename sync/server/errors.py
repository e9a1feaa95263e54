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
