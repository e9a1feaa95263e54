"""The Assessments page with real widgets offscreen: 60 ballots keyed in fast mode, corrections,
the running tally, the stored session and the printed notice."""

from __future__ import annotations

import re
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.domain import assessments as ops
from desktop.ui.fonts import install_cjk_font
from desktop.ui.pages.assessments import AssessmentsPage
from desktop.ui.tasks import ImmediateTaskRunner, set_default_runner

# 40 all 满意, 10 mixed 满意/基本满意, 7 with 不满意 on funds and small homes, 2 invalid, 1 all 基本满意
BALLOTS = ["111111"] * 40 + ["122211"] * 10 + ["111133"] * 7 + ["X", "X"] + ["222222"]


@pytest.fixture()
def page(qtbot, ws, unions) -> Iterator[AssessmentsPage]:
    set_default_runner(ImmediateTaskRunner())
    install_cjk_font(QApplication.instance())
    page = AssessmentsPage()
    qtbot.addWidget(page)
    page.resize(1280, 860)
    page.set_workspace(ws)
    page.show()
    yield page
    page.set_workspace(None)
    set_default_runner(None)


def key_ballot(qtbot, keyer, code: str) -> None:
    if code == "X":
        qtbot.keyClick(keyer, Qt.Key.Key_0)
    else:
        qtbot.keyClicks(keyer, code)
    qtbot.keyClick(keyer, Qt.Key.Key_Return)


def tally_cells(keyer) -> list[list[str]]:
    t = keyer.tally
    return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


def test_sixty_ballots_keyed_corrected_tallied_saved_and_posted(
    qtbot, page: AssessmentsPage, ws, unions, tmp_path: Path, artefact_dir: Path
) -> None:
    assert [n for _u, n in page.union_list][0] == "杭州云栖科技有限公司工会"
    assert page.summary.missing.rowCount() == 3  # no session yet this year
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    editor = page.editor
    assert page.stack.currentWidget() is editor
    editor.union.setCurrentIndex(editor.union.findData(unions["yunqi"]))
    editor.year.setValue(2026)
    for name, value in (("eligible", 70), ("attendees", 62), ("issued", 62)):
        spin = editor.spins[name]
        spin.selectAll()
        qtbot.keyClicks(spin, str(value))
        assert spin.value() == value
    editor.tabs.setCurrentIndex(1)
    keyer = editor.keyer
    keyer.setFocus()

    # an incomplete ballot is refused with the missing item named; extra keys are refused
    qtbot.keyClicks(keyer, "11")
    qtbot.keyClick(keyer, Qt.Key.Key_Return)
    assert "维权服务" in keyer.notice.text() or "Rights" in keyer.notice.text()
    assert keyer.ballots == []
    qtbot.keyClick(keyer, Qt.Key.Key_Escape)

    for n, code in enumerate(BALLOTS, start=1):
        if n == 5:
            key_ballot(qtbot, keyer, "333333")  # a slip, corrected later from the list
        elif n == 12:
            key_ballot(qtbot, keyer, "111131")  # a slip noticed at once: Backspace undoes
            assert keyer.ballots[-1] == "111131"
            qtbot.keyClick(keyer, Qt.Key.Key_Backspace)  # reopens ballot 12
            assert len(keyer.ballots) == 11 and "12" in keyer.title.text()
            qtbot.keyClick(keyer, Qt.Key.Key_Backspace)  # drops its last key
            qtbot.keyClick(keyer, Qt.Key.Key_Backspace)
            qtbot.keyClicks(keyer, "11")
            qtbot.keyClick(keyer, Qt.Key.Key_Return)
        else:
            key_ballot(qtbot, keyer, code)
    qtbot.keyClicks(keyer, "1111111")  # a seventh key on a six-item ballot is refused
    assert "Enter" in keyer.notice.text()
    qtbot.keyClick(keyer, Qt.Key.Key_Escape)

    assert len(keyer.ballots) == 60
    assert keyer.ballots[4] == "333333" and keyer.ballots[11] == "111111"
    # running tally shows the slip: 组织建设 has one 不满意
    assert tally_cells(keyer)[0][:3] == ["56", "1", "1"]

    # correct ballot 5 from the list: double-click, Backspace its keys, key it again
    item = keyer.list.item(4)
    keyer.list.scrollToItem(item)
    rect = keyer.list.visualItemRect(item)
    qtbot.mouseClick(keyer.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(keyer.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert "5" in keyer.title.text()
    for _ in range(6):
        qtbot.keyClick(keyer, Qt.Key.Key_Backspace)
    key_ballot(qtbot, keyer, "111111")
    assert keyer.ballots == BALLOTS

    rows = tally_cells(keyer)
    assert [r[:3] for r in rows] == [
        ["57", "1", "0"],  # 组织建设
        ["47", "11", "0"],  # 民主管理
        ["47", "11", "0"],  # 维权服务
        ["47", "11", "0"],  # 关爱会员
        ["50", "1", "7"],  # 经费使用
        ["50", "1", "7"],  # 职工小家建设
    ]
    assert rows[4][3] == "87.9%"  # 51 of 58 valid
    assert re.search(r"60\D+58\D+2", keyer.totals.text())  # keyed, valid, invalid
    assert editor.spins["returned"].value() == 60 and editor.spins["invalid"].value() == 2
    result = editor.last_result
    assert result is not None and result.ok
    assert result.valid == 58 and result.quorum_met and result.model_home_eligible
    assert "95.9%" in editor.result_label.text()
    page.grab().save(str(artefact_dir / "assessment-ballot-keying.png"))

    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.session.uuid and editor.session.result
    record = ws.records.get(editor.session.uuid)
    assert record.data["ballots"].split() == BALLOTS
    assert record.data["entry_mode"] == "ballots" and record.status == "ready"
    stored = ops.get_session(ws, record.uuid)
    assert stored.compute(ops.template_for(stored, ws)).as_dict() == stored.result

    notice = tmp_path / "notice.pdf"
    editor.print_document("notice", notice)
    text = re.sub(r"\s+", "", PdfReader(notice).pages[0].extract_text())
    assert "关于杭州云栖科技有限公司工会2026年度会员评家测评结果的公示" in text
    assert "应到70人，实到62人" in text and "有效票58张、废票2张" in text
    assert "总体满意率为95.9%" in text and "87.9%" in text
    assert "符合申报（保留）模范职工之家条件" in text

    # back on the list: the session and the summary figures are there
    qtbot.mouseClick(editor.back_button, Qt.MouseButton.LeftButton)
    assert page.stack.currentIndex() == 0
    assert page.table.rowCount() == 1 and page.table.item(0, 3).text() == "95.9%"
    rates = page.summary.rates
    assert rates.rowCount() == 1 and rates.item(0, 1).text() == "95.9%"
    assert page.summary.missing.rowCount() == 2
    page.grab().save(str(artefact_dir / "assessment-list.png"))


def test_typed_totals_that_disagree_name_the_numbers_and_save_as_draft(
    qtbot, page: AssessmentsPage, ws, unions
) -> None:
    page.new_session()
    editor = page.editor
    editor.union.setCurrentIndex(editor.union.findData(unions["xixi"]))
    for name, value in (
        ("eligible", 30),
        ("attendees", 25),
        ("issued", 25),
        ("returned", 24),
        ("invalid", 1),
    ):
        editor.spins[name].setValue(value)
    for row in range(6):
        editor.grid_spin(row, 0).setValue(20)
        editor.grid_spin(row, 1).setValue(3)
    assert editor.last_result is not None and editor.last_result.ok  # 20 + 3 == 24 - 1 valid
    editor.grid_spin(4, 2).setValue(2)  # 经费使用 now adds up to 25
    assert not editor.last_result.ok
    (error,) = editor.last_result.errors
    assert error.params == {"item": "funds", "sum": 25, "valid": 23}
    text = editor.result_label.text()  # the item by its label, both numbers
    assert ("经费使用" in text or "Use of union funds" in text) and "25" in text and "23" in text
    editor.save()
    assert editor.session.status == "draft" and editor.session.result is None
    # a second session for the same union and year needs a reason
    page.show_list()
    page.refresh()
    page.new_session()
    editor.union.setCurrentIndex(editor.union.findData(unions["xixi"]))
    editor.save()
    assert "西溪湿地景区联合工会" in editor.status.text() and "2026" in editor.status.text()
    assert len(ops.sessions(ws, union=unions["xixi"])) == 1
    editor.repeat_reason.setText("首次测评票数不符，重新组织")
    editor.save()
    assert len(ops.sessions(ws, union=unions["xixi"])) == 2


def test_the_page_speaks_chinese(qtbot, page: AssessmentsPage, unions, monkeypatch, artefact_dir):
    from desktop.ui import i18n

    monkeypatch.setattr(i18n, "_current", i18n.current_language())  # restored afterwards
    i18n.set_language("zh_CN")
    QApplication.processEvents()  # LanguageChange events are posted
    try:
        assert page.nav_title() == "会员评家"
        assert page.new_button.text() == "新建测评(&N)"
        page.new_session()
        editor = page.editor
        editor.union.setCurrentIndex(editor.union.findData(unions["jiangnan"]))
        editor.spins["eligible"].setValue(12)
        editor.spins["attendees"].setValue(7)
        editor.spins["issued"].setValue(7)
        editor.tabs.setCurrentIndex(1)
        assert editor.tabs.tabText(1) == "逐票录入"
        for code in ["111111", "333333", "X", "111211"]:
            key_ballot(qtbot, editor.keyer, code)
        assert editor.keyer.totals.text() == "已录入 4 张 · 有效 3 张 · 废票 1 张"
        assert "回车 下一张" in editor.keyer.hint.text()
        text = editor.result_label.text()
        assert "到会人数达到要求" in text and "否" in text  # 7 of 12 is under 2/3
        page.grab().save(str(artefact_dir / "assessment-ballot-keying-zh.png"))
    finally:
        i18n.set_language("en")
        QApplication.processEvents()


def test_a_signed_off_session_opens_read_only(qtbot, page: AssessmentsPage, ws, unions) -> None:
    stored = ops.create_session(ws, unions["xixi"], 2026)
    ws.records.sign_off(stored.uuid)
    page.refresh()
    page.open_uuid(stored.uuid)
    editor = page.editor
    assert page.stack.currentWidget() is editor
    assert not editor.save_button.isEnabled() and not editor.keyer.isEnabled()
    assert "signed off" in editor.status.text()


def test_up_and_down_walk_back_through_keyed_ballots_to_correct_one(qtbot, page) -> None:
    page.new_session()
    editor = page.editor
    editor.tabs.setCurrentIndex(1)
    keyer = editor.keyer
    for code in ["111111", "222222", "X"]:
        key_ballot(qtbot, keyer, code)
    qtbot.keyClicks(keyer, "1")
    qtbot.keyClick(keyer, Qt.Key.Key_Up)  # a half-keyed new ballot is not thrown away
    assert "Escape" in keyer.notice.text() and keyer.title.text() == "Ballot 4"
    qtbot.keyClick(keyer, Qt.Key.Key_Escape)
    qtbot.keyClick(keyer, Qt.Key.Key_Up)
    qtbot.keyClick(keyer, Qt.Key.Key_Up)
    assert keyer.title.text() == "Correcting ballot 2"
    for _ in range(6):
        qtbot.keyClick(keyer, Qt.Key.Key_Backspace)
    key_ballot(qtbot, keyer, "223222")
    assert keyer.ballots == ["111111", "223222", "X"]
    qtbot.keyClick(keyer, Qt.Key.Key_Up)  # the invalid one: a grade key is refused
    assert keyer.title.text() == "Correcting ballot 3"
    qtbot.keyClicks(keyer, "1")
    assert "invalid" in keyer.notice.text()
    qtbot.keyClick(keyer, Qt.Key.Key_Down)
    assert keyer.title.text() == "Ballot 4"
    assert tally_cells(keyer)[2][:3] == ["1", "0", "1"]  # 维权服务: 满意 1, 不满意 1


def test_a_union_that_asks_one_overall_question(qtbot, page: AssessmentsPage, ws, unions) -> None:
    page.new_session()
    editor = page.editor
    editor.union.setCurrentIndex(editor.union.findData(unions["xixi"]))
    variants = [editor.variant.itemData(i) for i in range(editor.variant.count())]
    assert variants == ["standard", "overall"]
    editor.variant.setCurrentIndex(1)
    assert editor.grid.rowCount() == 1 and editor.keyer.tally.rowCount() == 1
    for name in ("eligible", "attendees", "issued"):
        editor.spins[name].setValue(10)
    editor.tabs.setCurrentIndex(1)
    for code in "1112111113":
        key_ballot(qtbot, editor.keyer, code)
    assert not editor.variant.isEnabled()  # votes exist: the template stays
    assert editor.keyer.ballots == list("1112111113")
    assert editor.last_result.ok and editor.last_result.overall_rate == Fraction(9, 10)
    assert editor.last_result.model_home_eligible  # exactly 90 %
    editor.save()
    stored = ops.get_session(ws, editor.session.uuid)
    assert stored.template_variant == "overall"
    assert stored.result["template"]["variant"] == "overall"
    assert ops.template_for(stored, ws).item_ids() == ["overall"]


def test_leaving_with_unsaved_ballots_asks_first(qtbot, page: AssessmentsPage, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    page.new_session()
    editor = page.editor
    editor.tabs.setCurrentIndex(1)
    key_ballot(qtbot, editor.keyer, "111111")
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args: asked.append(args) or answers.pop(0))
    qtbot.mouseClick(editor.back_button, Qt.MouseButton.LeftButton)
    assert page.stack.currentWidget() is editor and editor.keyer.ballots == ["111111"]
    qtbot.mouseClick(editor.back_button, Qt.MouseButton.LeftButton)
    assert page.stack.currentIndex() == 0 and len(asked) == 2


def test_rectification_items_typed_in_the_editor_reach_the_summary(
    qtbot, page: AssessmentsPage, ws, unions
) -> None:
    page.new_session()
    editor = page.editor
    editor.union.setCurrentIndex(editor.union.findData(unions["jiangnan"]))
    editor.year.setValue(2020)  # long past: every open deadline is overdue
    for name in ("eligible", "attendees", "issued"):
        editor.spins[name].setValue(3)
    editor.tabs.setCurrentIndex(1)
    for code in ("333333", "333311", "111111"):
        key_ballot(qtbot, editor.keyer, code)
    assert editor.last_result.rectification_required
    rects = editor.rect_box
    for what, owner, deadline in (("健身器材更新", "王强", "2020-06-30"), ("经费公开", "李红", "")):
        qtbot.mouseClick(rects.add_button, Qt.MouseButton.LeftButton)
        row = rects.table.rowCount() - 1
        for col, value in enumerate((what, owner, deadline)):
            rects.table.item(row, col).setText(value)
    assert editor.has_unsaved_changes()
    editor.save()
    assert "Saved with its result" in editor.status.text()
    stored = ops.get_session(ws, editor.session.uuid)
    assert [(r.what, r.owner, r.deadline) for r in stored.rectifications] == [
        ("健身器材更新", "王强", "2020-06-30"),
        ("经费公开", "李红", ""),
    ]
    page.show_list()
    page.year.setValue(2020)
    overdue = page.summary.overdue
    assert overdue.rowCount() == 1 and overdue.item(0, 1).text() == "健身器材更新"


def test_a_mistyped_deadline_is_named_and_nothing_is_lost(qtbot, page: AssessmentsPage, ws, unions):
    page.new_session()
    editor = page.editor
    editor.union.setCurrentIndex(editor.union.findData(unions["yunqi"]))
    qtbot.mouseClick(editor.rect_box.add_button, Qt.MouseButton.LeftButton)
    editor.rect_box.table.item(0, 0).setText("活动室开放")
    editor.rect_box.table.item(0, 2).setText("2026-02-30")
    editor.save()
    text = editor.status.text()
    # the form's labels (zh_CN by default), the row, and the forms catalogue's words
    assert text == "整改事项 row 1 · 整改期限：日期不存在"
    assert editor.session.uuid is None and ops.sessions(ws) == []
    assert editor.rect_box.table.item(0, 0).text() == "活动室开放"  # still there to fix
    editor.rect_box.table.item(0, 2).setText("2026-03-30")
    editor.save()
    assert editor.session.uuid is not None
