"""The ledger-scan tab of the Audits page offscreen over a real workspace: import a journal,
go through the doubts by keyboard, confirm one into the checklist, dismiss one, print the list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.domain import checklists
from desktop.ui import i18n
from desktop.ui.pages.checklists import AuditsPage
from desktop.ui.tasks import ImmediateTaskRunner, set_default_runner
from tests.audits import ledger_fixture as fx
from tests.audits.conftest import HEADER, open_as
from tests.audits.pdfcheck import page_texts, squash
from tests.rosters.conftest import union_data


@pytest.fixture
def page(qtbot: Any, ws_path: Path, tmp_path: Path) -> Iterator[AuditsPage]:
    set_default_runner(ImmediateTaskRunner())
    i18n.set_language("zh_CN")
    ws = open_as(ws_path, "admin")
    union = ws.records.save("union", {**union_data("杭州某某机械有限公司工会"), "members": 10})
    checklists.create_checklist(ws, {**HEADER, "period_start": "2026-01-01", "union": union.uuid})
    widget = AuditsPage()
    qtbot.addWidget(widget)
    widget.resize(1400, 900)
    widget.choose_pdf_path = lambda name: tmp_path / name
    widget.scan.choose_file = lambda: fx.write_xlsx(tmp_path / "序时账.xlsx")
    widget.set_workspace(ws)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget, timeout=3000)
    yield widget
    widget.set_workspace(None)
    ws.close(backup=False)
    set_default_runner(None)


def alt(qtbot: Any, view: Any, key: str) -> None:
    """Alt+key as a person presses it (the button clicks after its short animation)."""
    QTest.keyClick(view.table, getattr(Qt.Key, f"Key_{key}"), Qt.KeyboardModifier.AltModifier)
    qtbot.wait(250)


def test_import_scan_and_decide_by_keyboard(qtbot: Any, page: AuditsPage, tmp_path: Path) -> None:
    view = page.scan
    page.tabs.setCurrentIndex(2)
    qtbot.waitUntil(view.import_button.isVisible)
    assert page.tabs.tabText(2) == "账簿扫描"
    view.table.setFocus()
    alt(qtbot, view, "I")
    assert view.period.text() == "2026", page.message.text()
    rules = [f.doubt.rule for f in view.found]
    assert len(rules) == len(fx.PLANTED) - 1  # no payroll given: no allocation doubt
    assert view.table.rowCount() == len(rules)

    view.table.selectRow(rules.index("DUPLICATE"))
    alt(qtbot, view, "C")
    view.ask_reason = lambda _why: "核实为会员卡充值"
    view.table.selectRow(rules.index("GIFT_CASH"))
    alt(qtbot, view, "D")
    states = {f.doubt.rule: f.decision and f.decision.decision for f in view.found}
    assert states["DUPLICATE"] == "confirmed" and states["GIFT_CASH"] == "dismissed"
    assert "已确认" in view.table.item(rules.index("DUPLICATE"), 5).text()

    ws: Any = page.workspace
    rec = checklists.list_checklists(ws)[0]
    row = next(r for r in rec.data["items"] if r["item_id"] == "vouchers_legal")
    assert row["result"] == "noncompliant" and row["evidence"] == "记-0001、记-0004"

    alt(qtbot, view, "P")
    text = squash("".join(page_texts(tmp_path / "账簿疑点清单.pdf")))
    assert "已排除：核实为会员卡充值" in text and "已确认" in text
