"""Numbered schema migrations, recorded in the ``migrations`` table.

Each step is a function with a docstring, registered with :func:`step`. ``migrate`` runs the
missing steps in order; each step and the row recording it commit in one transaction, so a
failing step leaves the workspace exactly as it was. A database whose newest recorded step is
newer than this program knows raises :class:`errors.NewerWorkspaceVersion` before anything runs.

The bookkeeping (is there a ``migrations`` table, create it, record a step) goes through
sqlite-utils (:func:`desktop.store.db.wrap`), which works inside the step's open transaction
(savepoints, never a commit), and so does the steps' schema introspection (does a table exist,
which columns it has: ``table.exists()``, ``table.columns_dict``); the steps' own DDL and bulk
copies stay plain SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlcipher3

from desktop.store import db, errors

Step = Callable[[sqlcipher3.Connection], None]
MIGRATION_ACTOR = "*migration*"  # the actor of audit entries a schema step writes
STEPS: dict[int, Step] = {}


def step(number: int) -> Callable[[Step], Step]:
    """Register ``fn`` as migration ``number`` (numbers are never reused)."""

    def deco(fn: Step) -> Step:
        assert number not in STEPS, number
        assert fn.__doc__, "every migration step needs a docstring"
        STEPS[number] = fn
        return fn

    return deco


def latest() -> int:
    return max(STEPS)


def applied(conn: sqlcipher3.Connection) -> list[int]:
    """Numbers of the steps recorded in the database (empty for a new database)."""
    if not db.wrap(conn).table("migrations").exists():
        return []
    return [r[0] for r in conn.execute("SELECT id FROM migrations ORDER BY id")]


def check_version(conn: sqlcipher3.Connection) -> None:
    """Raise NewerWorkspaceVersion if the database has steps this program does not know."""
    done = applied(conn)
    unknown = [n for n in done if n not in STEPS]
    if unknown:
        raise errors.NewerWorkspaceVersion(
            f"This workspace was written by a newer UnionDesk (schema step {max(unknown)}; "
            f"this program knows up to {latest()}). Update UnionDesk to open it."
        )


def migrate(conn: sqlcipher3.Connection) -> list[int]:
    """Apply every missing step in order; returns the numbers applied."""
    check_version(conn)
    done = set(applied(conn))
    ran: list[int] = []
    todo = [n for n in sorted(STEPS) if n not in done]
    if not todo:
        return ran
    book = db.wrap(conn).table("migrations")
    for number in todo:
        fn = STEPS[number]
        with db.transaction(conn, f"schema migration {number}"):
            book.create(
                {"id": int, "name": str, "applied_at": str},
                pk="id",
                not_null={"name", "applied_at"},
                if_not_exists=True,
            )
            fn(conn)
            book.insert(
                {
                    "id": number,
                    "name": fn.__name__,
                    "applied_at": datetime.now(UTC).isoformat(timespec="seconds"),
                }
            )
        ran.append(number)
    return ran


def _script(conn: sqlcipher3.Connection, sql: str) -> None:
    """Run ``;``-separated DDL inside the current transaction (``executescript`` would commit)."""
    for statement in sql.split(";\n"):
        if statement.strip():
            conn.execute(statement)


@step(1)
def initial_schema(conn: sqlcipher3.Connection) -> None:
    """Workspace metadata, users, settings, records and their versions, search indexes,
    the audit chain, the outbox and sealed batches, synced form definitions."""
    _script(
        conn,
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE users (
            name TEXT PRIMARY KEY, role TEXT NOT NULL, created_at TEXT NOT NULL,
            created_by TEXT, removed_at TEXT
        );
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE records (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            form_id TEXT NOT NULL,
            form_version INTEGER NOT NULL,
            org_unit TEXT NOT NULL,
            data TEXT NOT NULL,
            status TEXT NOT NULL,
            version INTEGER NOT NULL,
            created_by TEXT NOT NULL, created_at TEXT NOT NULL,
            updated_by TEXT NOT NULL, updated_at TEXT NOT NULL,
            comment TEXT,
            locked INTEGER NOT NULL DEFAULT 0,
            sync_errors TEXT
        );
        CREATE INDEX records_form_status ON records (form_id, status);
        CREATE INDEX records_form_updated ON records (form_id, updated_at);
        CREATE TABLE record_versions (
            uuid TEXT NOT NULL, version INTEGER NOT NULL,
            form_id TEXT NOT NULL, form_version INTEGER NOT NULL, org_unit TEXT NOT NULL,
            data TEXT NOT NULL, status TEXT NOT NULL,
            created_by TEXT NOT NULL, created_at TEXT NOT NULL,
            updated_by TEXT NOT NULL, updated_at TEXT NOT NULL,
            comment TEXT, locked INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (uuid, version)
        ) WITHOUT ROWID;
        CREATE TABLE record_keys (
            rec INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
            form_id TEXT NOT NULL, field_id TEXT NOT NULL, value TEXT NOT NULL
        );
        CREATE INDEX record_keys_lookup ON record_keys (form_id, field_id, value);
        CREATE INDEX record_keys_rec ON record_keys (rec);
        CREATE VIRTUAL TABLE search_tri USING fts5 (
            text, tokenize = 'trigram', content = '', contentless_delete = 1
        );
        CREATE VIRTUAL TABLE search_gram USING fts5 (
            grams, tokenize = 'unicode61', content = '', contentless_delete = 1
        );
        CREATE TABLE audit_log (
            seq INTEGER PRIMARY KEY,
            at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT,
            detail TEXT NOT NULL, before_hash TEXT, after_hash TEXT,
            prev_hash TEXT NOT NULL, hash TEXT NOT NULL
        );
        CREATE TABLE outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            record_uuid TEXT NOT NULL, version INTEGER NOT NULL,
            form_id TEXT NOT NULL, form_version INTEGER NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending',
            batch_id TEXT, result TEXT, errors TEXT,
            UNIQUE (record_uuid, version)
        );
        CREATE INDEX outbox_state ON outbox (state, seq);
        CREATE INDEX outbox_batch ON outbox (batch_id);
        CREATE TABLE batches (
            batch_id TEXT PRIMARY KEY,
            device_seq INTEGER NOT NULL UNIQUE,
            envelope BLOB NOT NULL,
            item_seqs TEXT NOT NULL,
            sealed_at TEXT NOT NULL,
            receipt BLOB,
            acknowledged_at TEXT
        );
        CREATE TABLE form_definitions (
            form_id TEXT NOT NULL, version INTEGER NOT NULL, hash TEXT NOT NULL,
            raw TEXT NOT NULL, added_at TEXT NOT NULL,
            PRIMARY KEY (form_id, version)
        );
        """,
    )


@step(2)
def paging_indexes(conn: sqlcipher3.Connection) -> None:
    """Key rows become one B-tree without rowid, ordered (form, field, value, record), so
    ordered paging and prefix searches read only that tree; the status index also orders by
    the last update."""
    _script(
        conn,
        """
        CREATE TABLE record_keys_new (
            form_id TEXT NOT NULL, field_id TEXT NOT NULL, value TEXT NOT NULL,
            rec INTEGER NOT NULL,
            PRIMARY KEY (form_id, field_id, value, rec)
        ) WITHOUT ROWID;
        INSERT OR IGNORE INTO record_keys_new (form_id, field_id, value, rec)
            SELECT form_id, field_id, value, rec FROM record_keys;
        DROP TABLE record_keys;
        ALTER TABLE record_keys_new RENAME TO record_keys;
        DROP INDEX records_form_status;
        CREATE INDEX records_form_status ON records (form_id, status, updated_at);
        """,
    )


@step(3)
def search_tables_per_form(conn: sqlcipher3.Connection) -> None:
    """Full-text tables per form (a search needs no check of which form a hit belongs to):
    rebuild them from the records, then drop the shared ones."""
    import json

    from desktop.store import errors as store_errors
    from desktop.store import search
    from desktop.store.formdefs import FormCatalog

    catalog = FormCatalog(lambda: conn)
    pairs = conn.execute("SELECT DISTINCT form_id, form_version FROM records").fetchall()
    for form_id, version in pairs:
        try:
            spec = catalog.spec(catalog.get(form_id, version))
        except store_errors.UnknownForm:
            continue  # no definition here: those records stay findable by their keys only
        cur = conn.execute(
            "SELECT id, data FROM records WHERE form_id = ? AND form_version = ?",
            (form_id, version),
        )
        while batch := cur.fetchmany(5000):
            items = [(rid, form_id, json.loads(data)) for rid, data in batch]
            search.ensure_fts(conn, form_id)
            tri, gram = search.fts_names(form_id)
            rows = [(rid, t) for rid, _, d in items if (t := search.text_of(spec, d))]
            conn.executemany(f"INSERT INTO {tri} (rowid, text) VALUES (?, ?)", rows)
            conn.executemany(
                f"INSERT INTO {gram} (rowid, grams) VALUES (?, ?)",
                [(r, search.grams_of(t)) for r, t in rows],
            )
    _script(conn, "DROP TABLE search_tri;\nDROP TABLE search_gram;\n")


@step(4)
def member_tally(conn: sqlcipher3.Connection) -> None:
    """Member counts by union / female / migrant worker / new employment form / latest change,
    kept by triggers in the same transaction as each member record write, so the dashboard
    reads a few rows instead of every member (see :mod:`desktop.store.tally`)."""
    from desktop.store import tally

    for statement in tally.SCHEMA:
        conn.execute(statement)


@step(5)
def ledgers(conn: sqlcipher3.Connection) -> None:
    """Imported journals tied to a union and period, and the decisions on their doubts
    (see :mod:`desktop.store.ledgers`)."""
    from desktop.store import ledgers as _ledgers

    for statement in _ledgers.SCHEMA:
        conn.execute(statement)


@step(6)
def crypto_suite(conn: sqlcipher3.Connection) -> None:
    """The workspace's crypto suite in ``meta``: ``intl`` for every workspace made before
    suites (nothing in it changes); a ``gm`` workspace also keeps ``field_key_check``, which
    tells whether a key slot's field key is this workspace's (see
    :mod:`desktop.store.field_cipher`)."""
    if db.wrap(conn).table("meta").exists():
        conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('crypto_suite', 'intl')")


@step(7)
def member_facts(conn: sqlcipher3.Connection) -> None:
    """Per-member statistics facts (union, female, migrant worker, new employment form, join
    day, ID number valid and its keyed digest, required fields filled), one row per member
    record, filled here from the records there are and kept from then on in the same
    transaction as each member write, so the statistics tables need no pass over the records
    (see :mod:`desktop.store.facts`)."""
    import json
    import os

    from desktop.store import facts
    from desktop.store.formdefs import FormCatalog

    for statement in facts.MEMBER_FACTS_SCHEMA:
        conn.execute(statement)
    conn.execute(
        "INSERT OR IGNORE INTO settings (key, value) VALUES ('stat_facts.key', ?)",
        (json.dumps(os.urandom(32).hex()),),
    )
    facts.fill_members(conn, FormCatalog(lambda: conn).latest("member"))


@step(8)
def audit_hash_alg(conn: sqlcipher3.Connection) -> None:
    """The hash of each audit entry, ``audit_log.hash_alg``: SM3 on a gm workspace, SHA-256 on
    intl; none (every entry from before) is SHA-256, so those keep verifying unchanged (see
    :mod:`desktop.store.audit`). A workspace already on gm goes on with SM3 from an
    ``audit.hash_moved`` entry, the first one hashed with it."""
    from desktop.store import audit
    from sync import suites

    conn.execute("ALTER TABLE audit_log ADD COLUMN hash_alg TEXT")
    row = conn.execute("SELECT value FROM meta WHERE key = 'crypto_suite'").fetchone()
    has_entries = conn.execute("SELECT 1 FROM audit_log LIMIT 1").fetchone()
    if row and row[0] == suites.GM and has_entries:
        audit.AuditLog(conn).append(
            MIGRATION_ACTOR, "audit.hash_moved", None, {"from": audit.SHA256, "to": audit.SM3}
        )


@step(9)
def verdict_in_outbox_only(conn: sqlcipher3.Connection) -> None:
    """A server's verdict on a record version lives in its outbox row only (``result``,
    ``errors``; see :mod:`desktop.store.outbox`): error codes kept in ``records.sync_errors``
    that the outbox row does not have are moved there, then the column goes."""
    records = db.wrap(conn).table("records")
    if "sync_errors" not in records.columns_dict:
        return
    moved = conn.execute(
        "SELECT uuid, version, form_id, form_version, sync_errors FROM records"
        " WHERE sync_errors IS NOT NULL"
    ).fetchall()
    # a refused version always has its outbox row; one that lost it gets one back
    conn.executemany(
        "INSERT OR IGNORE INTO outbox (record_uuid, version, form_id, form_version, state,"
        " result, errors) VALUES (?, ?, ?, ?, 'rejected', 'rejected', ?)",
        moved,
    )
    conn.executemany(
        "UPDATE outbox SET state = 'rejected', result = 'rejected', errors = ?"
        " WHERE record_uuid = ? AND version = ? AND errors IS NULL",
        [(errs, ruuid, version) for ruuid, version, _, _, errs in moved],
    )
    conn.execute("ALTER TABLE records DROP COLUMN sync_errors")


@step(10)
def member_tally_per_batch(conn: sqlcipher3.Connection) -> None:
    """A bulk insert of member records is counted in ``member_tally`` once per batch instead
    of row by row: the insert trigger skips the id range a batch names in
    ``member_tally_deferred`` while it inserts (same counts, same transaction; see
    :mod:`desktop.store.tally`)."""
    from desktop.store import tally

    for statement in tally.DEFERRED_SCHEMA:
        conn.execute(statement)
