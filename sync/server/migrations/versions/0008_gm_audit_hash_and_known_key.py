"""The audit log's hash per entry, and the server key each device knows (issue 16, gm suite).

- ``audit_log.hash_alg``: a ``gm`` server chains its audit log with SM3, an ``intl`` one with
  SHA-256. Each entry records the hash its ``entry_hash`` was made with; entries from before
  have none, which means SHA-256 (what every earlier release wrote), so their hashes keep
  verifying unchanged. A server moved from ``intl`` to ``gm`` continues the chain with SM3 from
  the move (``sync/server/domain/audit_log.py``).
- ``devices.server_key_id``: the id of the server signing key the device was last given (at
  enrollment, or by a ``server_keys`` inbox message it acknowledged): what the server signs its
  receipts and messages to it with after a move to another suite, until the device knows the
  new key (a county at a province that moved keeps its own suite, yet learns the new key).
  None for devices from before: the move fills in the key they knew.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("hash_alg", sa.String(length=8), nullable=True))
    with op.batch_alter_table("devices") as batch:
        batch.add_column(sa.Column("server_key_id", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("server_key_id")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("hash_alg")
