"""Indexes for the queries every request and every relay run makes; the old schema marker goes.

- ``relay_items (state, seq)``: the relay run reads pending items in order, and ``/v1/health``,
  ``/metrics`` and ``relay --status`` count items per state at each call; without it each is a
  scan of the whole queue, which only grows (delivered items stay for provenance).
- ``used_nonces (used_at)``: every signed request deletes the nonces that expired.
- ``meta.schema = "1"`` (the release before migrations) is replaced by ``alembic_version``.

Both indexes are built inside the revision's transaction (PostgreSQL: transactional DDL; a
county's tables are small enough that the short write lock does not matter).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))


def upgrade() -> None:
    op.create_index("ix_relay_items_state_seq", "relay_items", ["state", "seq"], unique=False)
    op.create_index("ix_used_nonces_used_at", "used_nonces", ["used_at"], unique=False)
    op.execute(meta.delete().where(meta.c.key == "schema"))


def downgrade() -> None:
    op.drop_index("ix_used_nonces_used_at", table_name="used_nonces")
    op.drop_index("ix_relay_items_state_seq", table_name="relay_items")
    op.execute(meta.insert().values(key="schema", value="1"))
