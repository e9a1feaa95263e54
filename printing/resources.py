"""Where the bundled font lives: a source checkout, an installed package or a PyInstaller bundle
(the same ``resources/`` folder :mod:`desktop.resources` names, without importing it)."""

from __future__ import annotations

import sys
from pathlib import Path

CJK_FONT_FILE = "DroidSansFallbackFull.ttf"


def cjk_font_path() -> Path:
    """The bundled CJK TrueType font every printout embeds."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    root = Path(frozen_root) if frozen_root else Path(__file__).resolve().parent.parent
    return root / "resources" / "fonts" / CJK_FONT_FILE
