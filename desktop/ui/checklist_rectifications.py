"""The rectifications view of the Audits page (整改跟踪): open items across signed-off checklists,
overdue first, and the form to record an item's outcome later (saved as its own record, so it
flows upward through the outbox while the signed checklist stays untouched)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.checklists import OpenRectification
from desktop.ui.shortcuts import set_access_key
from forms.checklist import DUE, OUTCOMES, OVERDUE, yuan

STATE_COLOURS = {OVERDUE: "#f8d7da", DUE: "#fff3cd"}


class RectificationsView(QWidget):
    """Table of rectifications; the page fills it and stores outcomes."""

    record_requested = Signal(object, str, str, str)  # item, outcome, date, note
    print_requested = Signal()
    reload_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[OpenRectification] = []
        self.title = QLabel(objectName="PageSubtitle")
        self.show_closed = QCheckBox()
        self.show_closed.toggled.connect(lambda _on: self.reload_requested.emit())
        self.print_button = QPushButton()
        self.print_button.clicked.connect(self.print_requested)
        self.table = QTableWidget(0, 9)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        self.table.setColumnWidth(2, 260)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(3, 260)
        self.outcome = QComboBox()
        self.date = QLineEdit(dt.date.today().isoformat())
        self.note = QLineEdit()
        self.record_button = QPushButton()
        self.record_button.clicked.connect(self._record)
        self.status = QLabel(wordWrap=True)

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.show_closed)
        top.addWidget(self.print_button)
        form = QHBoxLayout()
        self.outcome_label, self.date_label, self.note_label = QLabel(), QLabel(), QLabel()
        for label, widget in (
            (self.outcome_label, self.outcome),
            (self.date_label, self.date),
            (self.note_label, self.note),
        ):
            form.addWidget(label)
            form.addWidget(widget, 2 if widget is self.note else 0)
        form.addWidget(self.record_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(self.status)
        self.retranslate()

    def show_items(self, items: list[OpenRectification]) -> None:
        self.items = items
        self.table.setRowCount(len(items))
        states = self._state_words()
        outcomes = self._outcome_words()
        for n, x in enumerate(items):
            state = states.get(x.state, x.state)
            if x.state == OVERDUE and x.days_left is not None:
                state += " " + self.tr("(%1 days)").replace("%1", str(-x.days_left))
            elif x.state == DUE and x.days_left is not None:
                state += " " + self.tr("(%1 days left)").replace("%1", str(x.days_left))
            values = [
                state,
                x.union_name,
                x.item_text,
                x.finding,
                yuan(x.amount) if x.amount is not None else "",
                x.owner,
                x.deadline or "",
                outcomes.get(x.outcome or "", ""),
                "" if x.signed_off else self.tr("draft"),
            ]
            for col, text in enumerate(values):
                cell = QTableWidgetItem(text)
                if x.state in STATE_COLOURS:
                    cell.setBackground(QBrush(QColor(STATE_COLOURS[x.state])))
                self.table.setItem(n, col, cell)
        self.table.resizeRowsToContents()
        self.record_button.setEnabled(bool(items))
        if items:
            self.table.selectRow(0)

    def selected(self) -> OpenRectification | None:
        row = self.table.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    def _record(self) -> None:
        item = self.selected()
        if item is None:
            self.status.setText(self.tr("Choose a rectification in the list first."))
            return
        self.record_requested.emit(
            item, self.outcome.currentData(), self.date.text().strip(), self.note.text().strip()
        )

    def _state_words(self) -> dict[str, str]:
        return {
            "open": self.tr("open"),
            "due": self.tr("due soon"),
            "overdue": self.tr("overdue"),
            "closed": self.tr("closed"),
        }

    def _outcome_words(self) -> dict[str, str]:
        return {
            "done": self.tr("rectified"),
            "partial": self.tr("partly rectified"),
            "not_done": self.tr("not rectified"),
        }

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Rectifications of signed-off checklists, overdue first"))
        self.show_closed.setText(self.tr("Show rectified items"))
        set_access_key(self.print_button, self.tr("Print list (PDF)"), "P")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("State"),
                self.tr("Union"),
                self.tr("Item"),
                self.tr("Finding"),
                self.tr("Amount (yuan)"),
                self.tr("Owner"),
                self.tr("Deadline"),
                self.tr("Outcome"),
                self.tr("Checklist"),
            ]
        )
        current = self.outcome.currentData()
        self.outcome.clear()
        words = self._outcome_words()
        for value in OUTCOMES:
            self.outcome.addItem(words[value], value)
        if current:
            self.outcome.setCurrentIndex(max(self.outcome.findData(current), 0))
        self.outcome_label.setText(self.tr("Outcome"))
        self.date_label.setText(self.tr("Date"))
        self.note_label.setText(self.tr("Note"))
        set_access_key(self.record_button, self.tr("Record outcome"), "R")
        if self.items:
            self.show_items(self.items)
