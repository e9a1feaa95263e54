"""The rectification items of an assessment session (整改事项): what, owner, deadline, and later
the done date and outcome — an editable table with Add / Remove."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.assessments import Rectification
from desktop.ui.shortcuts import set_access_key

COLUMNS = ("what", "owner", "deadline", "done_date", "outcome")


class RectificationTable(QGroupBox):
    """Rows of :class:`Rectification`; :attr:`changed` fires on every edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._filling = False
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.add_button = QPushButton()
        self.remove_button = QPushButton()
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.table.itemChanged.connect(lambda _item: self._emit())
        self.add_button.clicked.connect(lambda: self.add())
        self.remove_button.clicked.connect(self.remove_current)
        self.retranslate()

    def _emit(self) -> None:
        if not self._filling:
            self.changed.emit()

    def set_items(self, items: list[Rectification]) -> None:
        self._filling = True
        try:
            self.table.setRowCount(0)
            for item in items:
                self._append(item)
        finally:
            self._filling = False

    def items(self) -> list[Rectification]:
        """The rows with anything typed in them, top to bottom."""
        found = []
        for row in range(self.table.rowCount()):
            cells = [
                (self.table.item(row, c).text().strip() if self.table.item(row, c) else "")
                for c in range(len(COLUMNS))
            ]
            if any(cells):
                found.append(Rectification(*cells))
        return found

    def add(self) -> None:
        """A new empty row, ready to type in."""
        self._filling = True
        try:
            self._append(Rectification(""))
        finally:
            self._filling = False
        self.table.setCurrentCell(self.table.rowCount() - 1, 0)
        self.changed.emit()

    def remove_current(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self.changed.emit()

    def _append(self, item: Rectification) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        values = (item.what, item.owner, item.deadline, item.done_date, item.outcome)
        for col, value in enumerate(values):
            self.table.setItem(row, col, QTableWidgetItem(value))

    def retranslate(self) -> None:
        self.setTitle(self.tr("Rectification items"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("What"),
                self.tr("Owner"),
                self.tr("Deadline (YYYY-MM-DD)"),
                self.tr("Done on"),
                self.tr("Outcome"),
            ]
        )
        set_access_key(self.add_button, self.tr("Add item"), "I")
        set_access_key(self.remove_button, self.tr("Remove item"), "M")

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
