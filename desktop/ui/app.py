"""Start the Qt application: fonts, translations, style, then the first window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

from desktop.ui.fonts import install_cjk_font


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with the bundled font installed (reuses a running one)."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    install_cjk_font(app)
    app.setApplicationName("UnionDesk")
    return app


def run_app(workspace: Path | None, demo: bool) -> int:
    """Run the desktop program until its last window closes."""
    app = create_application()
    window = QMainWindow()
    window.setWindowTitle("工会通 UnionDesk")
    window.setCentralWidget(QLabel("基层工会 · 会员实名制 · 会员评家 · 经费审查"))
    window.resize(1024, 700)
    window.show()
    return app.exec()
