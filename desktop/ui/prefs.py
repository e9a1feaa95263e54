"""Per-computer preferences kept outside the workspace: language, last workspace, last user.

Nothing personal goes here (the workspace keeps everything else, encrypted). Tests point
:func:`set_preferences_file` at a temporary file.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

_file: Path | None = None


def set_preferences_file(path: Path | None) -> None:
    """Use an INI file at ``path`` instead of the user's default settings (tests)."""
    global _file
    _file = path


def _settings() -> QSettings:
    if _file is not None:
        return QSettings(str(_file), QSettings.Format.IniFormat)
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, "UnionDesk", "UnionDesk"
    )


def get(key: str, default: str | None = None) -> str | None:
    value = _settings().value(key, default)
    return None if value is None else str(value)


def put(key: str, value: str) -> None:
    settings = _settings()
    settings.setValue(key, value)
    settings.sync()
