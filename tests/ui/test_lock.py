"""Auto-lock after idle time, and unlocking: data hidden, database closed, the same user's
password reopens the window where it was with the unsaved text still typed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from desktop.demo import DEMO_PASSWORD
from desktop.ui.pages.members import MembersPage
from tests.ui.helpers import fill, make_window, type_into


def test_idle_lock_hides_data_closes_the_database_and_unlock_returns_to_the_typed_form(
    qtbot: Any, demo_ws: Any, workspace_dir: Path
) -> None:
    window = make_window(qtbot, workspace_dir, demo_ws)
    page = window.show_page(MembersPage)
    assert page.model.rowCount() == 60
    page.new_record()
    fill(qtbot, page.editor.view, "name", "未保存的名字")
    assert page.editor.view.is_dirty()

    window.idle.set_interval_ms(300)
    window.idle.start()
    qtbot.waitUntil(window.is_locked, timeout=5000)
    assert window.root.currentWidget() is window.login
    assert demo_ws.closed
    assert page.model.rowCount() == 0  # no member data left on screen
    assert window.login.user_edit.text() == "admin" and window.login.user_edit.isReadOnly()
    assert window.user_status.text() == "已锁定"

    # a wrong password: the store's clear error, still locked
    type_into(qtbot, window.login.password_edit, "not-the-password", leave=False)
    qtbot.keyClick(window.login.password_edit, Qt.Key.Key_Return)
    assert window.is_locked()
    assert window.login.error_label.isVisible()
    assert "密码错误" in window.login.error_label.text()

    window.login.password_edit.clear()
    type_into(qtbot, window.login.password_edit, DEMO_PASSWORD, leave=False)
    qtbot.keyClick(window.login.password_edit, Qt.Key.Key_Return)
    assert not window.is_locked()
    assert window.root.currentWidget() is window.shell
    assert window.current_page() is page and page.stack.currentWidget() is page.editor
    assert page.editor.view.values()["name"] == "未保存的名字"
    assert page.model.rowCount() == 60
    assert window.ws is not demo_ws and not window.ws.closed
    window.close_workspace()


def test_activity_keeps_the_window_unlocked(qtbot: Any, demo_ws: Any, workspace_dir: Path) -> None:
    window = make_window(qtbot, workspace_dir, demo_ws)
    page = window.show_page(MembersPage)
    window.idle.set_interval_ms(400)
    window.idle.start()
    for _ in range(6):  # keep typing for longer than the idle time
        qtbot.wait(120)
        qtbot.keyClick(page.search_edit, Qt.Key.Key_A)
    assert not window.is_locked()
    qtbot.waitUntil(window.is_locked, timeout=5000)
    window.close_workspace()


def test_ctrl_l_locks_at_once(qtbot: Any, demo_ws: Any, workspace_dir: Path) -> None:
    window = make_window(qtbot, workspace_dir, demo_ws)
    qtbot.keyClick(window.nav, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.is_locked() and demo_ws.closed


def test_locking_closes_an_open_dialog(qtbot: Any, demo_ws: Any, workspace_dir: Path) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QInputDialog

    window = make_window(qtbot, workspace_dir, demo_ws)
    window.idle.set_interval_ms(300)
    window.idle.start()
    seen: list[bool] = []
    QTimer.singleShot(
        100, lambda: seen.append(any(w.isVisible() for w in window.findChildren(QInputDialog)))
    )
    text, ok = QInputDialog.getText(window, "问题", "请输入：")  # blocks until the lock rejects it
    assert seen == [True] and not ok
    assert window.is_locked()
