"""What a person on a small screen notices: a control cut off by the window's edge, or squeezed
narrower than it needs. Used in-process (1024×768) and by scaled_screenshot.py (150 %)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QComboBox,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolBar,
    QWidget,
)

#: the controls a person reads or operates
CONTROLS = (QAbstractButton, QComboBox, QLineEdit, QLabel, QAbstractScrollArea)


def _scrolls(widget: QWidget, window: QWidget) -> bool:
    """True when ``widget`` sits in a scroll area's contents (it may lie outside, scrolled)."""
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        grand = parent.parentWidget()
        if isinstance(grand, QAbstractScrollArea) and parent is grand.viewport():
            return True
        parent = grand
    return False


def fit_problems(window: QWidget) -> list[str]:
    """Every visible control lies inside the window and is not narrower than its minimum size
    hint (labels that wrap or elide and widgets that may shrink freely excepted)."""
    problems: list[str] = []
    inside = window.rect()
    for w in window.findChildren(QWidget):
        if not isinstance(w, CONTROLS) or not w.isVisible() or w.window() is not window:
            continue
        if _scrolls(w, window) or isinstance(w.parentWidget(), QLineEdit):
            continue  # scrolled contents; a line edit's own clear / search icons
        where = f"{type(w).__name__}#{w.objectName()} {getattr(w, 'text', lambda: '')()!r}"
        rect = QRect(w.mapTo(window, QPoint(0, 0)), w.size())
        if not inside.contains(rect):
            problems.append(f"{where} at {rect.getRect()} outside {inside.getRect()}")
        policy = w.sizePolicy().horizontalPolicy()
        if policy == QSizePolicy.Policy.Ignored or (isinstance(w, QLabel) and w.wordWrap()):
            continue
        hint = w.minimumSizeHint().width()
        if w.minimumWidth() == 0 and w.width() + 1 < hint:
            problems.append(f"{where} {w.width()} px wide, needs {hint}")
    for bar in window.findChildren(QToolBar):  # a toolbar too narrow hides actions behind »
        if bar.isVisible() and not _scrolls(bar, window):
            bar.layout().activate()
            if bar.sizeHint().width() > bar.width() + 1:
                needs = bar.sizeHint().width()
                problems.append(f"toolbar {bar.objectName()!r} {bar.width()} px, needs {needs}")
    return problems
