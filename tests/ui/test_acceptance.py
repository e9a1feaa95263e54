"""Acceptance of issue 5, driven with key presses and clicks on the real windows (offscreen):
create a workspace, add a union, add a member with a wrong ID number (error at the field), fix
it (birth date and gender fill in), save, find the member by a two-character name substring
and by an ID prefix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from desktop.ui.pages.members import MembersPage
from desktop.ui.pages.unions import UnionsPage
from tests.ui.conftest import PASSWORD
from tests.ui.helpers import fill, make_window, type_into, type_text

GOOD_ID = "330106198507124026"  # valid GB 11643: born 1985-07-12, sequence 402 -> female
BAD_ID = "33010619850712402X"  # same number, wrong check character


def create_workspace(qtbot: Any, window: Any, tmp_path: Path) -> str:
    screen = window.first_run
    assert window.root.currentWidget() is screen
    type_into(qtbot, screen.org_code, "330106001")
    type_into(qtbot, screen.org_name, "西溪街道总工会")
    # a weak password is refused before anything is written
    type_into(qtbot, screen.new_password.password_edit, "12345678")
    type_into(qtbot, screen.new_password.repeat_edit, "12345678")
    qtbot.mouseClick(screen.create_button, Qt.MouseButton.LeftButton)
    assert screen.create_error.isVisible() and screen.steps.currentIndex() == 0
    screen.new_password.clear()
    type_into(qtbot, screen.new_password.password_edit, PASSWORD)
    type_into(qtbot, screen.new_password.repeat_edit, PASSWORD)
    qtbot.mouseClick(screen.create_button, Qt.MouseButton.LeftButton)
    # the recovery key is shown once, with a printout
    assert screen.steps.currentIndex() == 1
    key = screen.key_label.text()
    assert len(key.replace("-", "")) >= 24
    pdf = tmp_path / "recovery-key.pdf"
    screen.print_recovery_key(pdf)
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(pdf).pages).replace(" ", "")
    assert key.replace("-", "") in text.replace("-", "")
    assert not screen.continue_button.isEnabled()
    screen.key_confirm.setFocus()
    qtbot.keyClick(screen.key_confirm, Qt.Key.Key_Space)
    qtbot.mouseClick(screen.continue_button, Qt.MouseButton.LeftButton)
    assert window.root.currentWidget() is window.shell
    assert screen.key_label.text() == ""  # not kept on screen
    return key


def add_union(qtbot: Any, window: Any) -> None:
    page = window.show_page(UnionsPage)
    qtbot.mouseClick(page.toolbar.widgetForAction(page.new_action), Qt.MouseButton.LeftButton)
    view = page.editor.view
    fill(qtbot, view, "full_name", "杭州西溪数智科技有限公司工会委员会")
    fill(qtbot, view, "short_name", "西溪数智工会")
    fill(qtbot, view, "founded_date", "2015-03-01")
    fill(qtbot, view, "employer_name", "杭州西溪数智科技有限公司")
    fill(qtbot, view, "employer_nature", "企业（内")
    fill(qtbot, view, "division_code", "330106")
    fill(qtbot, view, "employees", "120")
    fill(qtbot, view, "members", "100")
    qtbot.keyClick(
        view.editor("members").focus_widget, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier
    )
    assert page.editor.status == "ready", view.error_list.text()
    qtbot.keyClick(view.editor("members").focus_widget, Qt.Key.Key_Escape)
    assert page.stack.currentIndex() == 0
    assert page.model.rowCount() == 1


def test_create_workspace_add_union_and_member_then_find_it(
    qtbot: Any, app: Any, tmp_path: Path
) -> None:
    window = make_window(qtbot, tmp_path / "ws")
    create_workspace(qtbot, window, tmp_path)
    add_union(qtbot, window)

    page = window.show_page(MembersPage)
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert page.stack.currentWidget() is page.editor
    view = page.editor.view
    fill(qtbot, view, "union", "西溪数智")
    assert view.values()["union"] is not None
    fill(qtbot, view, "name", "欧阳晓燕")
    fill(qtbot, view, "id_number", BAD_ID)
    # the error shows at the field once the clerk leaves it
    assert view.rows["id_number"].error.isVisible()
    assert "校验" in view.rows["id_number"].error.text() or view.rows["id_number"].error.text()
    assert view.editor("id_number").focus_widget.property("error") is True
    assert view.values()["birth_date"] is None
    # fixing it fills birth date and gender
    fill(qtbot, view, "id_number", GOOD_ID)
    assert not view.rows["id_number"].error.isVisible(), view.rows["id_number"].error.text()
    assert view.values()["birth_date"] == "1985-07-12"
    assert view.values()["gender"] == "female"
    assert view.editor("gender").combo.currentText() == "女"
    fill(qtbot, view, "join_date", "2010-05-04")
    qtbot.keyClick(
        view.editor("join_date").focus_widget, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier
    )
    assert page.editor.status == "ready", view.error_list.text()
    assert not view.is_dirty()
    qtbot.mouseClick(page.editor.close_button, Qt.MouseButton.LeftButton)
    assert page.stack.currentIndex() == 0

    # find by a two-character name substring (not the start of the name)
    page.search_edit.clear()
    page.search_edit.setFocus()
    type_text(qtbot, page.search_edit, "晓燕")
    qtbot.waitUntil(lambda: not page.search_timer.isActive(), timeout=3000)
    assert page.model.rowCount() == 1
    row_name = page.model.index(0, 1).data()
    assert row_name == "欧阳晓燕"
    # find by ID prefix; the list shows the ID masked
    page.search_edit.clear()
    qtbot.keyClicks(page.search_edit, "3301061985")
    qtbot.waitUntil(lambda: not page.search_timer.isActive(), timeout=3000)
    assert page.model.rowCount() == 1
    shown_id = page.model.index(0, 3).data()
    assert shown_id != GOOD_ID and shown_id.endswith("4026")
    # nothing else matches a different prefix
    page.search_edit.clear()
    qtbot.keyClicks(page.search_edit, "4401")
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)
    assert page.model.rowCount() == 0
    assert page.empty_label.isVisible()
