"""Relay items built when they are relayed, not sealed when a record is accepted (issue 20).

``relay_items.item`` becomes nullable. A record accepted from now on is queued as its
``(record_uuid, version)`` alone: the relay builds the item from the stored (sealed at rest)
record version, its township batch and the signed acceptance stored with the review — the same
bytes the accept used to seal, since a stored version never changes. Items queued before this
revision keep their sealed ``item`` and are relayed from it as before; nothing is rewritten.

Downgrade: every queued row without an item gets it sealed as the accept before this revision made it
(needs the keyring: ``config.attributes["sealer"]``), then the column is NOT NULL again.

Revision ID: 0013
Revises: 0012 (issue 20)
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from sync.protocol import canonical_json

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_CHUNK = 500


def upgrade() -> None:
    with op.batch_alter_table("relay_items") as batch:
        batch.alter_column("item", existing_type=sa.Text(), nullable=True)


def _seal_missing_items() -> None:
    conn = op.get_bind()
    items = sa.table(
        "relay_items",
        sa.column("seq"),
        sa.column("record_uuid"),
        sa.column("version"),
        sa.column("item"),
    )
    records = sa.table(
        "records",
        sa.column("record_uuid"),
        sa.column("version"),
        sa.column("content"),
        sa.column("batch_id"),
    )
    reviews = sa.table(
        "reviews", sa.column("record_uuid"), sa.column("version"), sa.column("acceptance")
    )
    query = (
        sa.select(
            items.c.seq,
            items.c.record_uuid,
            items.c.version,
            records.c.content,
            records.c.batch_id,
            reviews.c.acceptance,
        )
        .join(
            records,
            sa.and_(
                records.c.record_uuid == items.c.record_uuid, records.c.version == items.c.version
            ),
        )
        .join(
            reviews,
            sa.and_(
                reviews.c.record_uuid == items.c.record_uuid, reviews.c.version == items.c.version
            ),
        )
        .where(items.c.item.is_(None))
        .order_by(items.c.seq)
        .limit(_CHUNK)
    )
    while rows := list(conn.execute(query)):
        sealer: Any = context.config.attributes.get("sealer")
        if sealer is None:
            raise RuntimeError("downgrading revision 0013 needs the server's keyring")
        updates = []
        for r in rows:
            item = {
                "type": "relayed_record",
                "record": sealer.open_content(r.content),
                "township_batch_id": r.batch_id,
                "acceptance": json.loads(r.acceptance),
            }
            ident = f"{r.record_uuid}|{r.version}"
            updates.append(
                {"k": r.seq, "v": sealer.seal_doc("relay_item", ident, canonical_json(item))}
            )
        conn.execute(
            items.update().where(items.c.seq == sa.bindparam("k")).values(item=sa.bindparam("v")),
            updates,
        )


def downgrade() -> None:
    _seal_missing_items()
    with op.batch_alter_table("relay_items") as batch:
        batch.alter_column("item", existing_type=sa.Text(), nullable=False)
