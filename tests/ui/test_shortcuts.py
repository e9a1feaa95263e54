"""Every shortcut of the table, pressed on a real window, does its job; the 快捷键 sheet is the
table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from desktop.ui import export_actions as roster
from desktop.ui import i18n
from desktop.ui.pages.checklists import AuditsPage
from desktop.ui.pages.members import MembersPage
from desktop.ui.pages.sync_page import SyncPage
from desktop.ui.pages.unions import UnionsPage
from desktop.ui.shortcuts import SHORTCUTS, by_command, strip_mnemonic
from tests.ui.helpers import make_window


def press(qtbot: Any, widget: Any, keys: str) -> None:
    """Press ``keys`` (e.g. "Ctrl+3") on ``widget`` as a person would."""
    combo = QKeySequence(keys)[0]
    qtbot.keyClick(widget, combo.key(), combo.keyboardModifiers())
    QApplication.processEvents()


def focused() -> Any:
    return QApplication.focusWidget()


def test_each_shortcut_does_its_job(
    qtbot: Any, demo_ws: Any, workspace_dir: Path, monkeypatch: Any, tmp_path: Path
) -> None:
    window = make_window(qtbot, workspace_dir, demo_ws)
    # pages: Ctrl+1 … Ctrl+7, from wherever the focus is
    for row in (2, 0, 6, 4, 1, 5, 3):
        press(qtbot, focused() or window, f"Ctrl+{row + 1}")
        assert window.nav.currentRow() == row
        assert window.stack.currentWidget() is window.pages[row]

    # Ctrl+F: the cursor goes to the current page's search box
    members = window.show_page(MembersPage)
    members.table.setFocus()
    press(qtbot, members.table, "Ctrl+F")
    assert focused() is members.search_edit
    audits = window.show_page(AuditsPage)
    press(qtbot, focused() or window, "Ctrl+F")
    assert focused() is audits.search

    # Enter on a list row opens it; Esc closes the entry screen; Ctrl+N starts a new record
    unions = window.show_page(UnionsPage)
    unions.table.setFocus()
    unions.select_row(1)
    expected = unions.model.record(1).uuid
    press(qtbot, unions.table, "Return")
    assert unions.stack.currentWidget() is unions.editor
    assert unions.editor.uuid == expected
    press(qtbot, focused(), "Esc")
    assert unions.stack.currentWidget() is unions.list_page
    unions.table.setFocus()
    press(qtbot, unions.table, "Ctrl+N")
    assert unions.stack.currentWidget() is unions.editor and unions.editor.uuid is None
    press(qtbot, focused(), "Esc")
    assert unions.stack.currentWidget() is unions.list_page

    # Ctrl+E exports, Ctrl+P prints the roster (answers to the file dialog given here)
    asked: list[str] = []

    def save_as(_parent: Any, title: str, suggested: str, _filters: str) -> str:
        asked.append(title)
        return str(tmp_path / Path(suggested).name)

    monkeypatch.setattr(roster, "ask_save_path", save_as)
    monkeypatch.setattr(roster, "ask_unmask", lambda _p: False)
    messages: list[str] = []
    members = window.show_page(MembersPage)
    members.status_message.connect(messages.append)
    members.table.setFocus()
    press(qtbot, members.table, "Ctrl+E")
    assert list(tmp_path.glob("*.xlsx")), asked
    members.select_row(0)
    press(qtbot, members.table, "Ctrl+P")
    assert list(tmp_path.glob("*.pdf")), (asked, messages)

    # a page with nothing to print says so in the status bar
    press(qtbot, focused() or window, "Ctrl+1")
    press(qtbot, focused() or window, "Ctrl+P")
    assert window.statusBar().currentMessage()

    # F5: to the Sync page, and a sync starts (not enrolled here: the page says so)
    sync = window.pages[5]
    assert isinstance(sync, SyncPage)
    before = sync.message_label.text()
    press(qtbot, focused() or window, "F5")
    assert window.current_page() is sync
    assert sync.message_label.text() and sync.message_label.text() != before

    # F1: help for the page on screen, in a text browser
    press(qtbot, focused() or window, "F1")
    help_window = window.help_window
    assert help_window is not None and help_window.isVisible()
    assert help_window.topic == "sync"
    assert "注册码" in help_window.browser.toPlainText()
    help_window.close()

    # Ctrl+L locks
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    press(qtbot, focused() or window, "Ctrl+L")
    assert window.is_locked()
    window.close_workspace()


def test_the_shortcut_sheet_is_the_shortcut_table(
    qtbot: Any, demo_ws: Any, workspace_dir: Path
) -> None:
    window = make_window(qtbot, workspace_dir, demo_ws)
    window.sheet_action.trigger()
    sheet = window.shortcut_sheet
    assert sheet.isVisible()
    native = QKeySequence.SequenceFormat.NativeText
    assert sheet.rows() == [(QKeySequence(s.keys).toString(native), s.plain()) for s in SHORTCUTS]
    assert sheet.windowTitle() == "快捷键"
    # every window shortcut of the table is an action of the window, with those keys
    for shortcut in SHORTCUTS:
        if shortcut.scope == "window":
            action = window.shortcut_actions[shortcut.command]
            assert action.shortcut() == QKeySequence(shortcut.keys)
            assert action in window.actions()
    # the menus carry access keys and show the keys
    assert window.help_menu.title() == "帮助(&H)"
    assert "(&M)" in window.shortcut_actions["page.3"].text()
    i18n.set_language("en")
    assert sheet.windowTitle() == "Keyboard shortcuts"
    assert ("F5", "Sync now") in sheet.rows()
    assert window.shortcut_actions["page.3"].text() == "&Members"
    i18n.set_language("zh_CN")
    sheet.close()
    window.close_workspace()


def test_strip_mnemonic() -> None:
    assert strip_mnemonic("会员(&M)") == "会员"
    assert strip_mnemonic("&Members") == "Members"
    assert strip_mnemonic("Fish && chips") == "Fish & chips"
    assert by_command("sync").keys == "F5"
    assert Qt.Key.Key_F5 == QKeySequence("F5")[0].key()


def test_access_keys_on_page_buttons(qtbot: Any, demo_ws: Any, workspace_dir: Path) -> None:
    from PySide6.QtWidgets import QPushButton

    from desktop.ui.pages.assessments import AssessmentsPage
    from desktop.ui.pages.settings import SettingsPage

    window = make_window(qtbot, workspace_dir, demo_ws)
    for page_type in (AuditsPage, AssessmentsPage, SettingsPage):
        page = window.show_page(page_type)
        qtbot.wait(10)
        buttons = [b for b in page.findChildren(QPushButton) if b.isVisible() and b.text()]
        keyed = [b for b in buttons if "(&" in b.text()]
        assert len(keyed) >= 2, [b.text() for b in buttons]
        assert all("Alt+" in b.toolTip() for b in keyed)
    # Alt+N on the Audits list starts a new checklist, as the underlined letter says
    audits = window.show_page(AuditsPage)
    audits.table.setFocus()
    press(qtbot, audits.table, "Alt+N")
    qtbot.waitUntil(lambda: audits.stack.currentIndex() == 1, timeout=2000)  # an animated click
    audits.editor.dirty = False
    audits.show_list()
    i18n.set_language("en")
    assert audits.new_button.text() == "&New checklist"
    assert audits.new_button.toolTip() == "New checklist (Alt+N)"
    i18n.set_language("zh_CN")
    window.close_workspace()
