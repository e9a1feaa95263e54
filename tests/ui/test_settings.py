"""Settings: users and roles (admin only), own password, idle minutes, backups, workspace check;
signing in at start and restoring a backup on the first-run screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from desktop.demo import DEMO_PASSWORD
from desktop.store import Workspace
from desktop.ui.pages.settings import SettingsPage
from tests.ui.helpers import make_window, type_into

NEW_PASSWORD = "Tea-garden-2025"


def test_admin_adds_a_clerk_who_then_signs_in_without_the_users_section(
    qtbot: Any, demo_ws: Any, workspace_dir: Path
) -> None:
    window = make_window(qtbot, workspace_dir, demo_ws)
    page = window.show_page(SettingsPage)
    assert page.users_group.isVisible()
    type_into(qtbot, page.new_user, "wangfang")
    page.new_role.setCurrentIndex(page.new_role.findText("录入员"))
    type_into(qtbot, page.new_user_password.password_edit, "short")
    qtbot.mouseClick(page.add_user_button, Qt.MouseButton.LeftButton)
    assert "10" in page.users_message.text()  # refused: too short, says why
    page.new_user_password.clear()
    type_into(qtbot, page.new_user_password.password_edit, NEW_PASSWORD)
    type_into(qtbot, page.new_user_password.repeat_edit, NEW_PASSWORD)
    qtbot.mouseClick(page.add_user_button, Qt.MouseButton.LeftButton)
    names = [page.users_table.item(r, 0).text() for r in range(page.users_table.rowCount())]
    assert "wangfang" in names
    window.close_workspace()

    # the new clerk signs in on the start screen; no users section for a clerk
    window2 = make_window(qtbot, workspace_dir)
    assert window2.root.currentWidget() is window2.login
    window2.login.user_edit.clear()
    type_into(qtbot, window2.login.user_edit, "wangfang")
    type_into(qtbot, window2.login.password_edit, NEW_PASSWORD, leave=False)
    qtbot.keyClick(window2.login.password_edit, Qt.Key.Key_Return)
    assert window2.ws is not None and window2.ws.user.role == "clerk"
    assert "录入员" in window2.user_status.text()
    settings = window2.show_page(SettingsPage)
    assert not settings.users_group.isVisible()
    window2.close_workspace()


def test_unknown_user_at_sign_in_gets_a_clear_error(
    qtbot: Any, demo_ws: Any, workspace_dir: Path
) -> None:
    demo_ws.close()
    window = make_window(qtbot, workspace_dir)
    window.login.user_edit.clear()
    type_into(qtbot, window.login.user_edit, "nobody")
    type_into(qtbot, window.login.password_edit, DEMO_PASSWORD, leave=False)
    qtbot.keyClick(window.login.password_edit, Qt.Key.Key_Return)
    assert window.ws is None
    assert "没有这个用户" in window.login.error_label.text()


def test_change_own_password_idle_minutes_backup_and_check(
    qtbot: Any, demo_ws: Any, workspace_dir: Path, tmp_path: Path
) -> None:
    window = make_window(qtbot, workspace_dir, demo_ws)
    page = window.show_page(SettingsPage)
    type_into(qtbot, page.own_password.password_edit, NEW_PASSWORD)
    type_into(qtbot, page.own_password.repeat_edit, NEW_PASSWORD + "x")
    qtbot.mouseClick(page.change_password_button, Qt.MouseButton.LeftButton)
    assert "不一致" in page.password_message.text()
    page.own_password.repeat_edit.clear()
    type_into(qtbot, page.own_password.repeat_edit, NEW_PASSWORD)
    qtbot.mouseClick(page.change_password_button, Qt.MouseButton.LeftButton)
    assert page.password_message.text() == "密码已修改。"

    page.idle_minutes.setFocus()
    page.idle_minutes.selectAll()
    qtbot.keyClicks(page.idle_minutes, "3")
    qtbot.keyClick(page.idle_minutes, Qt.Key.Key_Tab)
    assert demo_ws.settings.get("ui.idle_lock_minutes") == 3
    assert window.idle.interval_ms() == 3 * 60_000

    page.backup_dir.setText(str(tmp_path / "backups"))
    page.backup_dir.editingFinished.emit()
    qtbot.mouseClick(page.backup_now_button, Qt.MouseButton.LeftButton)
    files = list((tmp_path / "backups").glob("*.udbak"))
    assert len(files) == 1 and str(files[0]) in page.backup_message.text()

    qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)
    assert "完好" in page.check_message.text()

    # restoring from Settings replaces the workspace and keeps the current one aside
    from desktop.demo import union_rows

    demo_ws.records.save("union", {**union_rows()[0], "full_name": "备份之后新建的工会"})
    assert demo_ws.records.count("union") == 7
    page.restore_requested.emit(files[0], NEW_PASSWORD)
    assert window.ws is not None and window.ws is not demo_ws
    assert window.ws.records.count("union") == 6
    assert list(workspace_dir.parent.glob(f"{workspace_dir.name}.before-restore-*"))
    assert window.root.currentWidget() is window.shell
    window.close_workspace()

    # the new password opens the workspace; the backup restores on the first-run screen
    Workspace.open(workspace_dir, user="admin", password=NEW_PASSWORD).close()
    window2 = make_window(qtbot, tmp_path / "elsewhere")
    screen = window2.first_run
    screen.tabs.setCurrentIndex(1)
    type_into(qtbot, screen.backup_file, str(files[0]))
    type_into(qtbot, screen.restore_password, NEW_PASSWORD)
    qtbot.mouseClick(screen.restore_button, Qt.MouseButton.LeftButton)
    assert window2.ws is not None, screen.restore_error.text()
    assert window2.ws.records.count("member") == 60
    window2.close_workspace()
