"""Encrypted backups: one file holding the database (the workspace's own file, already
encrypted under the data key, copied as of one commit while open; see
:func:`database_snapshot`) and the key-slot file. Everything inside is already encrypted, so the
container is a plain ZIP (stored, not compressed). A backup restores on another PC with any
user's password (as it was at backup time) or the recovery key; backups written by earlier
versions (a ``sqlcipher_export`` copy) have the same layout and restore the same way.

**Manifest versions.** An ``intl`` workspace writes version 1: the database member is the
SQLCipher file as it is (so older UnionDesk releases still restore it). A ``gm`` workspace
writes version 2: the database member is additionally sealed with SM4-GCM in 1 MiB chunks
under a key derived (HKDF-SM3) from the workspace's field key, bound to the manifest, the
chunk's place and whether it is the last one (:mod:`desktop.store.backup_seal`). Restore
takes both; a version-2 backup that was altered or cut off restores nothing and says what is
wrong.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from desktop.store import audit, backup_seal, db, errors, pageauth
from desktop.store import field_cipher as fc
from desktop.store.constants import BACKUP_DIR, DB_NAME, SLOTS_NAME
from desktop.store.keyslots import SlotFile, _fsync_dir

if TYPE_CHECKING:
    from desktop.store.workspace import Workspace

log = logging.getLogger(__name__)

SUFFIX = ".udbak"
MANIFEST = "manifest.json"
FORMAT = "uniondesk-backup"
CHECKPOINT_WAIT_MS = 1000  # how long to wait for other readers before taking the page copy
STALE_PART_S = 600  # a .part file this old in the rolling folder is left from a killed backup
_DB_PARTS = ("", "-journal", "-wal", "-shm")  # the scratch copy and what SQLite may add to it


def make_backup(ws: Workspace, dest: Path) -> Path:
    """Write ``dest`` (a file, or a folder to put a timestamped file in); returns the file."""

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
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "version": 1,
            "workspace_id": ws.workspace_id,
            "org_unit": ws.org_unit.code,
            "created_at": audit.now(),
        }
        seal: backup_seal.Seal | None = None
        if ws.crypto_suite == fc.GM and ws._field_key:
            seal = backup_seal.Seal.new()
            manifest.update(
                version=backup_seal.VERSION, crypto_suite=fc.GM, database=seal.to_manifest()
            )
        raw = json.dumps(manifest).encode()
        with (
            database_snapshot(conn, ws.path / DB_NAME, ws._data_key, tmp_db) as db_file,
            zipfile.ZipFile(tmp_zip, "w", compression=zipfile.ZIP_STORED) as zf,
        ):
            zf.writestr(MANIFEST, raw)
            if seal is None:
                _add_file(zf, db_file, DB_NAME)
            else:
                key = seal.key(ws._field_key or b"", ws.workspace_id)
                _add_sealed(zf, db_file, DB_NAME, seal, key, raw)
            zf.write(ws.path / SLOTS_NAME, SLOTS_NAME)
        with open(tmp_zip, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_zip, dest)
        _fsync_dir(dest.parent)
    except db.DB_ERRORS as exc:
        raise db.translate(exc, "the backup") from None
    except (errors.DiskFull, errors.StorageError) as exc:
        raise db.retell(exc, "the backup") from None
    finally:
        for p in (tmp_zip, *(tmp_db.with_name(tmp_db.name + s) for s in _DB_PARTS)):
            with contextlib.suppress(OSError):
                p.unlink()
    with contextlib.suppress(errors.StoreError), db.transaction(conn, "recording the backup"):
        ws._audit.append(ws.user.name, "workspace.backup", ws.workspace_id, {"file": dest.name})
    return dest


@contextlib.contextmanager
def database_snapshot(conn: Any, db_path: Path, data_key: bytes, scratch: Path) -> Iterator[Path]:
    """A file holding the database as of one commit, unchanged while the block runs.

    Usually the workspace's own file, already encrypted under the data key the key slots wrap:
    the WAL is checkpointed into it and emptied, then a write transaction holds every other
    writer (this process's and any other's) off, so the file is exactly the last commit until
    the block ends. Every page's authentication code is checked meanwhile (on a second thread,
    while the block copies the file), and a failure raises after the block, so a damaged or
    altered file makes no backup (the older ones stay), as the old ``sqlcipher_export`` copy refused.
    When the WAL cannot be emptied (another process is reading), it falls back to
    :func:`copy_database` into ``scratch``.
    """
    with conn.write_lock:  # no save through this connection in between
        if _checkpointed(conn):
            conn.execute("BEGIN IMMEDIATE")
            try:
                wal = db_path.with_name(db_path.name + "-wal")
                if not wal.exists() or wal.stat().st_size == 0:  # nothing committed since
                    with ThreadPoolExecutor(max_workers=1) as pool:  # checked while copied
                        failing = pool.submit(_failing_pages, conn, db_path, data_key)
                        yield db_path
                        bad = failing.result()
                    if bad:
                        raise errors.TamperedDatabase(
                            f"The database file was altered or damaged ({bad} pages fail"
                            " authentication); no backup was written."
                        )
                    return
            finally:
                conn.execute("ROLLBACK")
        log.info("backup: the WAL is in use by another reader; taking a page copy")
        copy_database(conn, data_key, scratch)
    yield scratch


def _failing_pages(conn: Any, db_path: Path, data_key: bytes) -> int:
    """How many pages of the database file fail authentication: read straight from the file
    (:mod:`desktop.store.pageauth`); when that finds any, SQLCipher's own check decides."""
    if pageauth.failing_pages(db_path, data_key) == 0:
        return 0
    return len(conn.execute("PRAGMA cipher_integrity_check").fetchall())


def _checkpointed(conn: Any) -> bool:
    """Move the WAL into the database file and empty it; False when a reader prevents that."""
    conn.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
    try:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except errors.StoreError:
        return False
    finally:
        conn.execute(f"PRAGMA busy_timeout = {db.BUSY_TIMEOUT_MS}")
    return not busy


def copy_database(conn: Any, data_key: bytes, target: Path) -> None:
    """Copy the open database into the new file ``target``, encrypted under ``data_key``.

    SQLite's online backup API in one step: a page copy (no index or full-text rebuild as with
    ``sqlcipher_export``) inside a single read transaction, so the copy is the database as of
    one commit even while other connections write. Every page read is authenticated; pages are
    re-encrypted under the same data key, so the key slots stored beside it open it exactly as
    they open the workspace. The copy is left in rollback-journal mode, as ``sqlcipher_export``
    left it.
    """
    out = db.create(target, data_key)
    try:
        out.execute("PRAGMA journal_mode = OFF")  # a scratch file: no journal, no fsync
        out.execute("PRAGMA synchronous = OFF")
        with conn.write_lock:  # no save on this connection lands halfway through the step
            conn.backup(out, pages=-1)
        out.execute("PRAGMA journal_mode = DELETE")
    finally:
        out.close()


def _add_file(zf: zipfile.ZipFile, path: Path, name: str) -> None:
    """Store ``path`` in the ZIP as ``name``, copied in 1 MiB chunks (ZIP64 when large)."""
    info = zipfile.ZipInfo.from_file(path, name)
    info.compress_type = zipfile.ZIP_STORED
    with open(path, "rb") as src, zf.open(info, "w") as out:
        shutil.copyfileobj(src, out, 1 << 20)


def _add_sealed(
    zf: zipfile.ZipFile, path: Path, name: str, seal: backup_seal.Seal, key: bytes, manifest: bytes
) -> None:
    """Store ``path`` sealed (version 2) in the ZIP as ``name``, chunk by chunk."""
    info = zipfile.ZipInfo.from_file(path, name)
    info.compress_type = zipfile.ZIP_STORED
    info.file_size = seal.sealed_size(info.file_size)  # ZIP64 when large
    with open(path, "rb") as src, zf.open(info, "w") as out:
        backup_seal.seal_stream(key, manifest, seal, src, cast(Any, out))


def rolling_backup(ws: Workspace, keep: int) -> Path:
    """A backup into ``<workspace>/backups``, keeping only the newest ``keep`` files."""

    folder = ws.path / BACKUP_DIR
    _remove_leftovers(folder)
    path = make_backup(ws, folder)
    files = sorted(folder.glob(f"*{SUFFIX}"), key=lambda p: p.name)
    for old in files[: max(0, len(files) - max(1, keep))]:
        with contextlib.suppress(OSError):
            old.unlink()
    return path


def _remove_leftovers(folder: Path) -> None:
    """Delete the unfinished files of backups killed before they completed (never restorable:
    a backup file only gets its name once complete)."""
    cutoff = datetime.now(UTC).timestamp() - STALE_PART_S
    for part in [*folder.glob(f"*{SUFFIX}.part"), *folder.glob(f"*{SUFFIX}.db.part*")]:
        with contextlib.suppress(OSError):
            if part.stat().st_mtime < cutoff:
                part.unlink()


RESTORING = ".restoring"  # suffix of files being unpacked, renamed into place when complete


def restore_backup(
    cls: type[Workspace],
    backup_file: Path,
    target: Path,
    *,
    user: str | None,
    password: str | None,
    recovery_key: str | None,
    kdf: Any,
) -> Workspace:
    """Unpack ``backup_file`` into ``target`` (must not hold a workspace) and open it.

    The password (or recovery key) is checked against the backup's key slots before anything
    is written; the files are unpacked under temporary names and renamed into place once
    complete. A failure removes what the restore wrote and nothing else in ``target``.
    """

    placed = [target / n for n in (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm", SLOTS_NAME)]
    if any(p.exists() for p in placed):
        raise errors.WorkspaceExists(
            f"{target} already holds a workspace; restore into an empty folder."
        )
    if recovery_key is None and (user is None or password is None):
        raise ValueError("Restore needs a user and password, or the recovery key.")
    if backup_file.name.endswith(".part"):  # written, maybe whole, but never made final
        raise errors.NotABackup(
            f"{backup_file.name} is an unfinished backup (the program stopped while writing "
            "it); restore a .udbak file instead."
        )
    made_folder = not target.exists()
    with _open_backup(backup_file) as zf:
        raw = _read(zf, MANIFEST, backup_file)
        manifest = json.loads(raw)
        slots_raw = _read(zf, SLOTS_NAME, backup_file)
        try:
            slots = SlotFile.parse(slots_raw, SLOTS_NAME)
        except errors.DamagedKeySlots:
            raise _damaged(backup_file) from None
        if recovery_key is not None:
            keys = cls._recovery_keys(slots, recovery_key, None)
        else:
            keys = cls._password_keys(slots, cast(str, user), cast(str, password), None)
        opener = _opener(backup_file, manifest, raw, slots.workspace_id, keys)
        _unpack(
            zf, backup_file, target, {DB_NAME: None, SLOTS_NAME: slots_raw}, made_folder, opener
        )
    try:
        return cls._unlock(
            target, slots, keys, user=user if recovery_key is None else None, kdf=kdf, verify=True
        )
    except BaseException as exc:
        for p in placed:
            with contextlib.suppress(OSError):
                p.unlink()
        if made_folder:
            with contextlib.suppress(OSError):
                target.rmdir()
        if isinstance(exc, (errors.TamperedDatabase, errors.DamagedKeySlots)):
            raise _damaged(backup_file) from None
        raise


def _open_backup(backup_file: Path) -> zipfile.ZipFile:
    """The backup as an open ZIP whose manifest says it is one (NotABackup / DamagedBackup)."""
    try:
        zf = zipfile.ZipFile(backup_file)
    except FileNotFoundError:
        raise errors.NotABackup(f"There is no file {backup_file.name}.") from None
    except IsADirectoryError:
        raise errors.NotABackup(f"{backup_file.name} is a folder, not a backup file.") from None
    except OSError as exc:
        raise db.translate(exc, "the restore") from None
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise _not_readable(backup_file) from None
    try:
        manifest = json.loads(_read(zf, MANIFEST, backup_file))
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise errors.NotABackup(f"{backup_file.name} is not a UnionDesk backup.")
        if int(manifest.get("version", 0)) > backup_seal.VERSION:
            raise errors.NewerWorkspaceVersion("The backup was written by a newer UnionDesk.")
    except errors.StoreError:
        zf.close()
        raise
    except (ValueError, TypeError):
        zf.close()
        raise _not_readable(backup_file) from None
    return zf


Opener = Callable[[BinaryIO, BinaryIO], object]  # copies a member out, opening its seal


def _opener(
    backup_file: Path,
    manifest: dict[str, Any],
    raw: bytes,
    workspace_id: str,
    keys: dict[int, bytes],
) -> Opener | None:
    """How the database member of a version-2 backup is opened (None: version 1, copied)."""
    if int(manifest.get("version", 0)) < backup_seal.VERSION:
        return None
    try:
        seal = backup_seal.Seal.from_manifest(manifest.get("database"))
    except backup_seal.SealError as exc:
        raise _damaged(backup_file, str(exc)) from None
    if manifest.get("workspace_id") != workspace_id:
        raise _damaged(backup_file, "its manifest names another workspace than its key slots")
    field_key = keys.get(fc.FIELD_KEY_GEN)
    if not field_key:
        raise _damaged(backup_file, "its key slots hold no field key to open the database with")
    key = seal.key(field_key, workspace_id)

    def open_member(src: BinaryIO, out: BinaryIO) -> object:
        return backup_seal.open_stream(key, raw, seal, src, out)

    return open_member


def _read(zf: zipfile.ZipFile, name: str, backup_file: Path) -> bytes:
    try:
        return zf.read(name)
    except KeyError:
        raise _not_readable(backup_file) from None
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise _damaged(backup_file) from None


def _unpack(
    zf: zipfile.ZipFile,
    backup_file: Path,
    target: Path,
    files: dict[str, bytes | None],
    made_folder: bool,
    opener: Opener | None = None,
) -> None:
    """Write each file (bytes, or None: copy it out of the ZIP, through ``opener`` when the
    backup is sealed) as ``name.restoring``, then rename them all into place."""
    parts = {name: target / (name + RESTORING) for name in files}
    renamed: list[Path] = []
    try:
        target.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            with open(parts[name], "wb") as out:
                if data is not None:
                    out.write(data)
                elif opener is not None:
                    with zf.open(name) as src:
                        opener(cast(BinaryIO, src), out)
                else:
                    with zf.open(name) as src:
                        while chunk := src.read(1 << 20):
                            out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        for name, part in parts.items():
            os.replace(part, target / name)
            renamed.append(target / name)
        _fsync_dir(target)
    except BaseException as exc:
        for path in [*parts.values(), *renamed]:
            with contextlib.suppress(OSError):
                path.unlink()
        if made_folder:
            with contextlib.suppress(OSError):
                target.rmdir()
        if isinstance(exc, KeyError):
            raise _not_readable(backup_file) from None
        if isinstance(exc, backup_seal.SealError):
            raise _damaged(backup_file, str(exc)) from None
        if isinstance(exc, (zipfile.BadZipFile, EOFError, ValueError)):
            raise _damaged(backup_file) from None
        if isinstance(exc, OSError):
            raise db.translate(exc, "the restore") from None
        raise


def _damaged(backup_file: Path, why: str | None = None) -> errors.DamagedBackup:
    if why:
        return errors.DamagedBackup(
            f"The backup {backup_file.name} cannot be restored: {why}. Nothing was restored."
        )
    return errors.DamagedBackup(
        f"The backup {backup_file.name} is incomplete or damaged and cannot be restored."
    )


def _not_readable(backup_file: Path) -> errors.CorruptWorkspace:
    """DamagedBackup when the file starts like a UnionDesk backup, else NotABackup."""
    try:
        with open(backup_file, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        head = b""
    if head.startswith(b"PK") and FORMAT.encode() in head:
        return _damaged(backup_file)
    return errors.NotABackup(f"{backup_file.name} is not a UnionDesk backup.")
