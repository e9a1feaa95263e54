"""Device permissions beyond the role (``devices.permissions``, e.g. ``unmask``).

A reviewer sees sensitive values masked unless its device holds ``unmask`` and the request asks
for it (``domain/access.py``; granted with ``uniondesk-server grant DEVICE_ID unmask``).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.add_column(sa.Column("permissions", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("permissions")
