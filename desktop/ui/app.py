"""Start the Qt application: fonts, translations, style, then the main window."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import cast

from PySide6.QtWidgets import QApplication

from desktop.resources import resource_path
from desktop.ui import i18n, prefs
from desktop.ui.fonts import install_cjk_font
from desktop.ui.icons import icon


def style_sheet() -> str:
    """The application style sheet (resources/style.qss)."""
    path = resource_path("style.qss")
    if not path.exists():
        return ""
    icons = resource_path("icons").as_posix()
    return path.read_text(encoding="utf-8").replace("{icons}", icons)


def create_application(argv: list[str] | None = None, language: str | None = None) -> QApplication:
    """The QApplication with the bundled font, the translators and the style sheet.

    ``language`` defaults to the one chosen last on this computer, else zh_CN.
    Reuses a running QApplication (tests).
    """
    app = cast(
        QApplication,
        QApplication.instance() or QApplication(argv if argv is not None else sys.argv),
    )
    if not app.property("uniondesk_ready"):  # once per process (tests call this often)
        install_cjk_font(app)
        app.setApplicationName("UnionDesk")
        app.setOrganizationName("UnionDesk")
        app.setWindowIcon(icon("app"))
        app.setStyle("Fusion")
        app.setStyleSheet(style_sheet())
        app.setProperty("uniondesk_ready", True)
    wanted = language or prefs.get("language", i18n.DEFAULT_LANGUAGE) or "zh_CN"
    if wanted != i18n.current_language() or not i18n.installed():
        i18n.set_language(wanted)
    return app


def run_app(workspace: Path | None, demo: bool, quit_after: float | None = None) -> int:
    """Run the desktop program until its window closes (or ``quit_after`` seconds passed)."""
    from desktop.ui.first_run import set_enroll_handler
    from desktop.ui.main_window import MainWindow
    from desktop.ui.sync_enroll_dialog import enroll_new_workspace
    from desktop.ui.tasks import default_runner

    set_enroll_handler(enroll_new_workspace)

    app = create_application()
    if demo:
        from desktop.ui import operations

        path, ws = operations.open_demo().now()
        window = MainWindow(path)
        window.set_workspace(ws)
    else:
        from desktop.resources import default_workspace_dir

        window = MainWindow(Path(workspace) if workspace else default_workspace_dir())
        window.start()
    window.show()
    if quit_after is not None:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(int(quit_after * 1000), window.close)
    code = app.exec()
    window.close_workspace()
    default_runner().wait(10_000)
    return code
