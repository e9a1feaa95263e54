"""Driving the real windows like a clerk: type into fields, press keys, wait for the GUI."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import QApplication, QComboBox, QWidget

from desktop.ui.main_window import MainWindow


def show_window(qtbot: Any, window: QWidget) -> None:
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)


def type_into(qtbot: Any, widget: QWidget, text: str, *, leave: bool = True) -> None:
    """Focus ``widget``, type ``text`` key by key, then Tab out of it (errors show on leaving)."""
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=2000)
    type_text(qtbot, widget, text)
    if leave:
        qtbot.keyClick(widget, Qt.Key.Key_Tab)


def type_text(qtbot: Any, widget: QWidget, text: str) -> None:
    """Key presses for ASCII; Chinese arrives as an input-method commit, as from a real IME
    (a combo box gets it as key text, which drives its type-to-select)."""
    for ch in text:
        if ch.isascii():
            qtbot.keyClick(widget, ch)
        elif isinstance(widget, QComboBox):
            event = QKeyEvent(QEvent.Type.KeyPress, 0, Qt.KeyboardModifier.NoModifier, ch)
            QApplication.sendEvent(widget, event)
        else:
            event = QInputMethodEvent()
            event.setCommitString(ch)
            QApplication.sendEvent(widget, event)


def fill(qtbot: Any, view: Any, field_id: str, text: str) -> None:
    """Type into a FormView field (line edits, combos: typing selects the matching entry)."""
    widget = view.editor(field_id).focus_widget
    if hasattr(widget, "clear") and hasattr(widget, "setText"):
        widget.clear()
    if isinstance(widget, QComboBox):  # a new type-to-select search, not a continuation
        qtbot.wait(QApplication.keyboardInputInterval() + 50)
    type_into(qtbot, widget, text)


def make_window(qtbot: Any, workspace_dir: Any, ws: Any = None) -> MainWindow:
    window = MainWindow(workspace_dir)
    qtbot.addWidget(window)
    show_window(qtbot, window)
    if ws is not None:
        window.set_workspace(ws)
    else:
        window.start()
    return window
