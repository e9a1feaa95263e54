"""The server's database: SQLAlchemy Core tables and small queries (SQLite or PostgreSQL).

Deduplication is done by constraints, not by code alone: ``batches.batch_id`` unique,
``batches (device_id, device_seq)`` unique, ``records (record_uuid, version)`` unique, and a
device's ``last_seq`` only moves forward through a conditional UPDATE. Times are server clock:
ISO 8601 UTC strings for display, epoch seconds where compared.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    Table,
    create_engine,
    event,
    func,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine, Row, make_url
from sqlalchemy.exc import IntegrityError

from sync.server import migrate
from sync.server.tables import (
    batches,
    devices,
    org_units,
    records,
    used_nonces,
)

COPY_MIN_ROWS = 50  # below this a multi-row INSERT is as quick as COPY's round trips


def _sqlite_many(
    conn: Connection,
    table: Table,
    names: list[str],
    fills: Mapping[str, Any],
    rows: Sequence[Mapping[str, Any]],
) -> None:
    """SQLite: one prepared INSERT run by the driver's ``executemany`` over plain tuples (what
    ``conn.execute(table.insert(), rows)`` does, without SQLAlchemy building a parameter dict
    per row). Only when no column needs a bind conversion (the types the tables use here:
    text, integer, blob); else the SQLAlchemy path, so values are stored exactly the same."""
    dialect = conn.dialect
    if any(
        table.c[n].type.bind_processor(dialect) is not None
        or table.c[n].type.__class__.__name__ not in _PLAIN_TYPES
        for n in names
    ):
        conn.execute(table.insert(), list(rows))
        return
    marks = ", ".join("?" for _ in names)
    quoted = ", ".join(dialect.identifier_preparer.quote(n) for n in names)
    sql = f"INSERT INTO {dialect.identifier_preparer.quote(table.name)} ({quoted}) VALUES ({marks})"
    full = itemgetter(*names) if len(names) > 1 else None
    params = [
        full(row) if full is not None and len(row) == len(names)
        else tuple(row.get(n, fills[n]) for n in names)
        for row in rows
    ]  # fmt: skip
    conn.exec_driver_sql(sql, params)


def add_to_counts(
    conn: Connection,
    table: Table,
    key: Sequence[str],
    summed: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
) -> None:
    """Add each row's ``summed`` columns to the row of ``table`` with the same ``key`` columns
    (inserted when there is none), in the caller's transaction: one ``INSERT … ON CONFLICT …
    DO UPDATE SET c = c + excluded.c`` (SQLite and PostgreSQL), the rows in key order so two
    writers of the same keys wait for each other instead of deadlocking."""
    if not rows:
        return
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(key), set_={c: table.c[c] + stmt.excluded[c] for c in summed}
    )
    conn.execute(stmt, sorted(rows, key=lambda r: tuple(r[k] for k in key)))


_PLAIN_TYPES = frozenset({"String", "Text", "Integer", "BigInteger", "SmallInteger",
                          "LargeBinary", "Unicode", "UnicodeText"})  # fmt: skip


def bulk_insert(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` into ``table`` in the caller's transaction: PostgreSQL ``COPY … FROM
    STDIN`` for a set of rows (one stream, no statement per row), else the driver's
    executemany. A column a row leaves out gets the column's scalar default, as an INSERT
    would; a unique or foreign-key violation raises SQLAlchemy's ``IntegrityError`` either way
    (``ingest`` tells a concurrent copy of a batch by it)."""
    if not rows:
        return
    if len(rows) < COPY_MIN_ROWS:
        conn.execute(table.insert(), list(rows))
        return
    first = rows[0].keys()
    if all(row.keys() == first for row in rows):  # the usual set: the same columns in each
        names = list(first)
    else:
        names = list(dict.fromkeys(name for row in rows for name in row))
    fills: dict[str, Any] = {}
    for name in names:
        default = table.c[name].default
        fills[name] = (
            getattr(default, "arg", None) if default is not None and default.is_scalar else None
        )
    if conn.dialect.name != "postgresql":
        _sqlite_many(conn, table, names, fills, rows)
        return
    import psycopg  # the PostgreSQL driver (only here: a county on SQLite does not need it)

    raw: Any = conn.connection.dbapi_connection
    sql = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
    full = itemgetter(*names) if len(names) > 1 else None
    try:
        with raw.cursor() as cur, cur.copy(sql) as copy:
            for row in rows:
                if full is not None and len(row) == len(names):  # every column: no defaults
                    copy.write_row(full(row))
                else:
                    copy.write_row(tuple(row.get(n, fills[n]) for n in names))
    except psycopg.errors.IntegrityError as exc:
        raise IntegrityError(sql, None, exc) from exc


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Store:
    """The database of one server. ``write()`` is the one way to change it."""

    def __init__(self, url: str, require_current: bool = True) -> None:
        """Open the database at ``url``. An empty one gets the newest schema; one at another
        schema revision raises :class:`sync.server.migrate.SchemaMismatch` unless
        ``require_current`` is false (``uniondesk-server upgrade`` opens it so)."""
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
            _create_private_sqlite_file(url)
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        # SQLite has one writer; serialising writers in-process avoids lock-upgrade deadlocks.
        self._lock = threading.Lock() if self.is_sqlite else None
        if require_current:
            try:
                migrate.open_schema(self.engine)
            except migrate.SchemaMismatch:
                self.engine.dispose()
                raise

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with (
            self._lock or nullcontext(),
            self.engine.connect().execution_options(immediate=True) as conn,
            conn.begin(),
        ):
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    # ------------------------------------------------------------------ org units

    def add_org_unit(self, code: str, name: str, parent: str | None, kind: str) -> bool:
        """Add or change an org unit; True when it is new."""
        with self.write() as conn:
            return upsert_org_unit(conn, code, name, parent, kind)

    def org_unit(self, code: str) -> Row[Any] | None:
        with self.read() as conn:
            return conn.execute(select(org_units).where(org_units.c.code == code)).first()

    def all_org_units(self) -> list[Row[Any]]:
        with self.read() as conn:
            return list(conn.execute(select(org_units).order_by(org_units.c.code)))

    def org_unit_view(self, code: str) -> list[Row[Any]]:
        """Ancestors of ``code``, itself and its whole subtree (what a device may know)."""
        units = {u.code: u for u in self.all_org_units()}
        out: list[Row[Any]] = []
        cur = units.get(code)
        seen: set[str] = set()
        while cur is not None and cur.code not in seen:
            seen.add(cur.code)
            out.append(cur)
            cur = units.get(cur.parent) if cur.parent else None
        out.reverse()
        frontier = [code]
        while frontier:
            parent = frontier.pop()
            for unit in units.values():
                if unit.parent == parent and unit.code not in seen:
                    seen.add(unit.code)
                    out.append(unit)
                    frontier.append(unit.code)
        return out

    def subtree_codes(self, code: str) -> set[str]:
        """``code`` and every org unit below it."""
        children: dict[str | None, list[str]] = {}
        for unit in self.all_org_units():
            children.setdefault(unit.parent, []).append(unit.code)
        out, frontier = {code}, [code]
        while frontier:
            for child in children.get(frontier.pop(), []):
                if child not in out:
                    out.add(child)
                    frontier.append(child)
        return out

    def is_within(self, code: str, ancestor: str) -> bool:
        """True when org unit ``code`` is ``ancestor`` or lies below it in the tree."""
        if code == ancestor:
            return True
        units = {u.code: u.parent for u in self.all_org_units()}
        seen: set[str] = set()
        cur = units.get(code)
        while cur and cur not in seen:
            if cur == ancestor:
                return True
            seen.add(cur)
            cur = units.get(cur)
        return False

    # ------------------------------------------------------------------ devices

    def device(self, device_id: str) -> Row[Any] | None:
        with self.read() as conn:
            return conn.execute(select(devices).where(devices.c.device_id == device_id)).first()

    def device_public_keys(self, device: Row[Any]) -> list[bytes]:
        """The device's current public key, then those it was re-keyed from, newest first
        (``domain/rekey.py``): what it signed with any of them stays verifiable."""
        from sync.server.tables import device_keys

        with self.read() as conn:
            rows = conn.execute(
                select(device_keys.c.public_key)
                .where(device_keys.c.device_id == device.device_id)
                .order_by(device_keys.c.seq.desc())
            ).all()
        return [bytes(device.public_key), *(bytes(r.public_key) for r in rows)]

    def list_devices(self) -> list[Row[Any]]:
        with self.read() as conn:
            return list(conn.execute(select(devices).order_by(devices.c.enrolled_at)))

    def revoke_device(self, device_id: str) -> bool:
        with self.write() as conn:
            return revoke_device(conn, device_id)

    # ------------------------------------------------------------------ batches and records

    def batch(self, batch_id: str) -> Row[Any] | None:
        with self.read() as conn:
            return conn.execute(select(batches).where(batches.c.batch_id == batch_id)).first()

    def list_batches(self, device_id: str | None = None, limit: int = 100) -> list[Row[Any]]:
        query = (
            select(
                batches.c.batch_id,
                batches.c.device_id,
                batches.c.device_seq,
                batches.c.record_count,
                batches.c.received_count,
                batches.c.rejected_count,
                batches.c.received_at,
            )
            .order_by(batches.c.id.desc())
            .limit(limit)
        )
        if device_id:
            query = query.where(batches.c.device_id == device_id)
        with self.read() as conn:
            return list(conn.execute(query))

    def count(self, table: Table) -> int:
        with self.read() as conn:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())

    def record_rows(self, record_uuid: str | None = None) -> list[Row[Any]]:
        query = select(records).order_by(records.c.id)
        if record_uuid:
            query = query.where(records.c.record_uuid == record_uuid)
        with self.read() as conn:
            return list(conn.execute(query))

    # ------------------------------------------------------------------ nonces

    def use_nonce(self, nonce: str, ttl_seconds: float) -> bool:
        """Mark a nonce used; False when it was used before. Prunes expired entries."""
        now = time.time()
        try:
            with self.write() as conn:
                conn.execute(
                    used_nonces.delete().where(used_nonces.c.used_at < now - 2 * ttl_seconds)
                )
                conn.execute(used_nonces.insert().values(nonce=nonce, used_at=now))
        except IntegrityError:  # primary key: the nonce was used before
            return False
        return True


def upsert_org_unit(conn: Connection, code: str, name: str, parent: str | None, kind: str) -> bool:
    """Add or change an org unit inside the caller's transaction; True when it is new."""
    existing = conn.execute(select(org_units).where(org_units.c.code == code)).first()
    if existing is None:
        conn.execute(
            org_units.insert().values(
                code=code, name=name, parent=parent, kind=kind, created_at=now_iso()
            )
        )
        return True
    conn.execute(
        update(org_units)
        .where(org_units.c.code == code)
        .values(name=name, parent=parent, kind=kind)
    )
    return False


def revoke_device(conn: Connection, device_id: str) -> bool:
    """Revoke a device inside the caller's transaction; False when it was revoked before."""
    result = conn.execute(
        update(devices)
        .where(devices.c.device_id == device_id, devices.c.revoked_at.is_(None))
        .values(revoked_at=now_iso())
    )
    return result.rowcount == 1


def _create_private_sqlite_file(url: str) -> None:
    """Create a new SQLite file 0600 (SQLite gives its WAL and SHM files the same mode)."""
    path = make_url(url).database
    if path and path != ":memory:" and not os.path.exists(path):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _sqlite_begin)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    """Writers take the write lock up front (BEGIN IMMEDIATE): a deferred transaction that
    read first could fail at once with SQLITE_BUSY when another process wrote meanwhile."""
    if conn.get_execution_options().get("immediate"):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")
