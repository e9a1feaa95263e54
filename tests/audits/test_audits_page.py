"""The Audits page with real widgets offscreen over a real workspace: key a checklist, see errors
on their cells, save, sign off (then read-only), print off the GUI thread, track rectifications."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.domain import checklists
from desktop.ui import i18n
from desktop.ui.checklist_editor import DEADLINE, EVIDENCE, FINDING, OWNER, RECTIFY, RESULT
from desktop.ui.pages.checklists import AuditsPage
from desktop.ui.tasks import ImmediateTaskRunner, TaskRunner, set_default_runner
from tests.audits.conftest import open_as
from tests.audits.pdfcheck import page_texts, squash


@pytest.fixture
def page(qtbot: Any, ws_path: Path, tmp_path: Path) -> Iterator[AuditsPage]:
    set_default_runner(ImmediateTaskRunner())
    i18n.set_language("zh_CN")
    ws = open_as(ws_path, "auditor1")
    widget = AuditsPage()
    qtbot.addWidget(widget)
    widget.resize(1400, 900)
    widget.confirm = lambda _question: True
    widget.choose_pdf_path = lambda name: tmp_path / name
    widget.set_workspace(ws)
    yield widget
    widget.set_workspace(None)
    ws.close(backup=False)
    set_default_runner(None)


def type_text(widget: Any, text: str) -> None:
    """Type as a person does: ASCII as key presses, Chinese committed by the input method."""
    widget.setFocus()
    if text.isascii():
        QTest.keyClicks(widget, text)
    else:
        event = QInputMethodEvent()
        event.setCommitString(text)
        QApplication.sendEvent(widget, event)


def key_new_checklist(qtbot: Any, page: AuditsPage) -> None:
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    editor = page.editor
    for field, text in (
        ("union_name", "杭州某某机械有限公司工会委员会"),
        ("period_start", "2026/1/1"),
        ("period_end", "2026年6月30日"),
        ("auditors", "张审计"),
        ("audit_date", "2026-07-10"),
    ):
        type_text(editor.fields[field], text)
    editor.table.setFocus()
    editor.table.setCurrentCell(0, RESULT)
    for n in range(editor.table.rowCount()):
        qtbot.keyClick(editor.table, Qt.Key.Key_2 if n == 4 else Qt.Key.Key_1)


def test_keying_saving_signing_and_printing_a_checklist(
    qtbot: Any, page: AuditsPage, tmp_path: Path, artefact_dir: Path
) -> None:
    key_new_checklist(qtbot, page)
    editor = page.editor
    assert editor.values()["items"][4]["result"] == "noncompliant"
    assert editor.table.currentRow() == editor.table.rowCount() - 1
    assert "不合规 1" in editor.summary.text()

    assert page.save() is False  # non-compliant without a finding
    assert editor.table.item(4, FINDING).toolTip() == "结果为不合规时须填写发现的问题"
    assert "第 5 项" in editor.status.text() or "5" in editor.status.text()

    editor.table.item(4, FINDING).setText("行政补助30,000元由行政代管，未进入工会账户。")
    editor.table.item(4, EVIDENCE).setText("记账凭证2026-05-12")
    editor.table.item(4, 3).setText("30,000")
    editor.table.item(4, RECTIFY).setCheckState(Qt.CheckState.Checked)
    editor.table.item(4, OWNER).setText("王会计")
    editor.table.item(4, DEADLINE).setText("2026/9/30")
    assert page.save() is True
    ws: Any = page.workspace
    rec = ws.records.get(editor.record_uuid)
    row = rec.data["items"][4]
    assert rec.data["period_end"] == "2026-06-30" and row["amount"] == 3000000
    assert row["deadline"] == "2026-09-30" and row["owner"] == "王会计"
    assert editor.fields["period_end"].text() == "2026-06-30"  # shown as stored
    assert editor.table.item(4, 3).text() == "30,000.00" and not editor.dirty
    editor.grab().save(str(artefact_dir / "audits" / "audits-page-editor.png"))

    qtbot.mouseClick(editor.sign_button, Qt.MouseButton.LeftButton)
    assert ws.records.get(rec.uuid).locked and editor.locked
    assert not editor.save_button.isEnabled() and editor.correct_button.isEnabled()
    assert not editor.table.item(4, FINDING).flags() & Qt.ItemFlag.ItemIsEditable
    editor.table.setCurrentCell(0, RESULT)
    qtbot.keyClick(editor.table, Qt.Key.Key_3)
    assert editor.values()["items"][0]["result"] == "compliant"  # keys do nothing when locked

    with qtbot.waitSignal(page.printed, timeout=30000) as printed:
        qtbot.mouseClick(editor.print_button, Qt.MouseButton.LeftButton)
    pdf = printed.args[0]
    assert Path(pdf).exists() and "行政补助30,000元由行政代管" in squash("".join(page_texts(pdf)))

    page.show_list()
    assert page.table.rowCount() == 1 and page.table.item(0, 4).text() == "已签字"


def test_rectifications_view_records_an_outcome(
    qtbot: Any, page: AuditsPage, artefact_dir: Path
) -> None:
    ws: Any = page.workspace
    rec = checklists.create_checklist(
        ws,
        {
            "union_name": "某某工会",
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "auditors": "张",
            "audit_date": "2026-07-01",
        },
    )
    data = dict(rec.data, items=[dict(r, result="compliant") for r in rec.data["items"]])
    data["items"][2].update(
        result="noncompliant",
        finding="上解不及时",
        rectify=True,
        owner="王",
        deadline=(dt.date.today() - dt.timedelta(days=3)).isoformat(),
    )
    checklists.save_checklist(ws, rec.uuid, data)
    checklists.sign_off(ws, rec.uuid)
    page.refresh()
    view = page.rectifications
    assert view.table.rowCount() == 1
    assert (
        view.table.item(0, 0).text().startswith("已逾期")
        and view.table.item(0, 3).text() == "上解不及时"
    )
    page.tabs.setCurrentIndex(1)
    page.grab().save(str(artefact_dir / "audits" / "audits-page-rectifications.png"))
    view.table.selectRow(0)
    view.outcome.setCurrentIndex(view.outcome.findData("done"))
    view.date.setText("2026-02-30")  # not a date: said in words, nothing stored
    qtbot.mouseClick(view.record_button, Qt.MouseButton.LeftButton)
    assert view.status.text() and "store.validation" not in view.status.text()
    assert checklists.outcomes_of(ws, rec.uuid) == {}
    view.date.setText(dt.date.today().isoformat())
    qtbot.mouseClick(view.record_button, Qt.MouseButton.LeftButton)
    assert checklists.outcomes_of(ws, rec.uuid) == {data["items"][2]["item_id"]: "done"}
    assert view.table.rowCount() == 0
    view.show_closed.setChecked(True)
    assert view.table.rowCount() == 1 and view.table.item(0, 7).text() == "已整改"


def test_printing_runs_off_the_gui_thread(qtbot: Any, page: AuditsPage, tmp_path: Path) -> None:
    set_default_runner(TaskRunner())
    with qtbot.waitSignal(page.printed, timeout=60000) as printed:
        qtbot.mouseClick(page.blank_button, Qt.MouseButton.LeftButton)
        assert page.progress.isVisible() or page.cancel_button.isVisibleTo(page)
    assert Path(printed.args[0]).stat().st_size > 10000
    assert not page.progress.isVisibleTo(page)


def test_the_page_speaks_english_too(qtbot: Any, page: AuditsPage) -> None:
    assert page.tabs.tabText(1) == "整改跟踪" and page.new_button.text() == "新建检查表(&N)"
    try:
        i18n.set_language("en")
        QApplication.processEvents()
        assert (
            page.tabs.tabText(1) == "Rectifications" and page.new_button.text() == "&New checklist"
        )
    finally:
        i18n.set_language("zh_CN")


def test_the_audited_union_can_be_picked_from_the_union_records(
    qtbot: Any, page: AuditsPage, ws_path: Path
) -> None:
    with open_as(ws_path, "clerk1") as clerk:
        union = clerk.records.save(
            "union",
            {
                "full_name": "杭州西溪精密机械有限公司工会委员会",
                "short_name": "西溪精机工会",
                "union_type": "independent",
                "status": "active",
            },
            status="draft",
        )
    page.refresh()
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    pick = page.editor.union_pick
    index = pick.findData(union.uuid)
    assert index > 0
    pick.setCurrentIndex(index)
    pick.activated.emit(index)
    assert page.editor.fields["union_name"].text() == "杭州西溪精密机械有限公司工会委员会"
    values = page.editor.values()
    assert (
        values["union"] == union.uuid
        and values["union_name"] == "杭州西溪精密机械有限公司工会委员会"
    )


class CancellingRunner(ImmediateTaskRunner):
    """Runs each task at once, as if the person pressed Cancel right after it started."""

    def run(
        self, fn: Any, on_done: Any = None, on_error: Any = None, on_progress: Any = None
    ) -> Any:
        def cancelled_at_once(ctx: Any) -> Any:
            ctx.cancel()
            return fn(ctx)

        return super().run(cancelled_at_once, on_done, on_error, on_progress)


def test_cancelled_printing_writes_no_file(qtbot: Any, page: AuditsPage, tmp_path: Path) -> None:
    set_default_runner(CancellingRunner())
    qtbot.mouseClick(page.blank_button, Qt.MouseButton.LeftButton)
    assert page.message.text() == "已取消打印，未生成文件。"
    assert not list(tmp_path.glob("*.pdf")) and not page.progress.isVisibleTo(page)
