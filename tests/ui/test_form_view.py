"""The generated entry screen: widgets per field type, relevant/calculate live, keyboard,
errors at the field and listed on save, Esc asks before discarding, drafts autosave."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTableWidget,
)

import forms
from desktop.ui.form_view import FormView
from desktop.ui.pages.members import MembersPage
from tests.ui.helpers import fill, make_window, show_window, type_into

CALC_FORM = {
    "id": "ui_calc_test",
    "version": 1,
    "title": {"zh_CN": "测试", "en": "Test"},
    "sections": [
        {
            "id": "main",
            "title": {"zh_CN": "人数", "en": "Counts"},
            "fields": [
                {"id": "men", "type": "integer", "label": {"zh_CN": "男职工", "en": "Men"}},
                {"id": "women", "type": "integer", "label": {"zh_CN": "女职工", "en": "Women"}},
                {
                    "id": "total",
                    "type": "integer",
                    "label": {"zh_CN": "合计", "en": "Total"},
                    "calculate": "men + women",
                },
                {
                    "id": "has_note",
                    "type": "boolean",
                    "label": {"zh_CN": "有说明", "en": "Has a note"},
                },
                {
                    "id": "note",
                    "type": "multiline",
                    "label": {"zh_CN": "说明", "en": "Note"},
                    "relevant": "has_note",
                    "required": True,
                },
            ],
        }
    ],
}


def test_one_widget_kind_per_field_type_and_sections(qtbot: Any, app: Any) -> None:
    view = FormView(forms.load_form("member"), reference_provider=lambda form_id: [])
    qtbot.addWidget(view)
    assert isinstance(view.editor("name").focus_widget, QLineEdit)
    assert isinstance(view.editor("gender").focus_widget, QComboBox)
    assert isinstance(view.editor("migrant_worker").focus_widget, QCheckBox)
    assert isinstance(view.editor("changes").focus_widget, QTableWidget)
    assert [g.title() for _s, g in view.groups] == ["个人信息", "工作情况", "会籍"]
    union = FormView(forms.load_form("union"))
    qtbot.addWidget(union)
    assert isinstance(union.editor("employees").focus_widget, QLineEdit)
    assert union.editor("employees").focus_widget.alignment() & Qt.AlignmentFlag.AlignRight


def test_calculate_and_relevant_update_live(qtbot: Any, app: Any) -> None:
    view = FormView(forms.load_form_dict(CALC_FORM, source="test"))
    show_window(qtbot, view)
    type_into(qtbot, view.editor("men").focus_widget, "12")
    type_into(qtbot, view.editor("women").focus_widget, "30")
    assert view.editor("total").focus_widget.text() == "42"
    assert view.editor("total").focus_widget.isReadOnly()
    assert not view.rows["note"].is_visible()
    qtbot.keyClick(view.editor("has_note").focus_widget, Qt.Key.Key_Space)
    assert view.rows["note"].is_visible()
    assert isinstance(view.editor("note").focus_widget, QPlainTextEdit)
    assert "note" in {e.field for e in view.check_all().errors}
    qtbot.keyClick(view.editor("has_note").focus_widget, Qt.Key.Key_Space)
    assert not view.rows["note"].is_visible()
    assert view.check_all().ok


def test_enter_moves_to_the_next_field_and_relevant_member_fields(qtbot: Any, app: Any) -> None:
    view = FormView(forms.load_form("member"), reference_provider=lambda form_id: [])
    show_window(qtbot, view)
    name = view.editor("name").focus_widget
    name.setFocus()
    qtbot.waitUntil(name.hasFocus)
    qtbot.keyClick(name, Qt.Key.Key_Return)
    assert view.editor("id_type").focus_widget.hasFocus()
    assert not view.rows["new_form_kind"].is_visible()
    fill(qtbot, view, "employment_form", "新就业")
    assert view.rows["new_form_kind"].is_visible()
    fill(qtbot, view, "employment_form", "标准")
    assert not view.rows["new_form_kind"].is_visible()


def test_errors_show_on_leaving_a_field_and_are_listed_on_save(qtbot: Any, app: Any) -> None:
    view = FormView(forms.load_form("member"), reference_provider=lambda form_id: [])
    show_window(qtbot, view)
    type_into(qtbot, view.editor("mobile").focus_widget, "12345")
    assert view.rows["mobile"].error.isVisible()  # left the field: error shown there
    assert not view.rows["name"].error.isVisible()  # untouched: not yet
    assert not view.error_list.isVisible()
    result = view.check_all()
    assert not result.ok
    assert view.error_list.isVisible()
    assert "姓名" in view.error_list.text() and "手机号码" in view.error_list.text()
    assert view.rows["name"].error.isVisible()
    assert view.editor("union").focus_widget.hasFocus()  # first error focused


def test_repeat_group_rows_are_edited_in_a_table(qtbot: Any, app: Any) -> None:
    view = FormView(forms.load_form("member"), reference_provider=lambda form_id: [])
    show_window(qtbot, view)
    editor = view.editor("changes")
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    assert editor.table.rowCount() == 1
    date_col = [c.id for c in editor.columns].index("date")
    editor.table.item(0, date_col).setText("2020-13-45")
    view.check_all()
    assert any(e.field.startswith("changes[0]") for e in view.result.errors)
    assert "第 1 行" in view.rows["changes"].error.text()
    editor.table.setCurrentCell(0, 0)
    qtbot.mouseClick(editor.remove_button, Qt.MouseButton.LeftButton)
    assert editor.table.rowCount() == 0 and view.values()["changes"] == []


def test_escape_asks_before_discarding_typed_text(
    qtbot: Any, demo_ws: Any, workspace_dir: Path, dialogs: Any
) -> None:
    window = make_window(qtbot, workspace_dir, demo_ws)
    page = window.show_page(MembersPage)
    page.new_record()
    fill(qtbot, page.editor.view, "name", "张三丰")
    dialogs.answer = QMessageBox.StandardButton.Cancel
    qtbot.keyClick(page.editor.view.editor("name").focus_widget, Qt.Key.Key_Escape)
    assert dialogs.asked and page.stack.currentWidget() is page.editor
    assert page.editor.view.values()["name"] == "张三丰"
    dialogs.answer = QMessageBox.StandardButton.Discard
    qtbot.keyClick(page.editor.view.editor("name").focus_widget, Qt.Key.Key_Escape)
    assert page.stack.currentIndex() == 0
    # nothing typed: Esc leaves without asking
    dialogs.asked.clear()
    page.new_record()
    qtbot.keyClick(page.editor.view.editor("name").focus_widget, Qt.Key.Key_Escape)
    assert not dialogs.asked and page.stack.currentIndex() == 0
    window.close_workspace()


def test_a_new_record_autosaves_as_a_draft(qtbot: Any, demo_ws: Any, workspace_dir: Path) -> None:
    window = make_window(qtbot, workspace_dir, demo_ws)
    page = window.show_page(MembersPage)
    page.new_record()
    page.editor.autosave.setInterval(100)
    drafts = demo_ws.records.count("member", status="draft")
    fill(qtbot, page.editor.view, "name", "草稿会员")
    qtbot.waitUntil(lambda: page.editor.status == "draft", timeout=3000)
    assert demo_ws.records.count("member", status="draft") == drafts + 1
    assert not page.editor.view.is_dirty()
    # more typing updates the same draft
    fill(qtbot, page.editor.view, "employer", "西溪数智")
    qtbot.waitUntil(lambda: not page.editor.view.is_dirty(), timeout=3000)
    assert demo_ws.records.count("member", status="draft") == drafts + 1
    assert demo_ws.records.get(page.editor.uuid).data["employer"] == "西溪数智"
    window.close_workspace()
