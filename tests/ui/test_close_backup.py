"""Closing the program after changes: a notice says the backup is being written (the window stays
responsive, the backup runs on a worker thread), then the window closes with the backup on disk."""

from __future__ import annotations

from tests.ui.helpers import make_window


def backups(workspace_dir):
    return sorted((workspace_dir / "backups").glob("*.udbak"))


def test_close_after_changes_shows_a_notice_until_the_backup_is_written(
    qtbot, demo_ws, workspace_dir, threaded_runner
) -> None:
    window = make_window(qtbot, workspace_dir, demo_ws)
    before = backups(workspace_dir)
    demo_ws.settings.set("backup.on_close", True)  # (the demo has it off) and a change
    window.close()
    notice = window.closing_notice
    assert window.isVisible() and notice is not None and notice.isVisible()
    assert notice.labelText() == "正在写入备份，完成后自动关闭…"
    window.close()  # a second click on the close button while it writes: still waiting
    assert window.isVisible()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=60_000)
    threaded_runner.wait(5000)
    assert window.closing_notice is None and demo_ws.closed
    assert len(backups(workspace_dir)) == len(before) + 1


def test_close_without_changes_closes_at_once(qtbot, demo_ws, workspace_dir) -> None:
    window = make_window(qtbot, workspace_dir, demo_ws)
    before = backups(workspace_dir)
    assert not demo_ws.backs_up_on_close
    window.close()
    assert not window.isVisible() and window.closing_notice is None and demo_ws.closed
    assert backups(workspace_dir) == before


def test_locking_after_changes_writes_the_backup_in_the_background_then_unlocks(
    qtbot, demo_ws, workspace_dir, threaded_runner
) -> None:
    from PySide6.QtCore import Qt

    from desktop.demo import DEMO_PASSWORD
    from tests.ui.helpers import type_into

    window = make_window(qtbot, workspace_dir, demo_ws)
    before = backups(workspace_dir)
    demo_ws.settings.set("backup.on_close", True)
    window.lock()
    # the data is hidden at once; the form waits for the backup and says why
    assert window.is_locked() and window.root.currentWidget() is window.login
    assert not window.login.unlock_button.isEnabled()
    assert window.login.unlock_button.text() == "正在写入备份…"
    qtbot.waitUntil(window.login.unlock_button.isEnabled, timeout=60_000)
    threaded_runner.wait(5000)
    assert demo_ws.closed and len(backups(workspace_dir)) == len(before) + 1
    assert window.login.unlock_button.text() == "解锁"
    type_into(qtbot, window.login.password_edit, DEMO_PASSWORD, leave=False)
    qtbot.keyClick(window.login.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.is_locked(), timeout=30_000)  # unlocking runs off-thread
    assert window.ws is not None and not window.ws.closed
    threaded_runner.wait(5000)
    window.close_workspace()
