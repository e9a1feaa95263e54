"""The keyboard map: one table the main window wires and the 快捷键 sheet lists.

Each :class:`Shortcut` names a command, its keys (portable ``QKeySequence`` text) and what it
does (English source text with an ``&`` access key, translated in the ``Shortcuts`` context).
``scope`` says who acts on it: ``window`` shortcuts are QActions on the main window (and its
menus); ``list`` and ``form`` ones are handled by the lists and entry screens themselves and
appear here so the sheet shows them too. :class:`ShortcutSheet` is generated from
:data:`SHORTCUTS`, so the sheet cannot drift from what the code does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

CONTEXT = "Shortcuts"


@dataclass(frozen=True)
class Shortcut:
    command: str
    keys: str
    text: str  # English source with an & access key; shown through :func:`label`
    scope: str = "window"

    def sequence(self) -> QKeySequence:
        return QKeySequence(self.keys)

    def label(self) -> str:
        """The translated text with its access key (for menus)."""
        return QCoreApplication.translate(CONTEXT, self.text)

    def plain(self) -> str:
        """The translated text without the access key (for the sheet and tooltips)."""
        return strip_mnemonic(self.label())

    def key_text(self) -> str:
        return self.sequence().toString(QKeySequence.SequenceFormat.NativeText)


def strip_mnemonic(text: str) -> str:
    """``"会员(&M)"`` → ``"会员"``, ``"&Members"`` → ``"Members"``."""
    text = re.sub(r"\s*\(&\w\)", "", text)
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _T(context: str, text: str) -> str:  # noqa: N802 - Qt's lupdate marker, typed
    """``QT_TRANSLATE_NOOP``: marks ``text`` for translation in ``context`` and returns it."""
    return str(QT_TRANSLATE_NOOP(context, text))


#: every shortcut of the program, in the order the sheet lists them
SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("page.1", "Ctrl+1", _T(CONTEXT, "&Dashboard")),
    Shortcut("page.2", "Ctrl+2", _T(CONTEXT, "&Unions")),
    Shortcut("page.3", "Ctrl+3", _T(CONTEXT, "&Members")),
    Shortcut("page.4", "Ctrl+4", _T(CONTEXT, "&Assessments")),
    Shortcut("page.5", "Ctrl+5", _T(CONTEXT, "Aud&its")),
    Shortcut("page.6", "Ctrl+6", _T(CONTEXT, "S&ync page")),
    Shortcut("page.7", "Ctrl+7", _T(CONTEXT, "Se&ttings")),
    Shortcut("search", "Ctrl+F", _T(CONTEXT, "&Find on this page")),
    Shortcut("print", "Ctrl+P", _T(CONTEXT, "&Print")),
    Shortcut("export", "Ctrl+E", _T(CONTEXT, "&Export")),
    Shortcut("sync", "F5", _T(CONTEXT, "&Sync now")),
    Shortcut("help", "F1", _T(CONTEXT, "&Help for this page")),
    Shortcut("lock", "Ctrl+L", _T(CONTEXT, "&Lock")),
    Shortcut("open", "Return", _T(CONTEXT, "&Open the selected row"), "list"),
    Shortcut("new", "Ctrl+N", _T(CONTEXT, "&New record"), "list"),
    Shortcut("save", "Ctrl+S", _T(CONTEXT, "&Save the entry screen"), "form"),
    Shortcut("next", "Tab", _T(CONTEXT, "Next &field"), "form"),
    Shortcut("close", "Esc", _T(CONTEXT, "&Close the entry screen"), "form"),
)


def by_command(command: str) -> Shortcut:
    for shortcut in SHORTCUTS:
        if shortcut.command == command:
            return shortcut
    raise KeyError(command)


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


class ShortcutSheet(QDialog):
    """The 快捷键 sheet: every row of :data:`SHORTCUTS`, in the current language."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ShortcutSheet")
        self.intro = QLabel(wordWrap=True)
        self.table = QTableWidget(len(SHORTCUTS), 3, objectName="ShortcutTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(560, 660)  # every row without scrolling, still inside 1024×768
        self.retranslate()

    def rows(self) -> list[tuple[str, str]]:
        """(keys, what they do) as the sheet shows them."""
        return [
            (self.table.item(r, 0).text(), self.table.item(r, 1).text())
            for r in range(self.table.rowCount())
        ]

    def retranslate(self) -> None:
        self.setWindowTitle(tr("Keyboard shortcuts"))
        set_access_key(self.close_button, tr("Close"), "C")
        self.intro.setText(
            tr("Underlined letters on buttons and menus work with Alt (for example Alt+H).")
        )
        self.table.setHorizontalHeaderLabels([tr("Keys"), tr("Action"), tr("Where")])
        where = {
            "window": tr("everywhere"),
            "list": tr("in a list"),
            "form": tr("on an entry screen"),
        }
        for row, shortcut in enumerate(SHORTCUTS):
            for col, text in enumerate((shortcut.key_text(), shortcut.plain())):
                self.table.setItem(row, col, QTableWidgetItem(text))
            self.table.setItem(row, 2, QTableWidgetItem(where[shortcut.scope]))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")


def with_access_key(text: str, key: str) -> str:
    """``text`` (already translated) with the access key ``key``: ``"&New checklist"`` in
    English (the first matching letter), ``"新建检查表(&N)"`` in Chinese, as office software does."""
    if "&" in text:
        return text
    index = text.lower().find(key.lower())
    if index >= 0 and not _CJK.search(text):
        return text[:index] + "&" + text[index:]
    return f"{text}(&{key.upper()})"


def set_access_key(button: Any, text: str, key: str, tip: str = "", keys: str = "") -> None:
    """Give ``button`` (a button or an action) the text with its access key, and say so in its
    tooltip: ``"New (Alt+N)"``, or ``tip`` with other ``keys`` too: ``"New record (Ctrl+N, Alt+N)"``.
    An action shows the access key on its toolbar button as well (its icon text)."""
    labelled = with_access_key(text, key)
    button.setText(labelled)
    if hasattr(button, "setIconText"):
        button.setIconText(labelled)
    also = f"{keys}, " if keys else ""
    button.setToolTip(f"{tip or strip_mnemonic(text)} ({also}Alt+{key.upper()})")
