"""Repeat groups (rows inside a record, e.g. membership changes) as an editable table."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.field_widgets import NO_CHOICE, ChangeFn, FieldEditor, RefProvider
from desktop.ui.i18n import pick
from desktop.ui.icons import icon
from desktop.ui.shortcuts import set_access_key

_CHOICE_KINDS = ("combo_box", "reference_picker")
translate = QCoreApplication.translate


class RepeatEditor(FieldEditor):
    """A table whose columns are the group's row fields; choice cells are combo boxes."""

    def __init__(
        self, field: Any, on_change: ChangeFn, provider: RefProvider | None = None
    ) -> None:
        super().__init__(field, on_change)
        self.provider = provider
        self.columns = list(field.fields)
        self.table = QTableWidget(0, len(self.columns))
        self.table.setObjectName(f"repeat_{field.id}")
        self.table.verticalHeader().setVisible(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMinimumHeight(130)
        self.table.itemChanged.connect(lambda _i: self.on_change())
        self.add_button = QPushButton()
        self.add_button.setIcon(icon("add"))
        self.remove_button = QPushButton()
        self.remove_button.setIcon(icon("delete"))
        self.add_button.clicked.connect(self.add_row)
        self.remove_button.clicked.connect(self.remove_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        self.widget = QWidget()
        layout = QVBoxLayout(self.widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.focus_widget = self.table
        self.retranslate()

    # -- rows --------------------------------------------------------------------------------
    def _choices(self, col: Any) -> list[tuple[str, str]]:
        if col.widget == "reference_picker":
            return self.provider(col.ref_form) if (self.provider and col.ref_form) else []
        return [(c.value, pick(c.label)) for c in col.choices]

    def add_row(self, values: dict[str, Any] | None = None) -> int:
        values = values if isinstance(values, dict) else {}
        row = self.table.rowCount()
        self.table.blockSignals(True)
        self.table.insertRow(row)
        for c, col in enumerate(self.columns):
            value = values.get(col.id)
            if col.widget in _CHOICE_KINDS:
                combo = QComboBox()
                combo.addItem("", NO_CHOICE)
                for v, label in self._choices(col):
                    combo.addItem(label, v)
                index = combo.findData(value) if value not in (None, "") else 0
                combo.setCurrentIndex(max(index, 0))
                combo.currentIndexChanged.connect(lambda _i: self.on_change())
                self.table.setCellWidget(row, c, combo)
            elif col.widget == "check_box":
                item = QTableWidgetItem()
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if value else Qt.CheckState.Unchecked)
                self.table.setItem(row, c, item)
            else:
                self.table.setItem(row, c, QTableWidgetItem("" if value is None else str(value)))
        self.table.blockSignals(False)
        self.on_change()
        return row

    def remove_row(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        if not rows and self.table.currentRow() >= 0:
            rows = [self.table.currentRow()]
        for row in rows:
            self.table.removeRow(row)
        if rows:
            self.on_change()

    def value(self) -> Any:
        rows: list[dict[str, Any]] = []
        for r in range(self.table.rowCount()):
            row: dict[str, Any] = {}
            for c, col in enumerate(self.columns):
                widget = self.table.cellWidget(r, c)
                if isinstance(widget, QComboBox):
                    row[col.id] = widget.currentData() or None
                    continue
                item = self.table.item(r, c)
                if col.widget == "check_box":
                    row[col.id] = bool(item and item.checkState() == Qt.CheckState.Checked)
                else:
                    text = item.text().strip() if item else ""
                    row[col.id] = text or None
            rows.append(row)
        return rows

    def set_value(self, value: Any) -> None:
        if value == self.value():
            return
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        self.table.blockSignals(False)
        for row in value or []:
            self.add_row(row)

    def set_cell_errors(self, cells: set[tuple[int, str]]) -> None:
        """Mark the cells (row, field id) that have errors."""
        ids = [c.id for c in self.columns]
        for r in range(self.table.rowCount()):
            for c, fid in enumerate(ids):
                item = self.table.item(r, c)
                if item is not None:
                    bad = (r, fid) in cells
                    item.setBackground(QBrush(QColor("#fdecec")) if bad else QBrush())
                    item.setForeground(QBrush(QColor("#9b1c1c")) if bad else QBrush())

    def set_readonly(self, readonly: bool) -> None:
        triggers = (
            QAbstractItemView.EditTrigger.NoEditTriggers
            if readonly
            else QAbstractItemView.EditTrigger.AllEditTriggers
        )
        self.table.setEditTriggers(triggers)
        self.add_button.setEnabled(not readonly)
        self.remove_button.setEnabled(not readonly)

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([pick(c.label) for c in self.columns])
        set_access_key(self.add_button, translate("RepeatEditor", "Add row"), "W")
        set_access_key(self.remove_button, translate("RepeatEditor", "Remove row"), "M")
