"""Where the program's resources (fonts, icons, translations, stylesheet, demo data) live.

Works from a source checkout, an installed package and a PyInstaller bundle alike.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

CJK_FONT_FILE = "DroidSansFallbackFull.ttf"
CJK_FONT_FAMILY = "Droid Sans Fallback"


def resources_dir() -> Path:
    """The folder holding fonts/, icons/, i18n/, demo/ and the stylesheet."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path of one resource, e.g. ``resource_path("fonts", CJK_FONT_FILE)``."""
    return resources_dir().joinpath(*parts)


def cjk_font_path() -> Path:
    """The bundled CJK TrueType font that every screen and printout uses."""
    return resource_path("fonts", CJK_FONT_FILE)


def default_workspace_dir() -> Path:
    """The user's data folder: %APPDATA%\\UnionDesk on Windows, XDG data home elsewhere."""
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming"))
        return base / "UnionDesk" / "workspace"
    base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return base / "uniondesk" / "workspace"
