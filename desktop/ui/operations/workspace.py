"""Operations on the workspace as a whole: create, sign in, restore, back up, check, close, and
the administrator's settings and users."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.ui.operations.core import WorkspaceOp

if TYPE_CHECKING:
    from desktop.store import CheckReport, Workspace


def create_workspace(
    path: Path, *, org_unit_code: str, org_unit_name: str, admin_user: str, admin_password: str
) -> WorkspaceOp[tuple[Workspace, str]]:
    """A new workspace in ``path``: (the open workspace, its recovery key shown once)."""

    def work(ctx: Any) -> tuple[Workspace, str]:
        from desktop.store import Workspace

        return Workspace.create(
            path,
            org_unit_code=org_unit_code,
            org_unit_name=org_unit_name,
            admin_user=admin_user,
            admin_password=admin_password,
        )

    return WorkspaceOp(work)


def sign_in(path: Path, user: str, password: str) -> WorkspaceOp[Workspace]:
    """Open the workspace in ``path`` as ``user`` (the key derivation takes a moment)."""

    def work(ctx: Any) -> Workspace:
        from desktop.store import Workspace

        return Workspace.open(path, user=user, password=password)

    return WorkspaceOp(work)


def write_recovery_key(ws: Workspace, target: Path, key: str) -> WorkspaceOp[Path]:
    """The recovery-key printout of the new workspace, as PDF."""
    from desktop.reports.recovery_key_pdf import write_recovery_key_pdf

    code, name = ws.org_unit.code, ws.org_unit.name
    return WorkspaceOp(
        lambda ctx: write_recovery_key_pdf(target, key, org_unit_code=code, org_unit_name=name)
    )


def restore_backup(backup: Path, target: Path, *, user: str, secret: str) -> WorkspaceOp[Any]:
    """Restore ``backup`` into the empty folder ``target`` and open it (password or recovery key)."""
    from desktop.ui.operations.backup import restore_into

    return WorkspaceOp(lambda ctx: restore_into(backup, target, user=user, secret=secret))


def set_workspace_aside(ws: Workspace, folder: Path) -> WorkspaceOp[Path]:
    """Before a restore replaces it: close the workspace (no backup) and rename its folder;
    returns the folder's new name."""
    from desktop.ui.operations.backup import move_aside

    def work(ctx: Any) -> Path:
        ws.close(backup=False)
        return move_aside(folder)

    return WorkspaceOp(work)


def put_workspace_back(folder: Path, aside: Path) -> WorkspaceOp[None]:
    """A restore failed: drop what it left in ``folder`` and move the set-aside one back."""
    import shutil

    def work(ctx: Any) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.move(str(aside), str(folder))

    return WorkspaceOp(work)


def check_workspace(ws: Workspace) -> WorkspaceOp[CheckReport]:
    """The full check: pages, integrity, kept counts, audit chain, key slots."""
    return WorkspaceOp(lambda ctx: ws.check())


def back_up(ws: Workspace) -> WorkspaceOp[Path]:
    """A backup into the workspace's backups folder now (rolling, as on close)."""
    from desktop.ui.operations.backup import back_up_now

    return WorkspaceOp(lambda ctx: back_up_now(ws))


def close_workspace(ws: Workspace, *, backup: bool | None = None) -> WorkspaceOp[None]:
    """Close the workspace (its final checkpoint, and the rolling backup when it is on, can
    take a moment on a big file); ``backup=False`` closes without the backup."""
    return WorkspaceOp(lambda ctx: ws.close(backup=backup))


def set_setting(ws: Workspace, key: str, value: Any) -> WorkspaceOp[None]:
    """Store one workspace setting (auto-lock minutes, backup folder …)."""
    return WorkspaceOp(lambda ctx: ws.settings.set(key, value))


def change_password(ws: Workspace, user: str, password: str) -> WorkspaceOp[None]:
    """A user's new password (rewrites their key slot; the key derivation takes a moment)."""
    return WorkspaceOp(lambda ctx: ws.users.change_password(user, password))


def add_user(ws: Workspace, name: str, password: str, role: str) -> WorkspaceOp[Any]:
    """A new user with a role and a key slot of their own."""
    return WorkspaceOp(lambda ctx: ws.users.add(name, password, role))


def remove_user(ws: Workspace, name: str) -> WorkspaceOp[None]:
    """Remove a user (their password no longer opens the workspace)."""
    return WorkspaceOp(lambda ctx: ws.users.remove(name))


def open_demo() -> WorkspaceOp[tuple[Path, Any]]:
    """The demo workspace (``uniondesk gui --demo``), created on first use."""
    from desktop.demo import open_demo_workspace

    return WorkspaceOp(lambda ctx: open_demo_workspace())
