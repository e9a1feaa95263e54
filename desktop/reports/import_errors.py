"""The error of a file that cannot be imported at all (a code plus parameters, no words)."""

from __future__ import annotations

from typing import Any


class ImportFileError(Exception):
    """The file as a whole cannot be imported. ``code`` names the problem; ``params`` fill it in."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def __str__(self) -> str:
        from desktop.reports.import_messages import file_message

        return file_message(self.code, "en", **self.params)
