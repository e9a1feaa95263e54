"""The Assessments page (会员评家): the year's summary, the list of sessions, and the editor.

The list shows every session (union, year, date, satisfaction, result flags, status); "New
session" opens the editor on an unsaved session, double-click opens a stored one. The summary
panel above the list shows satisfaction per union, unions with no session this year and
rectification items past their deadline. Store reads run through the task runner.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import assessments as ops
from desktop.domain.assessments import Session
from desktop.ui import operations
from desktop.ui.assessment_editor import SessionEditor
from desktop.ui.assessment_summary import SummaryPanel
from desktop.ui.pages.base import Page
from desktop.ui.shortcuts import set_access_key

if TYPE_CHECKING:
    pass

COLUMNS = 6


class AssessmentsPage(Page):
    nav_icon_name = "assessment"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sessions: list[Session] = []
        self.union_list: list[tuple[str, str]] = []
        self.names: dict[str, str] = {}
        self.title = QLabel(objectName="PageTitle")
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(QDate.currentDate().year())
        self.year_label = QLabel()
        self.new_button = QPushButton()
        self.open_button = QPushButton()
        self.summary = SummaryPanel()
        self.table = QTableWidget(0, COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.editor = SessionEditor()

        bar = QHBoxLayout()
        bar.addWidget(self.year_label)
        bar.addWidget(self.year)
        bar.addStretch(1)
        bar.addWidget(self.new_button)
        bar.addWidget(self.open_button)
        list_page = QWidget()
        list_layout = QVBoxLayout(list_page)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addWidget(self.title)
        list_layout.addLayout(bar)
        list_layout.addWidget(self.summary, 2)
        list_layout.addWidget(self.table, 3)
        self.stack = QStackedWidget()
        self.stack.addWidget(list_page)
        self.stack.addWidget(self.editor)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        self.year.valueChanged.connect(lambda _v: self.refresh())
        self.new_button.clicked.connect(self.new_session)
        self.open_button.clicked.connect(self._open_selected)
        self.table.activated.connect(lambda index: self.open_session(index.row()))  # Enter too
        self.summary.open_session.connect(self.open_uuid)
        self.editor.back.connect(self.show_list)
        self.editor.saved.connect(lambda _s: self.refresh())
        self.retranslate()

    def nav_title(self) -> str:
        return self.tr("Assessments")

    # -- data ----------------------------------------------------------------------------
    def refresh(self) -> None:
        ws = self.workspace
        if ws is None:
            return
        year = self.year.value()

        operations.load_assessments(ws, year, date.today()).success(self._show).failure(
            self._failed
        ).with_runner(self.tasks).run()

    def _failed(self, exc: BaseException) -> None:
        from desktop.ui.errors_text import store_error_text

        self.status_message.emit(store_error_text(exc))

    def _show(self, loaded: tuple[list[Session], list[tuple[str, str]], ops.Dashboard]) -> None:
        self.sessions, self.union_list, board = loaded
        self.names = dict(self.union_list)
        self.summary.show_dashboard(board)
        self.table.setRowCount(0)
        yes, no = self.tr("yes"), self.tr("no")
        for s in self.sessions:
            row = self.table.rowCount()
            self.table.insertRow(row)
            r = s.result or {}
            values = [
                self.names.get(s.union, s.union),
                str(s.year),
                s.date,
                (r.get("overall_rate") or {}).get("percent", "—"),
                (yes if r.get("rectification_required") else no) if r else "—",
                self._status_text(s.status),
            ]
            for col, value in enumerate(values):
                self.table.setItem(row, col, QTableWidgetItem(value))

    def _status_text(self, status: str) -> str:
        try:
            from desktop.ui.errors_text import status_text

            return status_text(status)
        except ImportError:  # pragma: no cover
            return status

    def clear(self) -> None:
        self.sessions, self.union_list, self.names = [], [], {}
        self.table.setRowCount(0)
        self.summary.show_dashboard(None)
        if not self.editor.has_unsaved_changes():
            self.show_list()

    def has_unsaved_changes(self) -> bool:
        return self.stack.currentIndex() == 1 and self.editor.has_unsaved_changes()

    # -- navigation ----------------------------------------------------------------------
    def new_session(self) -> None:
        ws = self.workspace
        if ws is None:
            return
        union = self.union_list[0][0] if self.union_list else ""
        session = operations.new_assessment(
            ws, union, self.year.value(), meeting_date=date.today().isoformat()
        ).now()
        self.editor.load(ws, session, self.union_list)
        self.stack.setCurrentIndex(1)

    def open_session(self, row: int) -> None:
        if 0 <= row < len(self.sessions) and self.workspace is not None:
            self.editor.load(self.workspace, self.sessions[row], self.union_list)
            self.stack.setCurrentIndex(1)

    def open_uuid(self, uuid: str) -> None:
        for row, s in enumerate(self.sessions):
            if s.uuid == uuid:
                self.open_session(row)
                return

    def _open_selected(self) -> None:
        self.open_session(self.table.currentRow())

    def show_list(self) -> None:
        self.stack.setCurrentIndex(0)

    # -- language ------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(self.tr("Member assessment of the union"))
        self.year_label.setText(self.tr("Year"))
        set_access_key(self.new_button, self.tr("New session"), "N")
        set_access_key(self.open_button, self.tr("Open"), "O")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Union"),
                self.tr("Year"),
                self.tr("Meeting date"),
                self.tr("Satisfaction"),
                self.tr("Rectification"),
                self.tr("Status"),
            ]
        )
        if self.workspace is not None:
            self.refresh()
