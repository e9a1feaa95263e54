"""Switching between 中文 and English in Settings, without a restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from desktop.ui import i18n, prefs
from desktop.ui.pages.members import MembersPage
from desktop.ui.pages.settings import SettingsPage
from tests.ui.helpers import make_window


def choose_language(qtbot: Any, settings: SettingsPage, name: str) -> None:
    combo = settings.language
    combo.setFocus()
    target = combo.findText(name)
    while combo.currentIndex() != target:
        key = Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up
        qtbot.keyClick(combo, key)


def test_switch_to_english_and_back_without_restart(
    qtbot: Any, demo_ws: Any, workspace_dir: Path
) -> None:
    window = make_window(qtbot, workspace_dir, demo_ws)
    members = window.show_page(MembersPage)
    members.new_record()  # an open entry screen switches too
    view = members.editor.view
    assert view.rows["name"].label.text() == "姓名 *"
    settings = window.show_page(SettingsPage)
    assert window.nav.item(2).text() == "会员"

    choose_language(qtbot, settings, "English")
    assert i18n.current_language() == "en"
    assert prefs.get("language") == "en"  # remembered for the next start
    assert [window.nav.item(i).text() for i in range(3)] == ["Dashboard", "Unions", "Members"]
    assert window.user_status.text() == "User: admin (Administrator)"
    assert settings.title.text() == "Settings"
    assert view.rows["name"].label.text() == "Name *"
    assert members.model.headerData(0, Qt.Orientation.Horizontal) == "Status"
    assert members.model.index(0, 0).data() in ("Ready to sync", "Returned by county", "Draft")
    view.check_all()
    assert "required" in view.rows["union"].error.text().lower()

    choose_language(qtbot, settings, "中文")
    assert i18n.current_language() == "zh_CN"
    assert window.nav.item(2).text() == "会员"
    assert view.rows["name"].label.text() == "姓名 *"
    assert "必填" in view.rows["union"].error.text()
    assert window.user_status.text().startswith("用户")
    view.confirm_discard = lambda: True
    view.request_discard()
    window.close_workspace()
