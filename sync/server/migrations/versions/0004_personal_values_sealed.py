"""Personal values sealed at rest, with their blind index (field encryption).

- ``sensitive_index`` (keyed digests of every sensitive value: equality lookups without the
  plaintext) is created and filled from the stored records;
- every stored record's sensitive values become value tokens (``records.content``), and the
  documents that may carry personal values are sealed whole: inbox messages, batch receipts,
  transfer offers, relay items, their errors, and province receipts (``domain/personal.py``).

The :class:`~sync.server.domain.personal.Sealer` comes from the caller
(``config.attributes["sealer"]``: ``uniondesk-server upgrade`` opens the keyring first). Values
already sealed are left alone, so a revision cut short and run again finishes the work.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from sync.server.sensitive import is_sealed_doc

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_CHUNK = 500
INDEX_COLUMNS = ("digest", "field", "record_uuid", "version", "form_id")


def _sealer() -> Any:
    sealer = context.config.attributes.get("sealer")
    if sealer is None:
        raise RuntimeError(
            "revision 0004 needs the server's keyring (run uniondesk-server upgrade)"
        )
    return sealer


def _chunks(conn: sa.Connection, query: sa.Select[Any], key: Any) -> Iterator[list[Any]]:
    """The rows of ``query`` a chunk at a time, in ``key`` order (a province's millions of
    records are never all in memory)."""
    last: Any = None
    while True:
        page = query.order_by(key).limit(_CHUNK)
        rows = list(conn.execute(page if last is None else page.where(key > last)))
        if not rows:
            return
        yield rows
        last = rows[-1]._mapping[key.name]


def _seal_column(
    table: str,
    key: str,
    column: str,
    ident: Callable[[Any], str],
    kind: str,
    binary: bool = False,
    extra: tuple[str, ...] = (),
) -> None:
    """Seal every plaintext value of ``table.column`` as a ``kind`` document."""
    conn = op.get_bind()
    t = sa.table(table, sa.column(key), sa.column(column), *(sa.column(c) for c in extra))
    query = sa.select(t).where(t.c[column].is_not(None))
    for rows in _chunks(conn, query, t.c[key]):
        sealer = _sealer()  # only asked for when there is something to seal
        updates = []
        for r in rows:
            value = r._mapping[column]
            plain = bytes(value) if binary else str(value).encode("utf-8")
            if is_sealed_doc(plain):
                continue
            sealed = sealer.seal_doc(kind, ident(r._mapping), plain)
            updates.append(
                {"k": r._mapping[key], "v": sealed.encode("ascii") if binary else sealed}
            )
        if updates:
            conn.execute(
                t.update().where(t.c[key] == sa.bindparam("k")).values({column: sa.bindparam("v")}),
                updates,
            )


def _seal_records() -> None:
    conn = op.get_bind()
    records = sa.table("records", sa.column("id"), sa.column("content"))
    index_table = sa.table("sensitive_index", *(sa.column(c) for c in INDEX_COLUMNS))
    for rows in _chunks(conn, sa.select(records.c.id, records.c.content), records.c.id):
        sealer = _sealer()
        updates: list[dict[str, Any]] = []
        index_rows: list[dict[str, Any]] = []
        for r in rows:
            record = sealer.open_record(json.loads(r.content))  # a half-done run: some sealed
            sealed, index = sealer.seal_for_storage(record)
            updates.append({"k": r.id, "v": sealed})
            index_rows.extend(dict(zip(INDEX_COLUMNS, row, strict=True)) for row in index)
        if updates:
            conn.execute(
                records.update()
                .where(records.c.id == sa.bindparam("k"))
                .values(content=sa.bindparam("v")),
                updates,
            )
        if index_rows:
            conn.execute(index_table.insert(), index_rows)


def upgrade() -> None:
    op.create_table(
        "sensitive_index",
        sa.Column("digest", sa.String(length=32), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("record_uuid", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("digest", "field", "record_uuid", "version"),
        sqlite_with_rowid=False,
    )
    _seal_records()
    _seal_column("inbox", "msg_seq", "message", lambda r: r["msg_id"], "inbox", True, ("msg_id",))
    _seal_column(
        "batches", "id", "receipt", lambda r: r["batch_id"], "receipt", True, ("batch_id",)
    )
    _seal_column("transfers", "transfer_id", "offer", lambda r: r["transfer_id"], "transfer_offer")
    relay_ident: Callable[[Any], str] = lambda r: f"{r['record_uuid']}|{r['version']}"  # noqa: E731
    cols = ("record_uuid", "version")
    _seal_column("relay_items", "seq", "item", relay_ident, "relay_item", extra=cols)
    _seal_column("relay_items", "seq", "errors", relay_ident, "relay_errors", extra=cols)
    _seal_column("relay_batches", "batch_id", "receipt", lambda r: r["batch_id"], "relay_receipt")


def downgrade() -> None:
    raise NotImplementedError(
        "sealed values are not written back in plaintext; restore the backup taken before upgrade"
    )
