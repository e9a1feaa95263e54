"""The inbox kinds each device applies (issue 20, review throughput).

- ``devices.inbox_kinds``: what the device declared, with ``GET /v1/inbox?kinds=…``, the last
  time it read its inbox (space separated). A county sends a kind that older townships do not
  know (``review_decisions``: all of a review request's decisions for one township in one
  signed message) only to a device that declared it; the others keep getting one
  ``review_decision`` message per record. None for devices from before: they never declared.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.add_column(sa.Column("inbox_kinds", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("inbox_kinds")
