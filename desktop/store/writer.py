"""Writing records in batches: record rows, search-index rows, audit-chain entries and outbox
rows, each table with one ``executemany`` (called inside a transaction). ``records`` holds the
current version; an update first copies the superseded one into ``record_versions``.

New records get time-ordered UUIDs (version 7), so bulk inserts append to the B-trees instead
of touching random pages all over a 200k-member database.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlcipher3

from desktop.store import audit, facts, search, tally
from desktop.store.field_cipher import PLAIN, FieldCipher
from desktop.store.formdefs import FormCatalog, StorageSpec

if TYPE_CHECKING:
    from desktop.store.records import Record

INSERT_RECORD = (
    "INSERT INTO records (id, uuid, form_id, form_version, org_unit, data, status, version,"
    " created_by, created_at, updated_by, updated_at, comment, locked)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
UPDATE_RECORD = (
    "UPDATE records SET form_version = ?, data = ?, status = ?, version = ?, updated_by = ?,"
    " updated_at = ?, comment = ?, locked = ? WHERE id = ?"
)
KEEP_OLD_VERSION = (
    "INSERT INTO record_versions (uuid, version, form_id, form_version, org_unit, data, status,"
    " created_by, created_at, updated_by, updated_at, comment, locked)"
    " SELECT uuid, version, form_id, form_version, org_unit, data, status, created_by,"
    " created_at, updated_by, updated_at, comment, locked FROM records WHERE id = ?"
)


def _insert_records(conn: sqlcipher3.Connection, inserts: list[tuple[Any, ...]]) -> None:
    """Insert record rows; a large batch of members is counted in ``member_tally`` per batch
    (its id range deferred, :mod:`desktop.store.tally`), not by the trigger row by row."""
    ids = [row[0] for row in inserts]
    lo, hi = min(ids), max(ids)
    members = sum(1 for row in inserts if row[2] == "member")
    if members < tally.BULK_ROWS or hi - lo + 1 != len(ids) or not tally.has_deferral(conn):
        conn.executemany(INSERT_RECORD, inserts)
        return
    tally.defer(conn, lo, hi)
    conn.executemany(INSERT_RECORD, inserts)
    tally.count_range(conn, lo, hi)


def uuid7() -> str:
    """A version-7 UUID: 48-bit Unix milliseconds, then random bits (RFC 9562)."""
    return uuid7_many(1)[0]


def uuid7_many(n: int) -> list[str]:
    """``n`` version-7 UUIDs of this millisecond (one clock read, one read of random bytes)."""
    stamp = (time.time_ns() // 1_000_000).to_bytes(6, "big")
    rand = os.urandom(10 * n)
    out = []
    for k in range(0, 10 * n, 10):
        b = bytearray(stamp + rand[k : k + 10])
        b[6] = 0x70 | (b[6] & 0x0F)
        b[8] = 0x80 | (b[8] & 0x3F)
        h = b.hex()
        out.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return out


def data_text(data: dict[str, Any]) -> str:
    """The stored JSON of a record's data (canonical: sorted keys, compact)."""
    return audit.canonical_text(data)


def record_hash(rec: Record, text: str | None = None) -> str:
    """SHA-256 over the record's metadata and its canonical data (what the audit chain keeps)."""
    body = "\x1f".join(
        (
            rec.uuid,
            rec.form_id,
            str(rec.form_version),
            str(rec.version),
            rec.org_unit,
            rec.status,
            rec.created_by,
            rec.created_at,
            rec.updated_by,
            rec.updated_at,
            "1" if rec.locked else "0",
            text if text is not None else data_text(rec.data),
        )
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass
class Write:
    """One record change to write."""

    rec: Record
    rec_id: int | None
    before: Record | None
    action: str
    enqueue: bool
    detail: dict[str, Any] | None = None
    #: ``data_text(rec.data)`` when the caller already has it (a sealed row's validated text)
    text: str | None = None


def write_all(
    conn: sqlcipher3.Connection,
    log: audit.AuditLog,
    actor: str,
    spec: StorageSpec,
    writes: list[Write],
    catalog: FormCatalog | None = None,
    cipher: FieldCipher = PLAIN,
) -> None:
    """Write every change in ``writes`` (in order) inside the caller's transaction, with the
    kept statistics facts of the member records among them (``catalog``: the workspace's forms,
    for the member form the facts are judged by).

    ``cipher`` seals the sensitive fields of what is stored (a ``gm`` workspace); the audit
    chain and the kept facts take the plain data either way."""
    if not writes:
        return
    texts = [w.text if w.text is not None else data_text(w.rec.data) for w in writes]
    stored = (
        [data_text(cipher.seal_data(w.rec.uuid, spec.sensitive, w.rec.data)) for w in writes]
        if cipher.sealing and spec.sensitive
        else texts
    )
    new = [w for w in writes if w.rec_id is None]
    if new:
        start = int(conn.execute("SELECT coalesce(max(id), 0) FROM records").fetchone()[0]) + 1
        for n, w in enumerate(new):
            w.rec_id = start + n
    inserts, updates = [], []
    for w, text in zip(writes, stored, strict=True):
        r = w.rec
        if w.before is None:
            inserts.append(
                (
                    w.rec_id,
                    r.uuid,
                    r.form_id,
                    r.form_version,
                    r.org_unit,
                    text,
                    r.status,
                    r.version,
                    r.created_by,
                    r.created_at,
                    r.updated_by,
                    r.updated_at,
                    r.comment,
                    int(r.locked),
                )
            )
        else:
            updates.append(
                (
                    r.form_version,
                    text,
                    r.status,
                    r.version,
                    r.updated_by,
                    r.updated_at,
                    r.comment,
                    int(r.locked),
                    w.rec_id,
                )
            )
    if inserts:
        _insert_records(conn, inserts)
    if updates:
        # the superseded version moves to record_versions; records holds the current one
        conn.executemany(KEEP_OLD_VERSION, [(u[-1],) for u in updates])
        search.unindex_many(
            conn,
            spec,
            [
                (int(w.rec_id or 0), w.before.form_id, w.before.data)
                for w in writes
                if w.before is not None
            ],
            cipher,
        )
        conn.executemany(UPDATE_RECORD, updates)
    search.index_many(
        conn, spec, [(int(w.rec_id or 0), w.rec.form_id, w.rec.data) for w in writes], cipher
    )
    members = [(int(w.rec_id or 0), w.rec.data) for w in writes if w.rec.form_id == "member"]
    if members:
        forms = catalog if catalog is not None else FormCatalog(lambda: conn)
        facts.keep_members(conn, forms.latest("member"), members, cipher.suite)
    prev = log.head()
    rows = []
    details: dict[Any, str] = {}  # a bulk import's entries share one detail: canonicalise it once
    for w, text in zip(writes, texts, strict=True):
        r = w.rec
        detail = {
            "form_id": r.form_id,
            "version": r.version,
            "status": r.status,
            **(w.detail or {}),
        }
        try:
            key: Any = tuple(sorted(detail.items()))
            detail_text = details.get(key)
            if detail_text is None:
                detail_text = details[key] = audit.detail_json(detail)
        except TypeError:  # an unhashable detail value
            detail_text = audit.detail_json(detail)
        row, prev = log.entry_row(
            prev,
            actor,
            w.action,
            r.uuid,
            detail,
            record_hash(w.before) if w.before else None,
            record_hash(r, text),
            at=r.updated_at,
            detail_text=detail_text,
        )
        rows.append(row)
    log.insert_rows(rows)
    queued = [
        (w.rec.uuid, w.rec.version, w.rec.form_id, w.rec.form_version) for w in writes if w.enqueue
    ]
    if queued:
        conn.executemany(
            "INSERT INTO outbox (record_uuid, version, form_id, form_version) VALUES (?, ?, ?, ?)",
            queued,
        )
