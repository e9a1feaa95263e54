"""The server's audit log: an append-only, hash-chained table of administrative and review actions.

- ``audit_log``: one row per action (enrollment codes, devices, review decisions, forms, org
  units, upgrades) with its time, actor, action, target and non-personal detail; each row's
  ``entry_hash`` covers the previous row's (``sync/server/domain/audit_log.py``). The chain's
  head is kept in ``meta`` (``audit_log_head``) by the first append, so nothing is written here.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )


def downgrade() -> None:
    op.drop_table("audit_log")
    op.execute(sa.text("DELETE FROM meta WHERE key = 'audit_log_head'"))
