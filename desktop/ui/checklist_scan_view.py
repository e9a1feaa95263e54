"""The ledger-scan tab of the Audits page (数字化审计): pick the union and year, import its
journal export, scan, and go through the doubts by keyboard — ↑/↓ to move, Alt+C to confirm
(the doubt becomes a finding of its checklist item), Alt+D to dismiss with a reason, Alt+P to
print the 疑点清单.

Every action is a named operation (:mod:`desktop.ui.operations`): the file is read and the list
printed off the GUI thread; storing, scanning and deciding are quick and run at once
(``WorkspaceOp.now``). The page wires the signals.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import checklist_scan
from desktop.reports.import_errors import ImportFileError
from desktop.reports.import_messages import file_message
from desktop.store import errors
from desktop.ui import operations
from desktop.ui.i18n import current_language
from desktop.ui.shortcuts import set_access_key
from desktop.ui.tasks import TaskRunner
from forms.checklist import yuan

if TYPE_CHECKING:
    from desktop.store import Workspace


class LedgerScanView(QWidget):
    """Import, scan and decide; ``message`` carries what to tell the person."""

    message = Signal(str)
    printed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws: Workspace | None = None
        self.tasks: TaskRunner | None = None
        self.found: list[checklist_scan.Found] = []
        # dialogs (tests replace them); each returns None when the person cancels
        self.choose_file: Callable[[], Path | None] = self._ask_file
        self.ask_reason: Callable[[str], str | None] = self._ask_reason
        self.choose_pdf_path: Callable[[str], Path | None] = lambda _n: None
        self.union = QComboBox()
        self.period = QLineEdit()
        self.period.setMaxLength(4)
        self.period.setMaximumWidth(80)
        self.import_button, self.scan_button = QPushButton(), QPushButton()
        self.confirm_button, self.dismiss_button, self.print_button = (
            QPushButton() for _ in range(3)
        )
        self.import_button.clicked.connect(self.import_file)
        self.scan_button.clicked.connect(self.rescan)
        self.confirm_button.clicked.connect(self.confirm_current)
        self.dismiss_button.clicked.connect(self.dismiss_current)
        self.print_button.clicked.connect(self.print_list)
        self.union_label, self.period_label, self.state = QLabel(), QLabel(), QLabel(wordWrap=True)
        self.union_label.setBuddy(self.union)
        self.period_label.setBuddy(self.period)
        self.table = QTableWidget(0, 6)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        top = QHBoxLayout()
        for w in (self.union_label, self.union, self.period_label, self.period):
            top.addWidget(w)
        top.addWidget(self.import_button)
        top.addWidget(self.scan_button)
        top.addStretch(1)
        decide = QHBoxLayout()
        decide.addWidget(self.state, 1)
        for b in (self.confirm_button, self.dismiss_button, self.print_button):
            decide.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(decide)
        self.retranslate()

    # -- data ---------------------------------------------------------------------------------
    def _open(self) -> Workspace:
        """The workspace the view acts on (WorkspaceClosed once it locked)."""
        if self.ws is None:
            raise errors.WorkspaceClosed("The workspace is locked or closed.")
        return self.ws

    def set_workspace(
        self, ws: Workspace | None, unions: list[tuple[str, str]], tasks: TaskRunner | None
    ) -> None:
        self.ws, self.tasks = ws, tasks
        self.union.clear()
        for uuid, name in unions:
            self.union.addItem(name, uuid)
        can = ws is not None and ws.user.can("write_audit")
        for b in (self.import_button, self.confirm_button, self.dismiss_button):
            b.setEnabled(can)
        self.found = []
        self._fill()

    def union_uuid(self) -> str | None:
        return self.union.currentData()

    def year(self) -> str:
        return self.period.text().strip()

    def import_file(self) -> None:
        union = self.union_uuid()
        if self.ws is None or union is None or self.tasks is None:
            return
        path = self.choose_file()
        if path is None:
            return
        remembered = checklist_scan.remembered_columns(self.ws)
        period = self.year() or None
        self.message.emit(self.tr("Reading the ledger…"))
        operations.read_ledger(path, period, remembered).success(
            lambda read: self._store(read, union, period)
        ).failure(self._failed).with_runner(self.tasks).run()

    def _store(self, read: Any, union: str, period: str | None) -> None:
        try:
            operations.store_ledger(self._open(), read, union, period).now()
        except Exception as exc:  # noqa: BLE001 - shown, never a crash
            self._failed(exc)
            return
        self.period.setText(read.period)
        self.message.emit(
            self.tr("%1 journal lines imported for %2.")
            .replace("%1", str(len(read.lines)))
            .replace("%2", read.period)
        )
        self.rescan()

    def rescan(self) -> None:
        union = self.union_uuid()
        if self.ws is None or union is None:
            return
        try:
            self.found = operations.scan_ledger(self.ws, union, self.year()).now()
        except Exception as exc:  # noqa: BLE001
            self._failed(exc)
            return
        self._fill()
        if self.found:
            self.table.selectRow(0)
        self.table.setFocus()

    def _current(self) -> checklist_scan.Found | None:
        row = self.table.currentRow()
        return self.found[row] if 0 <= row < len(self.found) else None

    def confirm_current(self) -> None:
        f, union = self._current(), self.union_uuid()
        if f is None or union is None:
            return
        checklist = checklist_scan.checklist_for(self._open(), union, self.year())
        if checklist is None:
            self.message.emit(self.tr("Start a checklist for this union and year first."))
            return
        try:
            operations.confirm_doubt(
                self._open(),
                union,
                self.year(),
                f.doubt.key,
                checklist,
                found=self.found,
                lang=current_language(),
            ).now()
        except Exception as exc:  # noqa: BLE001
            self._failed(exc)
            return
        self._after_decision()

    def dismiss_current(self) -> None:
        f, union = self._current(), self.union_uuid()
        if f is None or union is None:
            return
        reason = self.ask_reason(f.doubt.reason(current_language()))
        if reason is None:
            return
        if not reason.strip():
            self.message.emit(self.tr("Say why the doubt is dismissed."))
            return
        try:
            operations.dismiss_doubt(self._open(), union, self.year(), f.doubt.key, reason).now()
        except Exception as exc:  # noqa: BLE001 - shown, never a crash
            self._failed(exc)
            return
        self._after_decision()

    def _after_decision(self) -> None:
        row = self.table.currentRow()
        self.rescan()
        self.table.selectRow(min(row + 1, len(self.found) - 1))

    def print_list(self) -> None:
        union = self.union_uuid()
        if self.ws is None or union is None:
            return
        path = self.choose_pdf_path(self.tr("ledger-doubts") + ".pdf")
        if path is None:
            return

        def done(out: Path) -> None:
            self.message.emit(self.tr("PDF saved: %1").replace("%1", str(out)))
            self.printed.emit(out)

        operations.print_doubts(
            self.ws, union, self.year(), path, found=self.found or None, lang=current_language()
        ).success(done).failure(self._failed).with_runner(self.tasks).run()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ImportFileError):
            self.message.emit(file_message(exc.code, current_language(), **exc.params))
        else:
            self.message.emit(str(exc))

    def _fill(self) -> None:
        lang = current_language()
        self.table.setRowCount(len(self.found))
        words = {"confirmed": self.tr("Confirmed"), "dismissed": self.tr("Dismissed")}
        for r, f in enumerate(self.found):
            d = f.doubt
            decision = words.get(f.decision.decision, "") if f.decision else self.tr("To check")
            if f.decision and f.decision.reason:
                decision += f" ({f.decision.reason})"
            cells = [d.rule, d.item, "、".join(d.numbers), yuan(d.amount), d.reason(lang), decision]
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        open_ = sum(1 for f in self.found if f.decision is None)
        self.state.setText(
            self.tr("%1 doubts, %2 still to check.")
            .replace("%1", str(len(self.found)))
            .replace("%2", str(open_))
        )

    # -- dialogs ------------------------------------------------------------------------------
    def _ask_file(self) -> Path | None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Import a ledger"),
            "",
            self.tr("Journal export") + " (*.xlsx *.xls *.xlsm *.ods *.et *.csv)",
        )
        return Path(path) if path else None

    def _ask_reason(self, why: str) -> str | None:
        text, ok = QInputDialog.getText(self, self.tr("Dismiss the doubt"), why)
        return text if ok else None

    def retranslate(self) -> None:
        self.union_label.setText(self.tr("Union"))
        self.period_label.setText(self.tr("Year"))
        set_access_key(self.import_button, self.tr("Import ledger…"), "I")
        set_access_key(self.scan_button, self.tr("Scan"), "S")
        set_access_key(self.confirm_button, self.tr("Confirm"), "C")
        set_access_key(self.dismiss_button, self.tr("Dismiss"), "D")
        set_access_key(self.print_button, self.tr("Print doubts"), "P")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Rule"),
                self.tr("Checklist item"),
                self.tr("Vouchers"),
                self.tr("Amount (yuan)"),
                self.tr("Why"),
                self.tr("Decision"),
            ]
        )
        self._fill()
