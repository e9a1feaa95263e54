"""The workspace: one folder with the SQLCipher database and its key-slot file.

``Workspace.create`` makes a new one and returns the recovery key (shown once);
``Workspace.open`` / ``open_with_recovery_key`` unlock it: the slot first, then the database key
is confirmed by reading the schema, then (for files up to ``VERIFY_ON_OPEN_BYTES``) every page's
HMAC is checked, then pending migrations run. Wrong password, unknown user, tampered database,
damaged slot file and newer version each raise their own error and modify neither file.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import uuid as uuidlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlcipher3

from desktop.store import audit, db, errors, keys, keyslots, migrations
from desktop.store import field_cipher as fc
from desktop.store.audit import AuditLog, VerifyResult
from desktop.store.constants import BACKUP_DIR as BACKUP_DIR  # re-exported for scripts
from desktop.store.constants import DB_NAME as DB_NAME
from desktop.store.constants import RECOVERY_USER as RECOVERY_USER
from desktop.store.constants import SLOTS_NAME as SLOTS_NAME
from desktop.store.constants import VERIFY_ON_OPEN_BYTES as VERIFY_ON_OPEN_BYTES
from desktop.store.formdefs import FormCatalog
from desktop.store.keys import CheckReport as CheckReport  # re-exported
from desktop.store.keyslots import KdfParams, SlotFile
from desktop.store.ledgers import Ledgers
from desktop.store.lockout import Lockout
from desktop.store.outbox import StoreOutbox
from desktop.store.passwords import check_password
from desktop.store.records import Records
from desktop.store.roles import User, require
from desktop.store.settings import Settings
from desktop.store.users import Users, check_name

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OrgUnit:
    code: str
    name: str


@dataclass(frozen=True)
class ChangeEvent:
    """Sent to subscribers after a committed change; ``uuid`` None means many records."""

    form_id: str | None
    uuid: str | None


class Workspace:
    """An open workspace. Use ``create`` / ``open`` / ``open_with_recovery_key``; close when done."""

    def __init__(
        self,
        folder: Path,
        conn: sqlcipher3.Connection,
        slots: SlotFile,
        keys: dict[int, bytes],
        gen: int,
        user: User,
        kdf: KdfParams,
    ) -> None:
        self.path = Path(folder)
        self._conn: sqlcipher3.Connection | None = conn
        self._slots = slots
        self._key_gen = gen
        self._data_key = keys[gen]
        self._field_key = keys.get(fc.FIELD_KEY_GEN)
        self._kdf = kdf
        self.user = user
        self._bind(conn)
        self._subscribers: list[Callable[[ChangeEvent], None]] = []
        self._dirty = False
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        self._cipher = fc.FieldCipher(meta.get("crypto_suite", fc.INTL), self._field_key)
        if self._cipher.sealing and meta.get("field_key_check") != self._cipher.check_value():
            raise errors.DamagedKeySlots(
                "The key slot's field key is not this workspace's (personal data would not open)."
            )
        self.workspace_id = meta["workspace_id"]
        self.org_unit = OrgUnit(meta["org_unit_code"], meta["org_unit_name"])
        self.forms = FormCatalog(self._connection, on_add=self._store_form)
        self._managers = managers = ManagerContext(self)
        self.records = Records(managers)
        self.users = Users(managers)
        self.outbox = StoreOutbox(managers)
        self.settings = Settings(managers, outbox=self.outbox)
        self.ledgers = Ledgers(managers)

    def _bind(self, conn: sqlcipher3.Connection) -> None:
        self._conn = conn
        self._audit = AuditLog(conn)
        self.audit = self._audit
        self.db = db.wrap(conn)  # sqlite-utils view (read-only use by reports / tools)

    # --- creating and opening -------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: str | Path,
        *,
        org_unit_code: str,
        org_unit_name: str = "",
        admin_user: str = "admin",
        admin_password: str,
        kdf: KdfParams | None = None,
        crypto_suite: str = fc.INTL,
    ) -> tuple[Workspace, str]:
        """A new workspace in folder ``path``; returns it open as the admin, and the recovery key.

        ``crypto_suite`` ``gm``: sensitive fields SM4-GCM-sealed inside the file, HMAC-SM3 keyed
        indexes and SM2 / SM4 key slots (:mod:`desktop.store.field_cipher`)."""
        fc.check_suite(crypto_suite)
        folder = Path(path)
        admin_user = check_name(admin_user)
        check_password(admin_password, admin_user)
        if not org_unit_code or not str(org_unit_code).strip():
            raise ValueError("An org-unit code is needed.")
        kdf = kdf or KdfParams()
        if (folder / DB_NAME).exists() or (folder / SLOTS_NAME).exists():
            raise errors.WorkspaceExists(f"{folder} already holds a workspace.")
        folder.mkdir(parents=True, exist_ok=True)
        data_key = keyslots.new_data_key()
        workspace_id = str(uuidlib.uuid4())
        recovery_key = keyslots.new_recovery_key()
        keys = {1: data_key}
        if crypto_suite == fc.GM:
            keys[fc.FIELD_KEY_GEN] = fc.new_field_key()
        cipher = fc.FieldCipher(crypto_suite, keys.get(fc.FIELD_KEY_GEN))
        slots = SlotFile(
            workspace_id,
            [
                keyslots.make_password_slot(
                    workspace_id, admin_user, admin_password, keys, kdf, crypto_suite
                ),
                keyslots.make_recovery_slot(workspace_id, recovery_key, keys, crypto_suite),
            ],
        )
        conn = db.create(folder / DB_NAME, data_key)
        try:
            db.tune(conn)
            migrations.migrate(conn)
            with db.transaction(conn, "creating the workspace"):
                now = audit.now()
                conn.executemany(
                    "INSERT INTO meta (key, value) VALUES (?, ?)",
                    [
                        ("workspace_id", workspace_id),
                        ("org_unit_code", str(org_unit_code).strip()),
                        ("org_unit_name", org_unit_name or ""),
                        ("created_at", now),
                        ("next_device_seq", "1"),
                    ],
                )
                conn.executemany(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                    [("crypto_suite", crypto_suite), ("field_key_check", cipher.check_value())],
                )
                conn.execute(
                    "INSERT INTO users (name, role, created_at, created_by) VALUES (?, 'admin', ?, NULL)",
                    (admin_user, now),
                )
                AuditLog(conn).append(
                    admin_user,
                    "workspace.create",
                    workspace_id,
                    {"org_unit": str(org_unit_code).strip()},
                )
            slots.save(folder / SLOTS_NAME)
        except BaseException:
            conn.close()
            for name in (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm", SLOTS_NAME):
                with contextlib.suppress(OSError):
                    (folder / name).unlink()
            raise
        ws = cls(folder, conn, slots, keys, 1, User(admin_user, "admin"), kdf)
        log.info("workspace created")
        return ws, recovery_key

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        user: str,
        password: str,
        kdf: KdfParams | None = None,
        verify: bool | None = None,
    ) -> Workspace:
        """Unlock with a user's password. ``kdf``: parameters for slots written in this session."""
        folder = Path(path)
        slots = cls._load_slots(folder)
        lock = Lockout(folder)
        keys = cls._password_keys(slots, user, password, lock)
        ws = cls._unlock(folder, slots, keys, user=user, kdf=kdf, verify=verify)
        lock.succeeded(user)
        ws._move_slot_to_suite(slots.password_slot(user), password)
        return ws

    @classmethod
    def open_with_recovery_key(
        cls,
        path: str | Path,
        recovery_key: str,
        *,
        kdf: KdfParams | None = None,
        verify: bool | None = None,
    ) -> Workspace:
        """Unlock with the recovery key; the session acts as an administrator named ``*recovery*``."""
        folder = Path(path)
        slots = cls._load_slots(folder)
        lock = Lockout(folder)
        keys = cls._recovery_keys(slots, recovery_key, lock)
        ws = cls._unlock(folder, slots, keys, user=None, kdf=kdf, verify=verify)
        lock.succeeded(RECOVERY_USER)
        ws._move_slot_to_suite(slots.recovery_slot(), recovery_key)
        return ws

    def _move_slot_to_suite(self, slot: keyslots.Slot | None, secret: str) -> None:
        """A slot made before the workspace moved to gm is remade as a gm slot the first time
        its password (or the recovery key) is typed — the only moment it can be."""
        from desktop.store import suite

        suite.move_slot(self, slot, secret)

    @staticmethod
    def _password_keys(
        slots: SlotFile, user: str, password: str, lock: Lockout | None
    ) -> dict[int, bytes]:
        """The data keys ``user``'s slot holds; counts a wrong password in ``lock`` (if any)."""
        slot = slots.password_slot(user)
        if slot is None:
            raise errors.UnknownUser(f"No user {user!r} in this workspace.")
        if lock is not None:
            lock.check(user)
        try:
            priv = keyslots.open_private(slots.workspace_id, slot, password)
        except errors.WrongPassword:
            count, delay = lock.failed(user) if lock is not None else (0, 0.0)
            msg = "Wrong password."
            if delay:
                msg += f" Too many failures: wait {int(delay)} seconds before the next try."
            raise errors.WrongPassword(msg, failures=count, delay_seconds=delay) from None
        return keyslots.unwrap(slots.workspace_id, slot, priv)

    @staticmethod
    def _recovery_keys(
        slots: SlotFile, recovery_key: str, lock: Lockout | None
    ) -> dict[int, bytes]:
        """The data keys the recovery slot holds; counts a wrong key in ``lock`` (if any)."""
        slot = slots.recovery_slot()
        if slot is None:
            raise errors.DamagedKeySlots("The key-slot file has no recovery slot.")
        if lock is not None:
            lock.check(RECOVERY_USER)
        try:
            priv = keyslots.open_private(slots.workspace_id, slot, recovery_key)
        except errors.InvalidRecoveryKey:
            raise
        except errors.WrongPassword:
            count, delay = lock.failed(RECOVERY_USER) if lock is not None else (0, 0.0)
            raise errors.WrongPassword(
                "The recovery key does not unlock this workspace.",
                failures=count,
                delay_seconds=delay,
            ) from None
        return keyslots.unwrap(slots.workspace_id, slot, priv)

    @staticmethod
    def _load_slots(folder: Path) -> SlotFile:
        if not folder.is_dir():
            raise errors.CorruptWorkspace(f"No workspace folder at {folder}.")
        if not (folder / SLOTS_NAME).exists() and not (folder / DB_NAME).exists():
            raise errors.CorruptWorkspace(f"{folder} does not hold a workspace.")
        return SlotFile.load(folder / SLOTS_NAME)

    @classmethod
    def _unlock(
        cls,
        folder: Path,
        slots: SlotFile,
        keys: dict[int, bytes],
        *,
        user: str | None,
        kdf: KdfParams | None,
        verify: bool | None,
    ) -> Workspace:
        conn, gen = None, 0
        last: errors.StoreError | None = None
        for g in sorted((g for g in keys if g != fc.FIELD_KEY_GEN), reverse=True):
            # newest generation first (see rotate_key); generation 0 is the field key
            try:
                conn, gen = db.connect(folder / DB_NAME, keys[g]), g
                break
            except errors.TamperedDatabase as exc:
                last = exc
        if conn is None:
            raise last or errors.TamperedDatabase("The database file does not open.")
        try:
            migrations.check_version(conn)
            size = (folder / DB_NAME).stat().st_size
            if verify or (verify is None and size <= VERIFY_ON_OPEN_BYTES):
                bad = [p for p in db.integrity_problems(conn) if p.startswith("cipher")]
                if bad:
                    raise errors.TamperedDatabase(
                        f"The database file was altered or damaged ({len(bad)} pages fail authentication)."
                    )
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            if meta.get("workspace_id") != slots.workspace_id:
                raise errors.DamagedKeySlots("The key-slot file belongs to another workspace.")
            if user is None:
                who = User(RECOVERY_USER, "admin")
            else:
                row = conn.execute(
                    "SELECT role FROM users WHERE name = ? AND removed_at IS NULL", (user,)
                ).fetchone()
                if row is None:
                    raise errors.UnknownUser(f"No user {user!r} in this workspace.")
                who = User(user, row[0])
            db.tune(conn)
            migrations.migrate(conn)
        except db.DB_ERRORS as exc:
            conn.close()
            raise db.translate(exc, "opening") from None
        except BaseException:
            conn.close()
            raise
        ws = cls(folder, conn, slots, keys, gen, who, kdf or KdfParams())
        if any(int(w["gen"]) not in (gen, fc.FIELD_KEY_GEN) for s in slots.slots for w in s.wraps):
            ws._finish_rotation()
        log.info("workspace opened")
        return ws

    # --- internals used by the repositories ----------------------------------------------------

    def _connection(self) -> sqlcipher3.Connection:
        if self._conn is None:
            raise errors.WorkspaceClosed("The workspace is closed.")
        return self._conn

    def _require_open(self) -> User:
        self._connection()
        return self.user

    def _keys(self) -> dict[int, bytes]:
        """The keys every slot wraps: the database key and (gm) the field key."""
        out = {self._key_gen: self._data_key}
        if self._field_key:
            out[fc.FIELD_KEY_GEN] = self._field_key
        return out

    @property
    def crypto_suite(self) -> str:
        """``intl`` or ``gm`` (see :mod:`desktop.store.field_cipher`)."""
        return self._cipher.suite

    def key_slot_suites(self) -> list[tuple[str, str | None, str]]:
        """(kind, user, suite) of every key slot."""
        return [(s.kind, s.user, s.suite) for s in self._slots.slots]

    def adopt_crypto_suite(self, suite: str, *, following_county: bool = False) -> bool:
        """Move the workspace to ``suite`` (only ``intl`` → ``gm``); True if it moved. An admin's
        choice, or (``following_county``) done by a syncing user after the county's suite."""
        from desktop.store import suite as suite_mod

        return suite_mod.adopt(self, suite, following_county=following_county)

    def _save_slots(self) -> None:
        try:
            self._slots.save(self.path / SLOTS_NAME)
        except OSError as exc:
            self._slots = SlotFile.load(self.path / SLOTS_NAME)
            raise db.translate(exc, "writing the key-slot file") from None

    def _changed(self, form_id: str | None, record_uuid: str | None) -> None:
        self._dirty = True
        event = ChangeEvent(form_id, record_uuid)
        for cb in list(self._subscribers):
            try:
                cb(event)
            except Exception:  # a subscriber's bug must not undo a committed save
                log.exception("change subscriber failed")

    def _store_form(self, form: Any, raw_text: str) -> None:
        require(self.user, "sync", "add form definitions")
        conn = self._connection()
        with db.transaction(conn, "storing a form definition"):
            conn.execute(
                "INSERT OR IGNORE INTO form_definitions (form_id, version, hash, raw, added_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (form.id, form.version, form.hash, raw_text, audit.now()),
            )
            self._audit.append(
                self.user.name, "form.add", form.id, {"version": form.version, "hash": form.hash}
            )

    # --- public API ---------------------------------------------------------------------------

    def subscribe(self, callback: Callable[[ChangeEvent], None]) -> Callable[[], None]:
        """Call ``callback(ChangeEvent)`` after each committed change; returns an unsubscribe."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback) if callback in self._subscribers else None

    @property
    def closed(self) -> bool:
        return self._conn is None

    def verify_audit_chain(self) -> VerifyResult:
        self._require_open()
        return self._audit.verify()

    def check(self) -> CheckReport:
        """Database page authentication and integrity, the audit chain, and the key slots."""
        return keys.check(self._managers)

    def new_recovery_key(self) -> str:
        """Replace the recovery slot; returns the new key (shown once). Admin only."""
        return keys.new_recovery_key(self._managers)

    def rotate_key(self) -> None:
        """Re-key the database with a fresh data key and re-wrap every remaining slot."""
        keys.rotate_key(self._managers)

    def _finish_rotation(self) -> None:
        keys.finish_rotation(self._managers)

    def backup(self, dest: str | Path) -> Path:
        """Write an encrypted backup file (see :mod:`desktop.store.backup`)."""
        from desktop.store import backup

        require(self.user, "backup", "make backups")
        return backup.make_backup(self, Path(dest))

    @classmethod
    def restore(
        cls,
        backup_file: str | Path,
        target: str | Path,
        *,
        user: str | None = None,
        password: str | None = None,
        recovery_key: str | None = None,
        kdf: KdfParams | None = None,
    ) -> Workspace:
        """Unpack a backup into the empty folder ``target`` and open it (password or recovery key)."""
        from desktop.store import backup

        return backup.restore_backup(
            cls,
            Path(backup_file),
            Path(target),
            user=user,
            password=password,
            recovery_key=recovery_key,
            kdf=kdf,
        )

    @property
    def backs_up_on_close(self) -> bool:
        """Whether :meth:`close` will write a rolling backup (changes made, setting
        ``backup.on_close`` on, and the user may make backups)."""
        if self._conn is None or not self._dirty or not self.user.can("backup"):
            return False
        return bool(self.settings.get("backup.on_close"))

    def close(self, *, backup: bool | None = None) -> None:
        """Close the database; makes a rolling backup first when there were changes (setting
        ``backup.on_close``, keeping ``backup.keep`` files in ``<workspace>/backups``)."""
        if self._conn is None:
            return
        try:
            want = self.backs_up_on_close if backup is None else backup
            if want and self.user.can("backup"):
                from desktop.store import backup as backup_mod

                try:
                    backup_mod.rolling_backup(self, int(self.settings.get("backup.keep") or 5))
                except errors.StoreError:
                    log.warning("automatic backup on close failed")
            with contextlib.suppress(*db.DB_ERRORS, errors.StoreError):
                self._conn.execute("PRAGMA optimize")
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            with contextlib.suppress(*db.DB_ERRORS, errors.StoreError):
                self._conn.close()
            self._conn = None
            self._data_key = b""
            self._field_key = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def remove_workspace_files(folder: Path) -> None:
    """Delete a workspace folder's database and slot files (used by tests and restore cleanup)."""
    for name in (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm", SLOTS_NAME):
        with contextlib.suppress(OSError):
            (folder / name).unlink()
    with contextlib.suppress(OSError):
        shutil.rmtree(folder / BACKUP_DIR)


class ManagerContext:
    """The workspace as its managers see it (:class:`desktop.store.context.KeyringContext`): the few
    members they use, under public names, delegating to the workspace's internals."""

    __slots__ = ("_ws",)

    def __init__(self, ws: Workspace) -> None:
        self._ws = ws

    @property
    def forms(self) -> FormCatalog:
        return self._ws.forms

    @property
    def org_unit(self) -> OrgUnit:
        return self._ws.org_unit

    @property
    def user(self) -> User:
        return self._ws.user

    @property
    def audit(self) -> AuditLog:
        return self._ws._audit

    @property
    def cipher(self) -> fc.FieldCipher:
        return self._ws._cipher

    @property
    def slots(self) -> SlotFile:
        return self._ws._slots

    @property
    def kdf(self) -> KdfParams:
        return self._ws._kdf

    def connection(self) -> sqlcipher3.Connection:
        return self._ws._connection()

    def require_open(self) -> User:
        return self._ws._require_open()

    def changed(self, form_id: str | None, record_uuid: str | None) -> None:
        self._ws._changed(form_id, record_uuid)

    def mark_changed(self) -> None:
        self._ws._dirty = True

    def keys(self) -> dict[int, bytes]:
        return self._ws._keys()

    def save_slots(self) -> None:
        self._ws._save_slots()

    @property
    def workspace_id(self) -> str:
        return str(self._ws.workspace_id)

    @property
    def path(self) -> Path:
        return self._ws.path

    @property
    def crypto_suite(self) -> str:
        return self._ws.crypto_suite

    @property
    def key_gen(self) -> int:
        return int(self._ws._key_gen)

    def user_names(self) -> set[str]:
        return {u.name for u in self._ws.users.list()}

    def rekeyed(self, gen: int, key: bytes) -> None:
        ws = self._ws
        ws._key_gen, ws._data_key = gen, key
        # a fresh connection: SQLCipher's page checks in the old one still use the old HMAC key
        ws._connection().close()
        ws._conn = None
        conn = db.connect(ws.path / DB_NAME, key)
        db.tune(conn)
        ws._bind(conn)
        ws._dirty = True
