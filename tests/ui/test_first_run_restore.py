"""Restoring a backup on the first-run screen, as a clerk on a new or wiped PC does: the real
screen, a real backup file written by the store, and the bad cases a clerk meets (wrong
password, a file that is not a backup, a cut-short or altered backup, a folder that already
holds a workspace). Each bad case shows a clear sentence and leaves no half-written workspace."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.demo import DEMO_PASSWORD
from desktop.store import Workspace
from desktop.ui.main_window import MainWindow, workspace_exists
from desktop.ui.pages.members import MembersPage
from desktop.ui.pages.unions import UnionsPage
from tests.ui.conftest import PASSWORD
from tests.ui.helpers import make_window, type_into


@pytest.fixture
def backup(demo_template: Path, tmp_path: Path, app: Any) -> tuple[Path, str]:
    """A backup of the demo workspace (6 unions, 60 members) on a USB stick, and the recovery
    key of the workspace it came from."""
    old_pc = tmp_path / "old-pc"
    shutil.copytree(demo_template, old_pc)
    ws = Workspace.open(old_pc, user="admin", password=DEMO_PASSWORD)
    recovery_key = ws.new_recovery_key()
    path = ws.backup(tmp_path / "usb")
    ws.close(backup=False)
    return path, recovery_key


def first_run(qtbot: Any, folder: Path) -> tuple[MainWindow, Any]:
    window = make_window(qtbot, folder)
    screen = window.first_run
    assert window.root.currentWidget() is screen
    qtbot.mouseClick(screen.tabs.tabBar(), Qt.MouseButton.LeftButton, pos=tab_centre(screen, 1))
    assert screen.tabs.currentIndex() == 1
    return window, screen


def tab_centre(screen: Any, index: int) -> Any:
    return screen.tabs.tabBar().tabRect(index).center()


def restore(qtbot: Any, screen: Any, file: Path, secret: str, user: str = "admin") -> None:
    """Type the file, user and password as a clerk would and press Restore."""
    for edit in (screen.backup_file, screen.restore_user, screen.restore_password):
        edit.clear()
    type_into(qtbot, screen.backup_file, str(file))
    if user:
        type_into(qtbot, screen.restore_user, user)
    type_into(qtbot, screen.restore_password, secret)
    qtbot.mouseClick(screen.restore_button, Qt.MouseButton.LeftButton)


def leftovers(folder: Path) -> list[str]:
    """Workspace files (finished or half-unpacked) in ``folder``."""
    if not folder.exists():
        return []
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(("workspace", "keyslots")))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("how", ["password", "recovery key"])
def test_restore_on_the_first_run_screen_ends_signed_in_with_the_records(
    qtbot: Any, backup: tuple[Path, str], tmp_path: Path, how: str
) -> None:
    file, recovery_key = backup
    folder = tmp_path / "new-pc" / "workspace"
    window, screen = first_run(qtbot, folder)
    if how == "password":
        restore(qtbot, screen, file, DEMO_PASSWORD)
    else:
        restore(qtbot, screen, file, recovery_key.lower().replace("-", " "), user="")
    assert window.ws is not None, screen.restore_error.text()
    assert window.root.currentWidget() is window.shell and not window.is_locked()
    assert screen.restore_password.text() == ""  # the secret does not linger in the widget
    assert window.ws.org_unit.name in window.org_status.text()
    unions = window.show_page(UnionsPage)
    assert unions.model.rowCount() == 6
    members = window.show_page(MembersPage)
    assert members.model.rowCount() == 60
    assert window.ws.check().ok
    window.close_workspace()
    # the restored workspace is an ordinary one: the backup's password signs in next time
    Workspace.open(folder, user="admin", password=DEMO_PASSWORD).close(backup=False)


def test_bad_restores_say_why_and_leave_no_half_written_workspace(
    qtbot: Any, backup: tuple[Path, str], tmp_path: Path
) -> None:
    file, _ = backup
    # the workspace database was lost; its backups folder (with the backup) is still there
    folder = tmp_path / "workspace"
    (folder / "backups").mkdir(parents=True)
    file = Path(shutil.copy2(file, folder / "backups" / file.name))
    kept = digest(file)
    window, screen = first_run(qtbot, folder)

    def refused(expected: str) -> None:
        assert window.ws is None
        assert window.root.currentWidget() is screen
        assert screen.restore_error.isVisible()
        assert expected in screen.restore_error.text(), screen.restore_error.text()
        assert screen.restore_button.isEnabled()  # the clerk can try again
        assert leftovers(folder) == [] and not workspace_exists(folder)
        assert digest(file) == kept  # the backup itself and the folder's backups are untouched

    restore(qtbot, screen, file, "Not-the-password-1")
    refused("密码无法打开此备份。请使用该用户在备份时的密码，或使用恢复密钥。")

    restore(qtbot, screen, file, DEMO_PASSWORD, user="nobody")
    refused("没有这个用户")

    restore(qtbot, screen, file, "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789")
    refused("恢复密钥")  # shaped like a recovery key but mistyped: says so

    not_backup = tmp_path / "花名册.txt"
    not_backup.write_text("姓名,身份证号\n", "utf-8")
    restore(qtbot, screen, not_backup, DEMO_PASSWORD)
    refused("此文件不是 UnionDesk 备份")

    from openpyxl import Workbook  # a workbook is a ZIP too: still not a backup

    workbook = tmp_path / "花名册.xlsx"
    Workbook().save(workbook)
    restore(qtbot, screen, workbook, DEMO_PASSWORD)
    refused("此文件不是 UnionDesk 备份")

    cut = tmp_path / "cut-short.udbak"  # copying to the USB stick stopped half-way
    cut.write_bytes(file.read_bytes()[: file.stat().st_size // 2])
    restore(qtbot, screen, cut, DEMO_PASSWORD)
    refused("此备份文件不完整或已损坏")

    flipped = tmp_path / "flipped.udbak"  # one byte of the database changed on the stick
    data = bytearray(file.read_bytes())
    with zipfile.ZipFile(file) as zf:
        info = zf.getinfo("workspace.db")
    data[info.header_offset + 30 + len(info.filename) + info.file_size // 2] ^= 0x10
    flipped.write_bytes(bytes(data))
    restore(qtbot, screen, flipped, DEMO_PASSWORD)
    refused("此备份文件不完整或已损坏")

    altered = tmp_path / "altered.udbak"  # changed and re-packed, so the ZIP checks pass
    with zipfile.ZipFile(file) as src, zipfile.ZipFile(altered, "w") as out:
        for name in src.namelist():
            content = bytearray(src.read(name))
            if name == "workspace.db":
                content[len(content) // 2] ^= 0x10
            out.writestr(name, bytes(content))
    restore(qtbot, screen, altered, DEMO_PASSWORD)
    refused("此备份文件不完整或已损坏")

    # after all that, the right password restores the same backup
    restore(qtbot, screen, file, DEMO_PASSWORD)
    assert window.ws is not None, screen.restore_error.text()
    assert window.root.currentWidget() is window.shell
    assert window.show_page(MembersPage).model.rowCount() == 60
    window.close_workspace()


def test_restore_into_a_folder_that_already_holds_a_workspace_changes_nothing(
    qtbot: Any, backup: tuple[Path, str], tmp_path: Path
) -> None:
    file, _ = backup
    folder = tmp_path / "workspace"
    window, screen = first_run(qtbot, folder)
    # meanwhile a workspace was set up in that folder (another window, or `uniondesk init`)
    from desktop.demo import union_rows

    ws, _ = Workspace.create(folder, org_unit_code="330106002", admin_password=PASSWORD)
    ws.records.save("union", union_rows()[0])
    ws.close(backup=False)
    before = {name: digest(folder / name) for name in leftovers(folder)}

    restore(qtbot, screen, file, DEMO_PASSWORD)
    assert window.ws is None
    assert screen.restore_error.text() == (
        f"文件夹 {folder} 中已有工作区：未恢复任何内容，原有工作区保持不变。"
    )
    assert {name: digest(folder / name) for name in leftovers(folder)} == before
    with Workspace.open(folder, user="admin", password=PASSWORD) as kept:
        assert kept.org_unit.code == "330106002" and kept.records.count("union") == 1
        kept.close(backup=False)


def test_settings_restore_from_the_workspaces_own_backups_folder(
    qtbot: Any, demo_ws: Any, workspace_dir: Path
) -> None:
    """The default backup folder is inside the workspace folder, which a restore from Settings
    moves aside first: the chosen backup is still found there."""
    from desktop.demo import union_rows
    from desktop.ui.pages.settings import SettingsPage

    window = make_window(qtbot, workspace_dir, demo_ws)
    page = window.show_page(SettingsPage)
    qtbot.mouseClick(page.backup_now_button, Qt.MouseButton.LeftButton)
    (file,) = (workspace_dir / "backups").glob("*.udbak")
    demo_ws.records.save("union", {**union_rows()[0], "full_name": "备份之后新建的工会"})
    page.restore_requested.emit(file, DEMO_PASSWORD)
    assert window.ws is not None and window.ws is not demo_ws, window.login.error_label.text()
    assert window.root.currentWidget() is window.shell
    assert window.show_page(UnionsPage).model.rowCount() == 6
    window.close_workspace()
