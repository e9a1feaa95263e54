"""Opening the SQLCipher database with a raw key, the pragmas, transactions, error translation.

The only place that calls ``sqlcipher3.connect``. The connection runs in autocommit mode; every
change goes through :func:`transaction` (``BEGIN IMMEDIATE`` … ``COMMIT``), so a record, its audit
entry and its outbox row commit together or not at all. SQLite errors are translated into
:mod:`desktop.store.errors` with messages that never quote data.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlcipher3
import sqlite_utils

from desktop.store import errors

log = logging.getLogger(__name__)

CACHE_KIB = 65536  # 64 MiB page cache: the hot pages of 200k members
BULK_CACHE_KIB = 262144  # 256 MiB while a large import runs (index pages stay decrypted)
BULK_ROWS = 5000
BULK_CHECKPOINT_PAGES = 16384  # 64 MiB of WAL between checkpoints while importing
BUSY_TIMEOUT_MS = 10000


def key_pragma_value(data_key: bytes) -> str:
    """The raw-key literal SQLCipher expects: ``x'<64 hex digits>'``."""
    return f"\"x'{data_key.hex()}'\""


def translate(exc: BaseException, what: str) -> errors.StoreError:
    """A store error for a database exception raised while doing ``what``."""
    text = str(exc).lower()
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return errors.DiskFull(
            f"The disk is full: {what} was not saved. Free some space and retry."
        )
    if "full" in text:
        return errors.DiskFull(
            f"The disk is full: {what} was not saved. Free some space and retry."
        )
    if "not a database" in text or "malformed" in text or "hmac" in text or "corrupt" in text:
        return errors.TamperedDatabase(
            f"The database file is damaged or was altered (failed authentication during {what})."
        )
    if (
        "database is locked" in text
        or "database is busy" in text
        or "database table is locked" in text
    ):
        return errors.DatabaseBusy(
            f"The database is busy (another window or program is writing): {what} was not "
            "saved. Try again."
        )
    if "disk i/o" in text or "unable to open" in text or "readonly" in text:
        return errors.StorageError(f"The operating system reported a storage error during {what}.")
    return errors.StoreError(f"Database error during {what}: {type(exc).__name__}.")


DB_ERRORS = (sqlcipher3.Error, sqlite3.Error, OSError)


class StoreConnection(sqlcipher3.Connection):  # type: ignore[misc]  # no stubs: Any
    """A connection whose ``execute``/``executemany`` raise store errors (tampering, full disk)
    instead of raw SQLite exceptions, wherever in the store they happen. ``write_lock``
    serialises transactions when the UI saves from a worker thread while it reads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.write_lock = threading.RLock()

    def execute(self, sql: str, parameters: Any = (), /) -> sqlcipher3.Cursor:
        try:
            return super().execute(sql, parameters)
        except DB_ERRORS as exc:
            raise translate(exc, _what(sql)) from None

    def executemany(self, sql: str, seq: Any, /) -> sqlcipher3.Cursor:
        try:
            return super().executemany(sql, seq)
        except DB_ERRORS as exc:
            raise translate(exc, _what(sql)) from None


def _what(sql: str) -> str:
    verb = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "SQL"
    return "a save" if verb in ("INSERT", "UPDATE", "DELETE", "COMMIT") else "reading the database"


def _open(path: Path) -> sqlcipher3.Connection:
    return sqlcipher3.connect(
        str(path), isolation_level=None, check_same_thread=False, factory=StoreConnection
    )


def connect(path: Path, data_key: bytes) -> sqlcipher3.Connection:
    """Open ``path`` with the raw key and confirm the key by reading the schema.

    Raises :class:`errors.TamperedDatabase` when the file does not authenticate under the key.
    Does not modify the file (no pragma that writes is issued before the key is confirmed).
    """
    if not path.exists():
        raise errors.CorruptWorkspace(f"The database file {path.name} is missing.")
    conn = _open(path)
    try:
        conn.execute(f"PRAGMA key = {key_pragma_value(data_key)}")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except errors.StoreError as exc:
        conn.close()
        if isinstance(exc, errors.TamperedDatabase):
            raise errors.TamperedDatabase(
                "The database file is damaged or was altered (it does not open with its key)."
            ) from None
        raise
    return conn


def tune(conn: sqlcipher3.Connection) -> None:
    """Pragmas for a workspace connection (after the key is confirmed): WAL, cache, durability."""
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    conn.execute("PRAGMA foreign_keys = ON")


def create(path: Path, data_key: bytes) -> sqlcipher3.Connection:
    """Create a new, empty encrypted database file."""
    conn = _open(path)
    conn.execute(f"PRAGMA key = {key_pragma_value(data_key)}")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA cipher_page_size = 4096")
    return conn


def wrap(conn: sqlcipher3.Connection) -> sqlite_utils.Database:
    """The sqlite-utils view of a connection (introspection and queries)."""
    return sqlite_utils.Database(conn)


@contextlib.contextmanager
def transaction(conn: sqlcipher3.Connection, what: str) -> Iterator[sqlcipher3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``; rolls back and raises a store error on any failure."""
    lock = getattr(conn, "write_lock", None) or contextlib.nullcontext()
    with lock:
        yield from _transaction(conn, what)


def _transaction(conn: sqlcipher3.Connection, what: str) -> Iterator[sqlcipher3.Connection]:
    try:
        conn.execute("BEGIN IMMEDIATE")
    except DB_ERRORS as exc:
        raise translate(exc, what) from None
    except errors.StoreError as exc:
        raise retell(exc, what) from None
    try:
        yield conn
    except BaseException as exc:
        with contextlib.suppress(*DB_ERRORS, errors.StoreError):
            conn.execute("ROLLBACK")
        if isinstance(exc, DB_ERRORS):
            raise translate(exc, what) from None
        if isinstance(exc, errors.DiskFull | errors.StorageError):
            raise retell(exc, what) from None
        raise
    try:
        conn.execute("COMMIT")
    except (*DB_ERRORS, errors.StoreError) as exc:
        with contextlib.suppress(*DB_ERRORS, errors.StoreError):
            conn.execute("ROLLBACK")
        if isinstance(exc, errors.StoreError):
            raise retell(exc, what) from None
        raise translate(exc, what) from None


def retell(exc: errors.StoreError, what: str) -> errors.StoreError:
    """The same kind of error, its message naming ``what`` was being done."""
    if isinstance(exc, errors.DiskFull):
        return errors.DiskFull(
            f"The disk is full: {what} was not saved. Free some space and retry."
        )
    if isinstance(exc, errors.StorageError):
        return errors.StorageError(f"The operating system reported a storage error during {what}.")
    return exc


@contextlib.contextmanager
def bulk_cache(conn: sqlcipher3.Connection, rows: int) -> Iterator[None]:
    """A bigger page cache for the duration of a large import."""
    if rows < BULK_ROWS:
        yield
        return
    conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    conn.execute(f"PRAGMA wal_autocheckpoint = {BULK_CHECKPOINT_PAGES}")
    try:
        yield
    finally:
        with contextlib.suppress(*DB_ERRORS, errors.StoreError):
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            conn.execute("PRAGMA wal_autocheckpoint = 1000")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA shrink_memory")


def integrity_problems(conn: sqlcipher3.Connection) -> list[str]:
    """SQLCipher page authentication and SQLite integrity: descriptions of problems found."""
    problems: list[str] = []
    try:
        for (row,) in conn.execute("PRAGMA cipher_integrity_check"):
            problems.append(f"cipher: {row}")
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if rows != ["ok"]:
            problems.extend(f"integrity: {r}" for r in rows[:20])
    except DB_ERRORS as exc:
        problems.append(str(translate(exc, "the integrity check")))
    except errors.StoreError as exc:
        problems.append(str(exc))
    return problems
