"""The assessment summary panel: satisfaction per union, unions with no session this year, and
rectification items past their deadline (figures from :func:`desktop.domain.assessments.dashboard`).

Also usable on the Dashboard page: build it, then call :meth:`SummaryPanel.show_dashboard`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.assessments import Dashboard


def _table(columns: int) -> QTableWidget:
    table = QTableWidget(0, columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    return table


class SummaryPanel(QWidget):
    """Three small tables; :attr:`open_session` fires with a session uuid on double-click."""

    open_session = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dashboard: Dashboard | None = None
        self.rates = _table(5)
        self.missing = _table(1)
        self.overdue = _table(4)
        self.boxes = [QGroupBox() for _ in range(3)]
        self.headline = QLabel()
        self.headline.setObjectName("summaryHeadline")
        row = QHBoxLayout()
        for box, table, stretch in zip(
            self.boxes, (self.rates, self.missing, self.overdue), (3, 2, 3), strict=True
        ):
            inner = QVBoxLayout(box)
            inner.addWidget(table)
            row.addWidget(box, stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.headline)
        layout.addLayout(row)
        self.rates.cellDoubleClicked.connect(lambda r, _c: self._open(self.rates, r))
        self.overdue.cellDoubleClicked.connect(lambda r, _c: self._open(self.overdue, r))
        self.retranslate()

    def _open(self, table: QTableWidget, row: int) -> None:
        item = table.item(row, 0)
        if item is not None and item.data(256):
            self.open_session.emit(str(item.data(256)))

    def show_dashboard(self, dashboard: Dashboard | None) -> None:
        self.dashboard = dashboard
        for table in (self.rates, self.missing, self.overdue):
            table.setRowCount(0)
        if dashboard is None:
            self.headline.clear()
            return
        yes, no = self.tr("yes"), self.tr("no")
        for f in dashboard.satisfaction:
            self._append(
                self.rates,
                [
                    f.name,
                    f.rate,
                    yes if f.quorum_met else no,
                    yes if f.rectification_required else no,
                    yes if f.model_home_eligible else no,
                ],
                f.session,
            )
        for _uuid, name in dashboard.missing:
            self._append(self.missing, [name], "")
        for o in dashboard.overdue:
            self._append(
                self.overdue, [o.name, o.item.what, o.item.owner, o.item.deadline], o.session
            )
        self.headline.setText(
            self.tr("%1: %2 unions assessed, %3 without a session, %4 rectification items overdue")
            .replace("%1", str(dashboard.year))
            .replace("%2", str(len(dashboard.satisfaction)))
            .replace("%3", str(len(dashboard.missing)))
            .replace("%4", str(len(dashboard.overdue)))
        )

    @staticmethod
    def _append(table: QTableWidget, values: list[str], session: str) -> None:
        row = table.rowCount()
        table.insertRow(row)
        for col, value in enumerate(values):
            item = QTableWidgetItem(value)
            if col == 0:
                item.setData(256, session)  # Qt.UserRole
            table.setItem(row, col, item)

    def retranslate(self) -> None:
        self.boxes[0].setTitle(self.tr("Satisfaction per union"))
        self.boxes[1].setTitle(self.tr("No session this year"))
        self.boxes[2].setTitle(self.tr("Rectification past its deadline"))
        self.rates.setHorizontalHeaderLabels(
            [
                self.tr("Union"),
                self.tr("Satisfaction"),
                self.tr("Quorum"),
                self.tr("Rectification"),
                self.tr("Model home"),
            ]
        )
        self.missing.setHorizontalHeaderLabels([self.tr("Union")])
        self.overdue.setHorizontalHeaderLabels(
            [self.tr("Union"), self.tr("What"), self.tr("Owner"), self.tr("Deadline")]
        )
        self.show_dashboard(self.dashboard)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
