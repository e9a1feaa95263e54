"""The audit log's hash per entry (``audit_log.hash_alg``; issue 16, gm suite).

A ``gm`` server chains its audit log with SM3, an ``intl`` one with SHA-256. Each entry now
records the hash its ``entry_hash`` was made with; entries from before have none, which means
SHA-256 (what every earlier release wrote), so their hashes keep verifying unchanged. A server
moved from ``intl`` to ``gm`` continues the chain with SM3 from the move
(``sync/server/domain/audit_log.py``).

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


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("hash_alg")
