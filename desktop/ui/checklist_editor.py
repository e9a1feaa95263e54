"""The checklist editor of the Audits page: header fields, the items table, summary, actions.

Keyboard first: in the Result column the keys 1 / 2 / 3 set 合规 / 不合规 / 不适用 (0 or Delete
clears) and move to the next item; other cells are typed into directly (amount in yuan). The
rule text and how to check it show under the table for the current item. Saving goes through
``desktop.domain.checklists`` (the store validates with the form definition); errors are shown on the
cell or field they name. A signed-off checklist opens read-only; "Start correction" makes a new
draft record that names it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from html import escape
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

import forms
from desktop.ui.i18n import current_language
from desktop.ui.shortcuts import set_access_key
from forms.checklist import RESULTS, Template, result_label, summarize, yuan

NO, ITEM, RESULT, AMOUNT, FINDING, EVIDENCE, RECTIFY, OWNER, DEADLINE = range(9)
ROW_FIELDS = {
    AMOUNT: "amount",
    FINDING: "finding",
    EVIDENCE: "evidence",
    OWNER: "owner",
    DEADLINE: "deadline",
}
FIELD_COLUMNS = {v: k for k, v in ROW_FIELDS.items()} | {"result": RESULT, "rectify": RECTIFY}
HEADER_IDS = ("union_name", "period_start", "period_end", "auditors", "audit_date")
RESULT_KEYS = {Qt.Key.Key_1: RESULTS[0], Qt.Key.Key_2: RESULTS[1], Qt.Key.Key_3: RESULTS[2]}
ERROR_BRUSH = QBrush(QColor("#f8d7da"))


def yuan_to_fen(text: str | None) -> int | None:
    """Yuan as typed ("1,200.50", "１２元") to fen for the live summary; None when not a number."""
    if not text:
        return None
    cleaned = forms.types.to_ascii(text).replace(",", "").replace("元", "").replace("¥", "")
    try:
        fen = Decimal(cleaned) * 100
    except InvalidOperation:
        return None
    return int(fen) if fen == fen.to_integral_value() else None


class ChecklistEditor(QWidget):
    """Edits one checklist; the page supplies the store operations through signals."""

    save_requested = Signal()
    sign_off_requested = Signal()
    correction_requested = Signal()
    print_requested = Signal()
    back = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.template: Template | None = None
        self.record_uuid: str | None = None
        self.locked = False
        self.dirty = False
        self._loading = False
        self.fields: dict[str, QLineEdit] = {hid: QLineEdit() for hid in HEADER_IDS}
        self.field_labels: dict[str, QLabel] = {hid: QLabel() for hid in HEADER_IDS}
        self.conclusion = QPlainTextEdit()
        self.conclusion.setMaximumHeight(70)
        self.conclusion_label = QLabel()
        self.union_uuid: str | None = None
        self.union_pick = QComboBox()
        self.union_pick.activated.connect(self._union_picked)
        header = QFormLayout()
        for hid in HEADER_IDS:
            if hid == "union_name":
                line = QHBoxLayout()
                line.addWidget(self.fields[hid], 3)
                line.addWidget(self.union_pick, 2)
                header.addRow(self.field_labels[hid], line)
            else:
                header.addRow(self.field_labels[hid], self.fields[hid])
            self.fields[hid].textChanged.connect(self._touched)
        header.addRow(self.conclusion_label, self.conclusion)
        self.conclusion.textChanged.connect(self._touched)

        self.table = QTableWidget(0, 9)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.setColumnWidth(NO, 40)
        self.table.setColumnWidth(ITEM, 340)
        self.table.setColumnWidth(FINDING, 260)
        self.table.installEventFilter(self)
        self.table.itemChanged.connect(self._item_changed)
        self.table.currentCellChanged.connect(lambda row, *_: self._show_guidance(row))
        self.guidance = QLabel(wordWrap=True)
        self.guidance.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary = QLabel(objectName="AuditSummary")
        self.status = QLabel(wordWrap=True, objectName="AuditStatus")

        self.back_button = QPushButton()
        self.save_button = QPushButton()
        self.sign_button = QPushButton()
        self.correct_button = QPushButton()
        self.print_button = QPushButton()
        self.back_button.clicked.connect(self.back)
        self.save_button.clicked.connect(self.save_requested)
        self.sign_button.clicked.connect(self.sign_off_requested)
        self.correct_button.clicked.connect(self.correction_requested)
        self.print_button.clicked.connect(self.print_requested)
        buttons = QHBoxLayout()
        for b in (
            self.back_button,
            self.save_button,
            self.sign_button,
            self.correct_button,
            self.print_button,
        ):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.state_label = QLabel(objectName="AuditState")
        buttons.addWidget(self.state_label)

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        guidance_scroll = QScrollArea(widgetResizable=True)  # long guidance scrolls, never cut
        guidance_scroll.setFrameShape(QFrame.Shape.NoFrame)
        guidance_scroll.setWidget(self.guidance)
        self.guidance.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        lower_layout.addWidget(guidance_scroll)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(lower)
        split.setStretchFactor(0, 5)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addLayout(header)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)
        self.retranslate()

    # -- loading ---------------------------------------------------------------------------
    def load(
        self, template: Template, data: dict[str, Any], *, record_uuid: str | None, locked: bool
    ) -> None:
        """Show a checklist (``record_uuid`` None: not saved yet)."""
        self._loading = True
        self.template, self.record_uuid, self.locked = template, record_uuid, locked
        for hid, edit in self.fields.items():
            edit.setText(str(data.get(hid) or ""))
            edit.setReadOnly(locked)
            edit.setStyleSheet("")
            edit.setToolTip("")
        self.conclusion.setPlainText(str(data.get("conclusion") or ""))
        self.conclusion.setReadOnly(locked)
        self.union_uuid = data.get("union") or None
        self.union_pick.setEnabled(not locked)
        self.union_pick.setCurrentIndex(max(self.union_pick.findData(self.union_uuid), 0))
        rows = {str(r.get("item_id")): r for r in data.get("items") or []}
        self.table.setRowCount(0)
        self.table.setRowCount(len(template.items))
        lang = current_language()
        for n, item in enumerate(template.items):
            row = rows.get(item.id, {})
            self._set(n, NO, str(n + 1), editable=False, key=item.id)
            self._set(n, ITEM, f"【{item.topic_text(lang)}】{item.text(lang)}", editable=False)
            self._set(n, RESULT, "", editable=False, key=row.get("result"))
            amount = row.get("amount")
            self._set(n, AMOUNT, yuan(amount) if isinstance(amount, int) else str(amount or ""))
            for col in (FINDING, EVIDENCE, OWNER, DEADLINE):
                self._set(n, col, str(row.get(ROW_FIELDS[col]) or ""))
            check = QTableWidgetItem()
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if not locked:
                flags |= Qt.ItemFlag.ItemIsUserCheckable
            check.setFlags(flags)
            check.setCheckState(
                Qt.CheckState.Checked if row.get("rectify") else Qt.CheckState.Unchecked
            )
            self.table.setItem(n, RECTIFY, check)
        self._retranslate_results()
        self.table.resizeRowsToContents()
        self._loading = False
        self.dirty = False
        self._update_state()
        if template.items:
            self.table.setCurrentCell(0, RESULT)
        self.status.setText("")

    def _set(
        self, row: int, col: int, text: str, *, editable: bool = True, key: Any = None
    ) -> None:
        item = QTableWidgetItem(text)
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if editable and not self.locked:
            flags |= Qt.ItemFlag.ItemIsEditable
        item.setFlags(flags)
        if key is not None:
            item.setData(Qt.ItemDataRole.UserRole, key)
        self.table.setItem(row, col, item)

    # -- values ----------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """The checklist as typed (raw strings; the form validation normalises them)."""
        data: dict[str, Any] = {hid: self.fields[hid].text().strip() or None for hid in HEADER_IDS}
        data["conclusion"] = self.conclusion.toPlainText().strip() or None
        data["union"] = self.union_uuid
        items = []
        for n in range(self.table.rowCount()):
            row: dict[str, Any] = {
                "item_id": self.table.item(n, NO).data(Qt.ItemDataRole.UserRole),
                "result": self.table.item(n, RESULT).data(Qt.ItemDataRole.UserRole),
                "rectify": self.table.item(n, RECTIFY).checkState() == Qt.CheckState.Checked,
            }
            for col, fid in ROW_FIELDS.items():
                text = self.table.item(n, col).text().strip()
                row[fid] = text or None
            if not row["rectify"]:
                row.pop("owner"), row.pop("deadline")
            items.append(row)
        data["items"] = items
        return data

    def set_unions(self, unions: list[tuple[str, str]]) -> None:
        """The union records to pick the audited union from: (uuid, full name)."""
        self.union_pick.clear()
        self.union_pick.addItem(self.tr("Pick from the union records…"), None)
        for uuid, name in unions:
            self.union_pick.addItem(name, uuid)
        self.union_pick.setCurrentIndex(max(self.union_pick.findData(self.union_uuid), 0))

    def _union_picked(self, index: int) -> None:
        uuid = self.union_pick.itemData(index)
        if uuid:
            self.union_uuid = uuid
            self.fields["union_name"].setText(self.union_pick.itemText(index))

    def set_result(self, row: int, result: str | None) -> None:
        if self.locked or not 0 <= row < self.table.rowCount():
            return
        self.table.item(row, RESULT).setData(Qt.ItemDataRole.UserRole, result)
        self.table.item(row, RESULT).setText(result_label(result, current_language()))
        self._touched()

    # -- errors ------------------------------------------------------------------------------
    def show_errors(self, errors: list[Any]) -> None:
        """Mark the cells / fields the validation errors name and list the first few."""
        lang = current_language()
        lines = []
        for err in errors:
            text = forms.message(err.code, lang, **dict(err.params))
            field = str(err.field or "")
            if field in self.fields:
                self.fields[field].setStyleSheet("background: #f8d7da")
                self.fields[field].setToolTip(text)
                lines.append(f"{self.field_labels[field].text()}: {text}")
            elif field.startswith("items["):
                index = int(field[6 : field.index("]")])
                col = FIELD_COLUMNS.get(field.rpartition(".")[2], RESULT)
                if index < self.table.rowCount():
                    cell = self.table.item(index, col)
                    cell.setBackground(ERROR_BRUSH)
                    cell.setToolTip(text)
                lines.append(
                    self.tr("Item %1: %2").replace("%1", str(index + 1)).replace("%2", text)
                )
            else:
                lines.append(text)
        more = len(lines) - 6
        if more > 0:
            lines = [*lines[:6], self.tr("… and %1 more").replace("%1", str(more))]
        self.status.setText("\n".join(lines))

    def clear_errors(self) -> None:
        for edit in self.fields.values():
            edit.setStyleSheet("")
            edit.setToolTip("")
        self._loading = True
        for n in range(self.table.rowCount()):
            for col in range(self.table.columnCount()):
                cell = self.table.item(n, col)
                if cell is not None:
                    cell.setBackground(QBrush())
                    cell.setToolTip("")
        self._loading = False

    # -- behaviour ---------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            key = event.key() if isinstance(event, QKeyEvent) else None
            if self.table.currentColumn() == RESULT and not self.locked:
                row = self.table.currentRow()
                if key in RESULT_KEYS or key in (Qt.Key.Key_0, Qt.Key.Key_Delete):
                    self.set_result(row, RESULT_KEYS.get(key))
                    if row + 1 < self.table.rowCount():
                        self.table.setCurrentCell(row + 1, RESULT)
                    return True
        return super().eventFilter(watched, event)

    def _item_changed(self, _item: QTableWidgetItem) -> None:
        if not self._loading:
            self._touched()

    def _touched(self, *_args: Any) -> None:
        if self._loading:
            return
        self.dirty = True
        self._update_summary()

    def _update_summary(self) -> None:
        if self.template is None:
            return
        data = self.values()
        for row in data["items"]:
            row["amount"] = yuan_to_fen(row["amount"])
        s = summarize(self.template, data)
        lang = current_language()
        self.summary.setText(
            self.tr(
                "%1 %2 · %3 %4 · %5 %6 · unanswered %7 · amount in question %8 yuan · rectifications %9"
            )
            .replace("%1", result_label(RESULTS[0], lang))
            .replace("%2", str(s.counts[RESULTS[0]]))
            .replace("%3", result_label(RESULTS[1], lang))
            .replace("%4", str(s.counts[RESULTS[1]]))
            .replace("%5", result_label(RESULTS[2], lang))
            .replace("%6", str(s.counts[RESULTS[2]]))
            .replace("%7", str(s.counts["unanswered"]))
            .replace("%8", yuan(s.amount_in_question))
            .replace("%9", str(s.rectifications_required))
        )

    def _fit_header_labels(self) -> None:
        """Widen a column whose header text (in the current language) would be cut."""
        metrics = self.table.horizontalHeader().fontMetrics()
        for col in range(self.table.columnCount()):
            item = self.table.horizontalHeaderItem(col)
            need = metrics.horizontalAdvance(item.text() if item else "") + 28
            if self.table.columnWidth(col) < need:
                self.table.setColumnWidth(col, need)

    def _show_guidance(self, row: int) -> None:
        if self.template is None or not 0 <= row < len(self.template.items):
            self.guidance.setText("")
            return
        item, lang = self.template.items[row], current_language()
        how = self.tr("How to check:")
        keys = self.tr("Result keys: 1 compliant, 2 non-compliant, 3 not applicable, 0 clear")
        self.guidance.setText(
            f"<b>{row + 1}. {escape(item.topic_text(lang))}</b><br>{escape(item.text(lang))}<br>"
            f"<i>{how} {escape(item.guidance_text(lang))}</i><br><small>{keys}</small>"
        )

    def _update_state(self) -> None:
        saved = self.record_uuid is not None
        self.save_button.setEnabled(not self.locked)
        self.sign_button.setEnabled(saved and not self.locked)
        self.correct_button.setEnabled(saved and self.locked)
        self.print_button.setEnabled(saved)
        self.state_label.setText(
            self.tr("Signed off: read-only")
            if self.locked
            else (self.tr("Draft") if saved else self.tr("Not saved yet"))
        )
        self._update_summary()

    def _retranslate_results(self) -> None:
        lang = current_language()
        self._loading = True
        for n in range(self.table.rowCount()):
            cell = self.table.item(n, RESULT)
            if cell is not None:
                cell.setText(result_label(cell.data(Qt.ItemDataRole.UserRole), lang))
        self._loading = False

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:  # a switch while the checklist is open
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        labels = {
            "union_name": self.tr("Audited union"),
            "period_start": self.tr("Period from"),
            "period_end": self.tr("Period to"),
            "auditors": self.tr("Auditors"),
            "audit_date": self.tr("Review date"),
        }
        for hid, text in labels.items():
            self.field_labels[hid].setText(text)
        for hid in ("period_start", "period_end", "audit_date"):
            self.fields[hid].setPlaceholderText(self.tr("e.g. 2026-07-10"))
        self.conclusion_label.setText(self.tr("Conclusion"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("No."),
                self.tr("Item"),
                self.tr("Result"),
                self.tr("Amount (yuan)"),
                self.tr("Finding"),
                self.tr("Evidence"),
                self.tr("Rectify"),
                self.tr("Owner"),
                self.tr("Deadline"),
            ]
        )
        self._fit_header_labels()
        set_access_key(self.back_button, self.tr("Back to list"), "B")
        set_access_key(self.save_button, self.tr("Save"), "S")
        set_access_key(self.sign_button, self.tr("Sign off"), "I")
        set_access_key(self.correct_button, self.tr("Start correction"), "C")
        set_access_key(self.print_button, self.tr("Print report (PDF)"), "P")
        self._retranslate_results()
        self._update_state()
        self._show_guidance(self.table.currentRow())
