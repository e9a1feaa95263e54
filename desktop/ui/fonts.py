"""Register the bundled CJK font with Qt so Chinese renders on machines without one."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from desktop.resources import cjk_font_path


def install_cjk_font(app: QApplication) -> str:
    """Load the bundled font and make it the application font; return its family name."""
    font_id = QFontDatabase.addApplicationFont(str(cjk_font_path()))
    if font_id < 0:
        raise RuntimeError(f"cannot load the bundled font {cjk_font_path()}")
    family = QFontDatabase.applicationFontFamilies(font_id)[0]
    base = QFont(family)
    base.setPointSize(10)
    app.setFont(base)
    return family
