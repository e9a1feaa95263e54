"""Encrypted backups: one file holding the database (``sqlcipher_export`` under the same data
key, taken while open) and the key-slot file. Everything inside is already encrypted, so the
container is a plain ZIP (stored, not compressed). A backup restores on another PC with any
user's password (as it was at backup time) or the recovery key.
"""

from __future__ import annotations

import contextlib
import json
import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.store import audit, db, errors
from desktop.store.keyslots import SlotFile

if TYPE_CHECKING:
    from desktop.store.workspace import Workspace

SUFFIX = ".udbak"
MANIFEST = "manifest.json"
FORMAT = "uniondesk-backup"


def make_backup(ws: Workspace, dest: Path) -> Path:
    """Write ``dest`` (a file, or a folder to put a timestamped file in); returns the file."""
    from desktop.store.workspace import DB_NAME, SLOTS_NAME

    conn = ws._connection()
    if dest.is_dir() or not dest.suffix:
        dest.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        dest = dest / f"uniondesk-{ws.org_unit.code}-{stamp}{SUFFIX}"
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp_db = dest.with_name(dest.name + ".db.part")
    tmp_zip = dest.with_name(dest.name + ".part")
    try:
        with contextlib.suppress(OSError):
            tmp_db.unlink()
        key = db.key_pragma_value(ws._data_key)
        conn.execute(f"ATTACH DATABASE ? AS backup KEY {key}", (str(tmp_db),))
        try:
            conn.execute("SELECT sqlcipher_export('backup')")
        finally:
            conn.execute("DETACH DATABASE backup")
        manifest = {
            "format": FORMAT,
            "version": 1,
            "workspace_id": ws.workspace_id,
            "org_unit": ws.org_unit.code,
            "created_at": audit.now(),
        }
        with zipfile.ZipFile(tmp_zip, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr(MANIFEST, json.dumps(manifest))
            zf.write(tmp_db, DB_NAME)
            zf.write(ws.path / SLOTS_NAME, SLOTS_NAME)
        with open(tmp_zip, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_zip, dest)
    except db.DB_ERRORS as exc:
        raise db.translate(exc, "the backup") from None
    except (errors.DiskFull, errors.StorageError) as exc:
        raise db.retell(exc, "the backup") from None
    finally:
        for p in (tmp_db, tmp_zip, tmp_db.with_name(tmp_db.name + "-journal")):
            with contextlib.suppress(OSError):
                p.unlink()
    with contextlib.suppress(errors.StoreError), db.transaction(conn, "recording the backup"):
        ws._audit.append(ws.user.name, "workspace.backup", ws.workspace_id, {"file": dest.name})
    return dest


def rolling_backup(ws: Workspace, keep: int) -> Path:
    """A backup into ``<workspace>/backups``, keeping only the newest ``keep`` files."""
    from desktop.store.workspace import BACKUP_DIR

    folder = ws.path / BACKUP_DIR
    path = make_backup(ws, folder)
    files = sorted(folder.glob(f"*{SUFFIX}"), key=lambda p: p.name)
    for old in files[: max(0, len(files) - max(1, keep))]:
        with contextlib.suppress(OSError):
            old.unlink()
    return path


def restore_backup(
    cls: Any,
    backup_file: Path,
    target: Path,
    *,
    user: str | None,
    password: str | None,
    recovery_key: str | None,
    kdf: Any,
) -> Workspace:
    """Unpack ``backup_file`` into ``target`` (must not hold a workspace) and open it."""
    from desktop.store.workspace import DB_NAME, SLOTS_NAME, remove_workspace_files

    if (target / DB_NAME).exists() or (target / SLOTS_NAME).exists():
        raise errors.WorkspaceExists(
            f"{target} already holds a workspace; restore into an empty folder."
        )
    try:
        with zipfile.ZipFile(backup_file) as zf:
            manifest = json.loads(zf.read(MANIFEST))
            if manifest.get("format") != FORMAT:
                raise ValueError("format")
            if int(manifest.get("version", 0)) > 1:
                raise errors.NewerWorkspaceVersion("The backup was written by a newer UnionDesk.")
            target.mkdir(parents=True, exist_ok=True)
            for name in (DB_NAME, SLOTS_NAME):
                with zf.open(name) as src, open(target / name, "wb") as out:
                    while chunk := src.read(1 << 20):
                        out.write(chunk)
                    out.flush()
                    os.fsync(out.fileno())
    except errors.StoreError:
        raise
    except FileNotFoundError:
        raise errors.CorruptWorkspace(f"No backup file {backup_file.name}.") from None
    except OSError as exc:
        remove_workspace_files(target)
        raise db.translate(exc, "the restore") from None
    except Exception:
        remove_workspace_files(target)
        raise errors.CorruptWorkspace(
            f"{backup_file.name} is not a readable UnionDesk backup."
        ) from None
    SlotFile.load(target / SLOTS_NAME)
    try:
        if recovery_key is not None:
            ws = cls.open_with_recovery_key(target, recovery_key, kdf=kdf, verify=True)
        else:
            if user is None or password is None:
                raise ValueError("Restore needs a user and password, or the recovery key.")
            ws = cls.open(target, user=user, password=password, kdf=kdf, verify=True)
    except BaseException:
        remove_workspace_files(target)
        raise
    return ws
