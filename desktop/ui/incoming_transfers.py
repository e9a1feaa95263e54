"""Incoming transfers (转入): members another township transfers here, offered through sync.

A table of the open offers (member, from which township and union, the union they named, date,
reason); below it the union of this township to take the member into, a note, and Accept /
Refuse. Accepting creates the member record; either answer goes back to the county by sync.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import transfer_offers, transfers
from desktop.ui import operations
from desktop.ui.shortcuts import set_access_key

if TYPE_CHECKING:
    from desktop.store import Workspace


class IncomingTransfersDialog(QDialog):
    """See the module doc; ``changed`` is True once something was accepted or refused."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.changed = False
        self.offers: list[transfer_offers.TransferOffer] = []
        self.setObjectName("IncomingTransfersDialog")
        self.setWindowTitle(self.tr("Incoming transfers"))
        self.resize(720, 420)

        self.table = QTableWidget(0, 5, objectName="IncomingTable")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Member"),
                self.tr("From"),
                self.tr("Union named"),
                self.tr("Date"),
                self.tr("Reason"),
            ]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.currentCellChanged.connect(self._preselect_union)
        self.table.verticalHeader().setVisible(False)
        self.empty = QLabel(
            self.tr("No transfers from other townships are waiting."), objectName="IncomingEmpty"
        )
        self.union_combo = QComboBox(objectName="IncomingUnion")
        self.note_edit = QLineEdit(objectName="IncomingNote")
        self.note_edit.setPlaceholderText(self.tr("required when refusing"))
        self.message = QLabel(objectName="IncomingMessage", wordWrap=True)
        self.message.setStyleSheet("color: #b00020")
        self.accept_button = QPushButton(objectName="AcceptTransfer")
        set_access_key(self.accept_button, self.tr("Accept"), "A")
        self.accept_button.clicked.connect(self.accept_selected)
        self.refuse_button = QPushButton(objectName="RefuseTransfer")
        set_access_key(self.refuse_button, self.tr("Refuse"), "R")
        self.refuse_button.clicked.connect(self.refuse_selected)
        close = QPushButton()
        set_access_key(close, self.tr("Close"), "C")
        close.clicked.connect(self.reject)

        form = QFormLayout()
        form.addRow(self.tr("Into union"), self.union_combo)
        form.addRow(self.tr("Note"), self.note_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.refuse_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self._load()

    def _load(self) -> None:
        self.union_combo.clear()
        for u in self.ws.records.query("union", order_by="created_at", limit=5000):
            self.union_combo.addItem(str(u.data.get("full_name") or u.uuid[:8]), u.uuid)
        self._fill()

    def _fill(self) -> None:
        self.offers = operations.incoming_offers(self.ws).now()
        self.table.setRowCount(len(self.offers))
        for i, o in enumerate(self.offers):
            where = o.from_org_unit_name or o.from_org_unit
            cells = (o.member_name, f"{o.from_union_name}（{where}）", o.to_union_name, o.date)
            for c, text in enumerate((*cells, o.reason)):
                self.table.setItem(i, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        if self.offers and self.table.currentRow() < 0:
            self.table.selectRow(0)
        has = bool(self.offers)
        self.empty.setVisible(not has)
        self.accept_button.setEnabled(has and self.union_combo.count() > 0)
        self.refuse_button.setEnabled(has)

    def _preselect_union(self, *_: object) -> None:
        """Offer the union the sending side named, when this township has one of that name."""
        offer = self.selected()
        if offer is None or not offer.to_union_name:
            return
        index = self.union_combo.findText(offer.to_union_name)
        if index >= 0:
            self.union_combo.setCurrentIndex(index)

    def selected(self) -> transfer_offers.TransferOffer | None:
        row = self.table.currentRow()
        return self.offers[row] if 0 <= row < len(self.offers) else None

    def _error(self, exc: BaseException) -> None:
        from desktop.ui.errors_text import store_error_text

        if isinstance(exc, transfers.TransferError) and exc.code == "transfer.note_required":
            self.message.setText(self.tr("Say why the transfer is refused (Note)."))
        elif isinstance(exc, transfers.TransferError):
            self.message.setText(str(exc))
        else:
            self.message.setText(store_error_text(exc))
        self.message.setStyleSheet("color: #b00020")

    def accept_selected(self) -> bool:
        offer, union = self.selected(), self.union_combo.currentData()
        if offer is None or union is None:
            self.message.setText(self.tr("Choose a transfer and the union to take it into."))
            return False
        try:
            operations.accept_offer(self.ws, offer.id, union, note=self.note_edit.text()).now()
        except Exception as exc:  # noqa: BLE001 - shown here; the offer stays open
            self._error(exc)
            return False
        text = self.tr("%1 joined %2; the answer goes to the county with the next sync.")
        self._done(
            text.replace("%1", offer.member_name).replace("%2", self.union_combo.currentText())
        )
        return True

    def refuse_selected(self) -> bool:
        offer = self.selected()
        if offer is None:
            return False
        try:
            operations.refuse_offer(self.ws, offer.id, note=self.note_edit.text()).now()
        except Exception as exc:  # noqa: BLE001 - shown here; the offer stays open
            self._error(exc)
            return False
        self._done(self.tr("Refused; the answer goes to the county with the next sync."))
        return True

    def _done(self, text: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("")
        self.note_edit.clear()
        self.changed = True
        self._fill()
