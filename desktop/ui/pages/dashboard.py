"""The Dashboard: counts that matter to a township and a chart of members by union."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui import operations
from desktop.ui.assessment_summary import SummaryPanel
from desktop.ui.operations.pages import CHART_UNIONS
from desktop.ui.pages.base import Page
from desktop.ui.shortcuts import set_access_key
from desktop.ui.stats_report import stats_report_action
from desktop.ui.stats_report import tr as stats_tr

if TYPE_CHECKING:
    from desktop.store import Workspace


class StatCard(QFrame):
    """A number with a caption."""

    def __init__(self, parent: QWidget | None = None, tone: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        if tone:
            self.setProperty("tone", tone)
        self.value = QLabel("—", objectName="StatValue")
        self.caption = QLabel(objectName="StatLabel")
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)


class DashboardPage(Page):
    nav_icon_name = "dashboard"
    CARDS = (
        "unions",
        "members",
        "female",
        "migrant",
        "new_form",
        "unsynced",
        "returned",
        "audit_open",
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.figures: dict[str, int] = {}
        self._generation = 0
        self._stale = True
        self.members_by_union: list[tuple[str, int]] = []
        self.title = QLabel(objectName="PageTitle")
        self.stats_button = QPushButton(objectName="StatsReportButton")
        self.stats_button.clicked.connect(lambda: stats_report_action(self))
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.stats_button)
        self.cards = {
            key: StatCard(tone="warn" if key in ("returned", "audit_open") else "")
            for key in self.CARDS
        }
        grid = QGridLayout()
        grid.setSpacing(12)
        for i, key in enumerate(self.CARDS):
            grid.addWidget(self.cards[key], i // 4, i % 4)
        self.chart = QChart()
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart.legend().hide()
        self.chart.setMargins(QMargins(8, 8, 8, 8))
        self.chart.setBackgroundRoundness(6)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setObjectName("MembersByUnionChart")
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(260)
        self.chart_title = QLabel(objectName="SectionTitle")
        self.assessment_title = QLabel(objectName="SectionTitle")
        self.assessment_summary = SummaryPanel()
        self.assessment_summary.setMinimumHeight(180)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addLayout(grid)
        layout.addWidget(self.chart_title)
        layout.addWidget(self.chart_view, 1)
        layout.addWidget(self.assessment_title)
        layout.addWidget(self.assessment_summary, 1)
        self.retranslate()

    def nav_title(self) -> str:
        return self.tr("Dashboard")

    # -- figures ---------------------------------------------------------------------------
    # Member figures come from the counts the store keeps (desktop.store.tally), current members
    # only (transfers' is_current_member rules); the rest are indexed counts. They are still
    # computed off the GUI thread, and only while the dashboard is on screen.
    def set_workspace(self, ws: Workspace | None) -> None:
        self._stale = True
        super().set_workspace(ws)

    def refresh(self) -> None:
        ws = self.workspace
        self._stale = True
        if ws is None or not self.isVisible():
            return
        self._stale = False
        self._generation += 1
        generation = self._generation

        def done(result: tuple[dict[str, int], list[tuple[str, int]], Any]) -> None:
            if generation == self._generation and self.workspace is ws:
                self.figures, self.members_by_union, assessment = result
                self.assessment_summary.show_dashboard(assessment)
                self._show()

        operations.load_dashboard(ws, CHART_UNIONS).success(done).failure(
            lambda exc: None
        ).with_runner(self.tasks).run()

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if getattr(self, "_stale", False) and self.workspace is not None:
            self.refresh()

    def clear(self) -> None:
        self._generation += 1
        self.figures = {}
        self.members_by_union = []
        self.assessment_summary.show_dashboard(None)
        self._show()

    def _show(self) -> None:
        for key, card in self.cards.items():
            value = self.figures.get(key)
            card.value.setText("—" if value is None or value < 0 else f"{value:,}")
        self._draw_chart()

    def _draw_chart(self) -> None:
        chart = self.chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        pairs = list(reversed(self.members_by_union))  # largest at the top
        bar = QBarSet(self.tr("Members"))
        bar.setColor(QColor("#2f6fdf"))
        bar.setBorderColor(QColor("#2f6fdf"))
        bar.setLabelColor(QColor("#102a43"))
        for _name, value in pairs:
            bar.append(value)
        series = QHorizontalBarSeries()
        series.append(bar)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QHorizontalBarSeries.LabelsPosition.LabelsOutsideEnd)
        chart.addSeries(series)
        names = QBarCategoryAxis()
        names.append([name or "—" for name, _v in pairs] or [""])
        font = QFont(self.font())
        font.setPointSize(9)
        names.setLabelsFont(font)
        values = QValueAxis()
        top = max([v for _n, v in pairs] or [1])
        step, ticks = nice_axis(top)
        values.setRange(0, step * (ticks - 1))
        values.setTickCount(ticks)
        values.setLabelFormat("%d")
        values.setLabelsFont(font)
        chart.addAxis(names, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(names)
        series.attachAxis(values)

    # -- language --------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(self.tr("Dashboard"))
        set_access_key(self.stats_button, stats_tr("Statistics tables…"), "S")
        captions = {
            "unions": self.tr("Grassroots unions"),
            "members": self.tr("Members"),
            "female": self.tr("Female members"),
            "migrant": self.tr("Migrant-worker members"),
            "new_form": self.tr("New-employment-form members"),
            "unsynced": self.tr("Records not yet synced"),
            "returned": self.tr("Records returned by the county"),
            "audit_open": self.tr("Open audit rectifications"),
        }
        for key, card in self.cards.items():
            card.caption.setText(captions[key])
        self.chart_title.setText(self.tr("Members by union"))
        self.assessment_title.setText(self.tr("Member assessment this year"))
        self._show()


def nice_axis(top: int, most_ticks: int = 6) -> tuple[int, int]:
    """(step, tick count) for a 0-based count axis: whole steps of 1, 2 or 5 x 10^k, with
    room above ``top`` for the bar's label."""
    wanted = max(1, top + max(1, top // 8))
    step = 1
    while True:
        for factor in (1, 2, 5):
            candidate = step * factor
            if -(-wanted // candidate) <= most_ticks - 1:
                return candidate, -(-wanted // candidate) + 1
        step *= 10
