"""The Transfer dialog (转会): move a member to another union, and settle pending transfers.

Top: the member (the one selected on the Members page), where to — a union of this workspace
(done at once) or a union of another township (name + org-unit code; pending until that side
confirms) — the date and the reason. Bottom: the transfers to other townships still pending, each
confirmable (the other side accepted) or cancellable (refused: the member stays).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import transfers
from desktop.ui import operations
from desktop.ui.shortcuts import set_access_key

if TYPE_CHECKING:
    from desktop.store import Workspace


class TransferDialog(QDialog):
    """See the module doc. ``accept()`` after a transfer was saved."""

    def __init__(
        self, ws: Workspace, member_uuid: str | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ws = ws
        self.member_uuid = member_uuid
        self.setObjectName("TransferDialog")
        self.setWindowTitle(self.tr("Transfer membership"))
        self.resize(640, 480)

        self.member_label = QLabel(objectName="TransferMember")
        self.inside = QRadioButton(self.tr("To a union of this township"), objectName="Inside")
        self.outside = QRadioButton(self.tr("To a union of another township"), objectName="Outside")
        self.inside.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.inside)
        group.addButton(self.outside)
        self.union_combo = QComboBox(objectName="TargetUnion")
        self.other_name = QLineEdit(objectName="OtherUnionName")
        self.other_code = QLineEdit(objectName="OtherOrgUnit")
        self.other_code.setPlaceholderText(self.tr("org-unit code, e.g. 330106008"))
        self.date_edit = QDateEdit(QDate.currentDate(), objectName="TransferDate")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.reason_edit = QLineEdit(objectName="TransferReason")
        self.message = QLabel(objectName="TransferMessage", wordWrap=True)
        self.message.setStyleSheet("color: #b00020")
        self.save_button = QPushButton(objectName="DoTransfer")
        set_access_key(self.save_button, self.tr("Transfer"), "T")
        self.save_button.clicked.connect(self.save)
        close = QPushButton()
        set_access_key(close, self.tr("Close"), "C")
        close.clicked.connect(self.reject)

        box = QGroupBox(self.tr("Transfer"))
        form = QFormLayout(box)
        form.addRow(self.tr("Member"), self.member_label)
        form.addRow(self.inside, self.union_combo)
        form.addRow(self.outside, self.other_name)
        form.addRow(self.tr("Receiving township"), self.other_code)
        form.addRow(self.tr("Date"), self.date_edit)
        form.addRow(self.tr("Reason"), self.reason_edit)

        self.pending_table = QTableWidget(0, 4, objectName="PendingTransfers")
        self.pending_table.setHorizontalHeaderLabels(
            [self.tr("Member"), self.tr("To"), self.tr("Date"), self.tr("Requested by")]
        )
        self.pending_table.horizontalHeader().setStretchLastSection(True)
        self.pending_table.verticalHeader().setVisible(False)
        self.confirm_button = QPushButton()
        set_access_key(self.confirm_button, self.tr("Confirmed by the other side"), "O")
        self.confirm_button.clicked.connect(self.confirm_selected)
        self.refuse_button = QPushButton()
        set_access_key(self.refuse_button, self.tr("Refused / withdrawn"), "R")
        self.refuse_button.clicked.connect(self.cancel_selected)
        pending_box = QGroupBox(self.tr("Transfers to other townships waiting for confirmation"))
        pending_layout = QVBoxLayout(pending_box)
        pending_layout.addWidget(self.pending_table)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.confirm_button)
        row.addWidget(self.refuse_button)
        pending_layout.addLayout(row)

        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addWidget(pending_box, 1)
        layout.addLayout(buttons)
        self.inside.toggled.connect(self._update)
        self._load()

    def _load(self) -> None:
        from_union = None
        if self.member_uuid:
            rec = self.ws.records.get(self.member_uuid)
            from_union = rec.data.get("union")
            self.member_label.setText(str(rec.data.get("name") or ""))
        else:
            self.member_label.setText(self.tr("(select a member on the Members page first)"))
        self.union_combo.clear()
        for u in self.ws.records.query("union", order_by="created_at", limit=5000):
            if u.uuid != from_union:
                self.union_combo.addItem(str(u.data.get("full_name") or u.uuid[:8]), u.uuid)
        self._fill_pending()
        self._update()

    def _fill_pending(self) -> None:
        self.pending = operations.pending_transfers(self.ws).now()
        self.pending_table.setRowCount(len(self.pending))
        for i, t in enumerate(self.pending):
            cells = (t.member_name, f"{t.to_union_name}（{t.to_org_unit}）", t.date, t.requested_by)
            for c, text in enumerate(cells):
                self.pending_table.setItem(i, c, QTableWidgetItem(text))
        has = bool(self.pending)
        self.confirm_button.setEnabled(has)
        self.refuse_button.setEnabled(has)

    def _update(self) -> None:
        inside = self.inside.isChecked()
        self.union_combo.setEnabled(inside)
        self.other_name.setEnabled(not inside)
        self.other_code.setEnabled(not inside)
        self.save_button.setEnabled(self.member_uuid is not None)

    def _error(self, exc: BaseException) -> None:
        from desktop.ui.errors_text import store_error_text

        self.message.setText(
            str(exc) if isinstance(exc, transfers.TransferError) else store_error_text(exc)
        )

    def save(self) -> bool:
        if self.member_uuid is None:
            return False
        date = self.date_edit.date().toString("yyyy-MM-dd")
        reason = self.reason_edit.text().strip()
        try:
            if self.inside.isChecked():
                target = self.union_combo.currentData()
                if target is None:
                    self.message.setText(self.tr("Choose the union the member moves to."))
                    return False
                operations.transfer_member(
                    self.ws, self.member_uuid, target, date=date, reason=reason
                ).now()
            else:
                operations.request_external_transfer(
                    self.ws,
                    self.member_uuid,
                    to_union_name=self.other_name.text(),
                    to_org_unit=self.other_code.text(),
                    date=date,
                    reason=reason,
                ).now()
        except Exception as exc:  # noqa: BLE001 - shown in the dialog, nothing half-saved
            self._error(exc)
            return False
        self.accept()
        return True

    def _selected_pending(self) -> transfers.PendingTransfer | None:
        row = self.pending_table.currentRow()
        return self.pending[row] if 0 <= row < len(self.pending) else None

    def confirm_selected(self) -> None:
        t = self._selected_pending()
        if t is None:
            return
        try:
            operations.confirm_transfer(self.ws, t.id).now()
        except Exception as exc:  # noqa: BLE001
            self._error(exc)
        self._fill_pending()

    def cancel_selected(self) -> None:
        t = self._selected_pending()
        if t is None:
            return
        try:
            operations.cancel_transfer(self.ws, t.id).now()
        except Exception as exc:  # noqa: BLE001
            self._error(exc)
        self._fill_pending()
