"""Placeholder for the Sync page (its owner replaces this file)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop.ui.pages.base import Page


class SyncPage(Page):
    nav_icon_name = "sync"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._label = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self._label)
        layout.addStretch(1)
        self.retranslate()

    def nav_title(self) -> str:
        return self.tr("Sync")

    def retranslate(self) -> None:
        self._label.setText(self.tr("Coming soon."))
