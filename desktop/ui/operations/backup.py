"""Backup and restore glue for the UI: where backups go, making one, restoring one.

The store does the work (``ws.backup``, ``Workspace.restore``); this module only decides
folders and tells a password from a recovery key. No Qt here beyond what callers pass in.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop.store import Workspace

BACKUP_DIR_SETTING = "backup.dir"
KEEP_SETTING = "backup.keep"
ON_CLOSE_SETTING = "backup.on_close"
DEFAULT_KEEP = 5


def backup_folder(ws: Workspace) -> Path:
    """The folder backups go to (setting ``backup.dir``, else ``<workspace>/backups``)."""
    chosen = ws.settings.get(BACKUP_DIR_SETTING)
    return Path(chosen) if chosen else Path(ws.path) / "backups"


def back_up_now(ws: Workspace) -> Path:
    """One backup into the backup folder, keeping the newest ``backup.keep`` files there."""
    folder = backup_folder(ws)
    path = ws.backup(folder)
    keep = int(ws.settings.get(KEEP_SETTING) or DEFAULT_KEEP)
    files = sorted(folder.glob("*.udbak"), key=lambda p: p.name)
    for old in files[: max(0, len(files) - max(1, keep))]:
        old.unlink(missing_ok=True)
    return path


def restore_into(backup: Path, target: Path, *, user: str, secret: str) -> Any:
    """Restore ``backup`` into the empty folder ``target`` and open it.

    ``secret`` is the user's password; when no user is given, or the password is refused and
    ``secret`` has the shape of a recovery key, it is tried as the recovery key.
    """
    from desktop.store import Workspace, errors
    from desktop.store.keyslots import looks_like_recovery_key

    if user:
        try:
            return Workspace.restore(backup, target, user=user, password=secret)
        except (errors.WrongPassword, errors.UnknownUser):
            if not looks_like_recovery_key(secret):
                raise
    return Workspace.restore(backup, target, recovery_key=secret)


def move_aside(folder: Path) -> Path:
    """Rename the current workspace folder before a restore replaces it; returns the new name."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = folder.with_name(f"{folder.name}.before-restore-{stamp}")
    shutil.move(str(folder), str(aside))
    return aside
