"""The Audits page (经费审查): the list of checklists, the checklist editor, rectification tracking
and the printouts (blank checklist, report, rectification list).

Every action is a named operation (:mod:`desktop.ui.operations`): reads and writes of checklists
are quick and run at once (``WorkspaceOp.now``); the PDFs are built off the GUI thread, with a
progress bar and a Cancel button. A signed-off checklist opens read-only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

import forms
from desktop.domain import checklists
from desktop.ui import operations
from desktop.ui.checklist_editor import ChecklistEditor
from desktop.ui.checklist_rectifications import RectificationsView
from desktop.ui.checklist_scan_view import LedgerScanView
from desktop.ui.i18n import current_language
from desktop.ui.pages.base import Page
from desktop.ui.shortcuts import set_access_key
from forms.checklist import summarize, yuan
from printing.pdf import PdfCancelled

if TYPE_CHECKING:
    from desktop.store import Workspace


class _Problem:
    """A sign-off problem in the shape of a validation error (code, field, params)."""

    def __init__(self, code: str, field: str, params: dict[str, Any]) -> None:
        self.code, self.field, self.params = code, field, params


class AuditsPage(Page):
    nav_icon_name = "audit"
    # a PDF was written (its path)
    printed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.records: list[Any] = []
        self._task: Any = None
        # asks where to save a PDF (tests replace it); returns None when the person cancels
        self.choose_pdf_path: Callable[[str], Path | None] = self._ask_pdf_path
        # asks a yes/no question (tests replace it)
        self.confirm: Callable[[str], bool] = self._ask_yes_no

        self.title = QLabel(objectName="PageTitle")
        self.search = QLineEdit()
        self.search.textChanged.connect(lambda _t: self.refresh())
        self.new_button, self.open_button, self.blank_button = (QPushButton() for _ in range(3))
        self.new_button.clicked.connect(self.new_checklist)
        self.open_button.clicked.connect(self._open_selected)
        self.blank_button.clicked.connect(self.print_blank)
        self.table = QTableWidget(0, 8)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.activated.connect(
            lambda index: self.open_row(index.row())
        )  # Enter, double-click
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        for b in (self.new_button, self.open_button, self.blank_button):
            bar.addWidget(b)
        list_page = QWidget()
        list_layout = QVBoxLayout(list_page)
        list_layout.addLayout(bar)
        list_layout.addWidget(self.table, 1)

        self.editor = ChecklistEditor()
        self.editor.back.connect(self.show_list)
        self.editor.save_requested.connect(self.save)
        self.editor.sign_off_requested.connect(self.sign_off)
        self.editor.correction_requested.connect(self.start_correction)
        self.editor.print_requested.connect(self.print_report)
        self.stack = QStackedWidget()
        self.stack.addWidget(list_page)
        self.stack.addWidget(self.editor)

        self.rectifications = RectificationsView()
        self.rectifications.reload_requested.connect(self.refresh_rectifications)
        self.rectifications.record_requested.connect(self.record_outcome)
        self.rectifications.print_requested.connect(self.print_rectifications)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.stack, "")
        self.tabs.addTab(self.rectifications, "")
        self.scan = LedgerScanView()
        self.scan.message.connect(self._say)
        self.scan.printed.connect(self.printed.emit)
        self.scan.choose_pdf_path = lambda name: self.choose_pdf_path(name)
        self.tabs.addTab(self.scan, "")

        self.progress = QProgressBar()
        self.progress.hide()
        self.cancel_button = QPushButton()
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.cancel_printing)
        self.message = QLabel(wordWrap=True, objectName="AuditMessage")
        foot = QHBoxLayout()
        foot.addWidget(self.message, 1)
        foot.addWidget(self.progress)
        foot.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(foot)
        self.retranslate()

    def nav_title(self) -> str:
        return self.tr("Audits")

    # -- list ------------------------------------------------------------------------------
    def refresh(self) -> None:
        ws = self.workspace
        if ws is None:
            return
        try:
            search = self.search.text().strip() or None
            self.records = operations.list_checklists(ws, search=search).now()
        except Exception as exc:  # noqa: BLE001 - shown, never a crash
            self._error(exc)
            return
        self.table.setRowCount(len(self.records))
        for n, rec in enumerate(self.records):
            template = checklists.template_of_record(ws, rec)
            s = summarize(template, rec.data)
            values = [
                str(rec.data.get("union_name") or ""),
                f"{rec.data.get('period_start') or ''} – {rec.data.get('period_end') or ''}",
                str(rec.data.get("audit_date") or ""),
                str(rec.data.get("auditors") or ""),
                self.tr("signed off") if rec.locked else self.tr("draft"),
                str(s.counts["noncompliant"]),
                yuan(s.amount_in_question),
                self.tr("corrects an earlier checklist") if rec.data.get("corrects") else "",
            ]
            for col, text in enumerate(values):
                self.table.setItem(n, col, QTableWidgetItem(text))
        can_write = ws.user.can("write_audit")
        self.new_button.setEnabled(can_write)
        self.editor.set_unions(self._unions(ws))
        self.refresh_rectifications()
        if self.scan.ws is not ws:
            self.scan.set_workspace(ws, self._unions(ws), self.tasks)

    def _unions(self, ws: Workspace) -> list[tuple[str, str]]:
        try:
            found = ws.records.query("union", order_by="full_name")
        except Exception:  # noqa: BLE001 - no union form or no right to read: type the name
            return []
        return [(r.uuid, str(r.data.get("full_name") or "")) for r in found]

    def clear(self) -> None:
        self.records = []
        self.table.setRowCount(0)
        self.rectifications.show_items([])
        self.scan.set_workspace(None, [], self.tasks)

    def show_list(self) -> None:
        if self.editor.dirty and not self.confirm(self.tr("Leave the checklist without saving?")):
            return
        self.stack.setCurrentIndex(0)
        self.refresh()

    def _open_selected(self) -> None:
        self.open_row(self.table.currentRow())

    def open_row(self, row: int) -> None:
        if 0 <= row < len(self.records):
            self.open_checklist(self.records[row].uuid)

    def has_unsaved_changes(self) -> bool:
        return self.editor.dirty

    # -- editing ---------------------------------------------------------------------------
    def new_checklist(self) -> None:
        ws = self.workspace
        if ws is None:
            return
        _form, template = checklists.template_of(ws)
        self.editor.load(template, {}, record_uuid=None, locked=False)
        self.stack.setCurrentIndex(1)

    def open_checklist(self, record_uuid: str) -> None:
        ws = self.workspace
        if ws is None:
            return
        rec = ws.records.get(record_uuid)
        self.editor.load(
            checklists.template_of_record(ws, rec),
            rec.data,
            record_uuid=rec.uuid,
            locked=rec.locked or not ws.user.can("write_audit"),
        )
        self.editor.locked = rec.locked
        self.editor._update_state()
        if not ws.user.can("write_audit"):  # a reviewer reads only
            for button in (
                self.editor.save_button,
                self.editor.sign_button,
                self.editor.correct_button,
            ):
                button.setEnabled(False)
        self.stack.setCurrentIndex(1)
        self.tabs.setCurrentIndex(0)

    def save(self) -> bool:
        """Save the editor's checklist; errors go onto the cells they name."""
        from desktop.store import errors

        ws = self.workspace
        if ws is None or self.editor.template is None:
            return False
        self.editor.clear_errors()
        data = self.editor.values()
        form_id, uuid = self.editor.template.form_id, self.editor.record_uuid
        try:
            rec = operations.save_checklist(ws, form_id, data, record_uuid=uuid).now()
        except errors.ValidationFailed as exc:
            self.editor.show_errors(list(exc.result.errors))
            self._say(self.tr("Not saved: correct the marked fields."))
            return False
        except Exception as exc:  # noqa: BLE001 - RecordLocked, permission …: shown
            self._error(exc)
            return False
        row, col = self.editor.table.currentRow(), self.editor.table.currentColumn()
        self.editor.load(self.editor.template, rec.data, record_uuid=rec.uuid, locked=False)
        self.editor.table.setCurrentCell(max(row, 0), max(col, 0))  # values now as stored
        self._say(self.tr("Saved."))
        self.status_changed.emit()
        return True

    def sign_off(self) -> None:
        ws = self.workspace
        if ws is None or self.editor.record_uuid is None:
            return
        if self.editor.dirty and not self.save():
            return
        if not self.confirm(
            self.tr(
                "After sign-off nobody can change this checklist; a "
                "correction becomes a new checklist. Sign off now?"
            )
        ):
            return
        try:
            operations.sign_off_checklist(ws, self.editor.record_uuid).now()
        except checklists.ChecklistNotReady as exc:
            self.editor.show_errors([_Problem(*p) for p in exc.problems])
            self._say(self.tr("Not signed off: every item needs a result first."))
            return
        except Exception as exc:  # noqa: BLE001
            self._error(exc)
            return
        self.open_checklist(self.editor.record_uuid)
        self._say(self.tr("Signed off. The checklist is now read-only."))
        self.status_changed.emit()

    def start_correction(self) -> None:
        ws = self.workspace
        if ws is None or self.editor.record_uuid is None:
            return
        try:
            rec = operations.start_correction(ws, self.editor.record_uuid).now()
        except Exception as exc:  # noqa: BLE001
            self._error(exc)
            return
        self.open_checklist(rec.uuid)
        self._say(self.tr("A correction was started as a new draft checklist."))

    # -- rectifications ----------------------------------------------------------------------
    def refresh_rectifications(self) -> None:
        ws = self.workspace
        if ws is None:
            return
        items = operations.open_rectifications(
            ws,
            dt.date.today(),
            include_closed=self.rectifications.show_closed.isChecked(),
            lang=current_language(),
        ).now()
        self.rectifications.show_items(items)

    def record_outcome(
        self, item: checklists.OpenRectification, outcome: str, date: str, note: str
    ) -> None:
        ws = self.workspace
        if ws is None:
            return
        try:
            operations.record_rectification_outcome(
                ws, item.checklist_uuid, item.item_id, outcome, date, note=note
            ).now()
        except Exception as exc:  # noqa: BLE001 - a bad date or a permission problem: shown
            self.rectifications.status.setText(self._error_text(exc))
            return
        self.rectifications.status.setText(
            self.tr("Outcome recorded; it goes upward with the next sync.")
        )
        self.refresh_rectifications()
        self.status_changed.emit()

    # -- printing ----------------------------------------------------------------------------
    def print_blank(self) -> None:
        path = self.choose_pdf_path(self.tr("blank-checklist") + ".pdf")
        if path is None:
            return
        self._run_pdf(
            operations.print_blank_checklist(self.workspace, path, lang=current_language())
        )

    def print_report(self) -> None:
        ws = self.workspace
        if ws is None or self.editor.record_uuid is None:
            return
        if self.editor.dirty and not self.save():
            return
        uuid = self.editor.record_uuid
        path = self.choose_pdf_path(self.tr("checklist-report") + ".pdf")
        if path is not None:
            lang = current_language()
            self._run_pdf(operations.print_checklist_report(ws, uuid, path, lang=lang))

    def print_rectifications(self) -> None:
        ws = self.workspace
        if ws is None:
            return
        today, lang = dt.date.today(), current_language()
        path = self.choose_pdf_path(self.tr("rectifications") + ".pdf")
        if path is not None:
            self._run_pdf(operations.print_rectifications(ws, path, today=today, lang=lang))

    def _run_pdf(self, op: operations.WorkspaceOp[Path]) -> None:
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.show()
        self._say(self.tr("Printing…"))
        self._task = (
            op.success(self._printed)
            .failure(self._print_failed)
            .progress(self._progressed)
            .with_runner(self.tasks)
            .run()
        )

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _printing_over(self) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self._task = None

    def _printed(self, path: Path) -> None:
        self._printing_over()
        self._say(self.tr("PDF saved: %1").replace("%1", str(path)))
        self.printed.emit(path)

    def _print_failed(self, exc: BaseException) -> None:
        self._printing_over()
        if isinstance(exc, PdfCancelled):
            self._say(self.tr("Printing cancelled; no file was written."))
        else:
            self._error(exc)

    def cancel_printing(self) -> None:
        if self._task is not None:
            self._task.cancel()

    # -- keyboard commands -------------------------------------------------------------------
    def focus_search(self) -> bool:
        if self.stack.currentIndex() != 0 and not self.editor.dirty:
            self.stack.setCurrentIndex(0)
        if self.stack.currentIndex() == 0:
            self.tabs.setCurrentIndex(0)
            self.search.setFocus()
            self.search.selectAll()
        return True

    def print_current(self) -> bool:
        """Ctrl+P: the open checklist's report, the rectification list, or a blank checklist."""
        if self.workspace is None:
            return False
        if self.tabs.currentIndex() == 1:
            self.print_rectifications()
        elif self.stack.currentIndex() == 1 and self.editor.record_uuid is not None:
            self.print_report()
        else:
            self.print_blank()
        return True

    # -- helpers -----------------------------------------------------------------------------
    def _ask_pdf_path(self, suggested: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save PDF"), suggested, "PDF (*.pdf)")
        return Path(path) if path else None

    def _ask_yes_no(self, question: str) -> bool:
        answer = QMessageBox.question(self, self.tr("Audits"), question)
        return answer == QMessageBox.StandardButton.Yes

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.status_message.emit(text)

    def _error_text(self, exc: BaseException) -> str:
        result = getattr(exc, "result", None)
        if result is not None and getattr(result, "errors", None):  # ValidationFailed
            lang = current_language()
            return "；".join(
                forms.message(e.code, lang, **dict(e.params)) for e in list(result.errors)[:3]
            )
        if getattr(exc, "code", "") == "store.record_locked":
            return self.tr("This checklist was signed off and cannot change; start a correction.")
        if getattr(exc, "code", ""):
            from desktop.ui.errors_text import store_error_text

            return store_error_text(exc)
        return str(exc)

    def _error(self, exc: BaseException) -> None:
        self._say(self._error_text(exc))

    def retranslate(self) -> None:
        self.title.setText(self.tr("Funds review"))
        self.search.setPlaceholderText(self.tr("Search by union or auditor"))
        set_access_key(self.new_button, self.tr("New checklist"), "N")
        set_access_key(self.open_button, self.tr("Open"), "O")
        set_access_key(self.blank_button, self.tr("Print blank checklist"), "B")
        self.cancel_button.setText(self.tr("Cancel"))
        self.tabs.setTabText(0, self.tr("Checklists"))
        self.tabs.setTabText(1, self.tr("Rectifications"))
        self.tabs.setTabText(2, self.tr("Ledger scan"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Audited union"),
                self.tr("Period"),
                self.tr("Review date"),
                self.tr("Auditors"),
                self.tr("State"),
                self.tr("Non-compliant"),
                self.tr("Amount in question (yuan)"),
                self.tr("Note"),
            ]
        )
        if self.workspace is not None:
            self.refresh()
