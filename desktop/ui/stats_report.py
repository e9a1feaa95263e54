"""The Dashboard's 统计报表 action: a dialog for the as-of date, the period (year) and which
tables, then a save dialog (.xlsx or .pdf), and the report computed and written off the GUI
thread through the task runner (:mod:`desktop.domain.stats_facts` → :mod:`forms.stats` → the xlsx or
PDF writer). On a county reviewer's workspace (a user who may review, enrolled with the county)
the dialog also asks the source: this workspace, or the county server's own tables fetched by the
signed call (``operations.fetch_statistics``). ``ask_save_path`` is a module function so tests
can answer it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.ui import operations
from desktop.ui.shortcuts import set_access_key
from sync.retry import RetryPolicy

if TYPE_CHECKING:
    from desktop.store import Workspace

CONTEXT = "StatsReport"
#: how patiently the county is asked for its tables (a person is waiting)
RETRY = RetryPolicy(attempts=3)


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def table_titles() -> list[tuple[str, str]]:
    """(table id, title in the UI language) of the shipped definition."""
    from desktop.ui.i18n import current_language
    from forms import stats

    lang = current_language()
    return [
        (t.id, t.title.get(lang) or t.title["zh_CN"]) for t in stats.shipped_definition().tables
    ]


def ask_save_path(parent: QWidget, title: str, suggested: str, filters: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, filters)
    return path


class StatsReportDialog(QDialog):
    """As-of date, period and the tables to write."""

    def __init__(
        self,
        parent: QWidget | None = None,
        today: dt.date | None = None,
        server_name: str | None = None,
    ) -> None:
        super().__init__(parent)
        today = today or dt.date.today()
        self.setObjectName("StatsReportDialog")
        self.setWindowTitle(tr("Statistics tables"))
        self.as_of = QDateEdit(objectName="StatsAsOf")
        self.as_of.setCalendarPopup(True)
        self.as_of.setDisplayFormat("yyyy-MM-dd")
        self.as_of.setDate(QDate(today.year, today.month, today.day))
        self.period = QSpinBox(objectName="StatsPeriod")
        self.period.setRange(1990, 2100)
        self.period.setValue(today.year)
        self.as_of.dateChanged.connect(lambda d: self.period.setValue(d.year()))
        self.tables: dict[str, QCheckBox] = {}
        form = QFormLayout()
        #: shown on a reviewer's enrolled workspace only: "workspace" or "server"
        self.source: QComboBox | None = None
        if server_name is not None:
            self.source = QComboBox(objectName="StatsSource")
            self.source.addItem(tr("This workspace"), "workspace")
            self.source.addItem(tr("County server (%1)").replace("%1", server_name), "server")
            form.addRow(tr("Source"), self.source)
        form.addRow(tr("As of"), self.as_of)
        form.addRow(tr("Period (year)"), self.period)
        box = QVBoxLayout()
        for table_id, title in table_titles():
            check = QCheckBox(title, objectName=f"StatsTable_{table_id}")
            check.setChecked(True)
            check.toggled.connect(self._update_ok)
            self.tables[table_id] = check
            box.addWidget(check)
        form.addRow(tr("Tables"), box)
        note = QLabel(tr("Counts only: no names or ID numbers are written."))
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        set_access_key(self.buttons.button(QDialogButtonBox.StandardButton.Ok), tr("Save as…"), "S")
        set_access_key(
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel), tr("Cancel"), "C"
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)

    def _update_ok(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.chosen()))

    def chosen(self) -> tuple[str, ...]:
        return tuple(tid for tid, check in self.tables.items() if check.isChecked())

    def values(self) -> tuple[str, int, tuple[str, ...]]:
        """(as-of ISO date, period year, table ids)."""
        return self.as_of.date().toString("yyyy-MM-dd"), self.period.value(), self.chosen()

    def chosen_source(self) -> str:
        """``workspace`` (computed here) or ``server`` (the county's tables)."""
        return "workspace" if self.source is None else str(self.source.currentData())


def ask_options(
    parent: QWidget, server_name: str | None = None
) -> tuple[str, int, tuple[str, ...], str] | None:
    """Show the dialog; (as-of, period, tables, source), or None when cancelled."""
    dialog = StatsReportDialog(parent, server_name=server_name)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return (*dialog.values(), dialog.chosen_source())


def county_server_name(ws: Workspace) -> str | None:
    """The county's name when this workspace is a reviewer's (a user who may review, enrolled
    with a county server): then the dialog offers the county's own tables."""
    from desktop.link import state as link_state

    if not ws.user.can("review"):
        return None
    e = link_state.load_enrollment(ws.settings)
    if e is None:
        return None
    return e.server_name or e.server_url


def fetch_error_text(exc: BaseException) -> str:
    """A clear sentence for a failed fetch from the county (a LinkError's code)."""
    from desktop.ui.errors_text import store_error_text

    texts = {
        "unreachable": tr("the county server cannot be reached; try again later"),
        "not_allowed": tr(
            "the county allows its tables only to reviewer devices and reviewer accounts"
        ),
        "not_enrolled": tr("this workspace is not enrolled with a county server"),
    }
    return texts.get(getattr(exc, "code", ""), "") or store_error_text(exc)


def stats_report_action(page: Any) -> None:
    """Ask the options and a file, then compute and write the tables in the background; the
    page's status line says where the file went (or what went wrong)."""
    from desktop.ui.i18n import current_language

    ws = page.workspace
    if ws is None:
        return
    options = ask_options(page, county_server_name(ws))
    if options is None:
        return
    as_of, period, tables, source = options
    path = ask_save_path(
        page,
        tr("Save statistics tables"),
        tr("statistics tables") + f" {as_of}.xlsx",
        tr("Excel workbook (*.xlsx);;PDF (*.pdf)"),
    )
    if not path:
        return
    if Path(path).suffix.lower() not in (".xlsx", ".pdf"):
        path += ".xlsx"
    lang = current_language()

    def done(result: Path) -> None:
        page.status_message.emit(tr("Statistics tables saved: %1").replace("%1", str(result)))

    def failed(exc: BaseException) -> None:
        text = tr("The statistics tables could not be written: %1")
        page.status_message.emit(text.replace("%1", fetch_error_text(exc)))

    if source == "server":
        op = operations.fetch_statistics(
            ws, as_of, period, path, tables=tables, lang=lang, retry=RETRY
        )
    else:
        op = operations.write_statistics(ws, as_of, period, path, tables=tables, lang=lang)
    op.success(done).failure(failed).run()
