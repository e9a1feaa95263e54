"""Keys a device signed with before it was re-keyed (``device_keys``; issue 16).

When a county moves to another crypto suite (``rotate-key --crypto-suite gm``) its devices make
a key of the new suite and register it, signed with the old one; the old public key is kept
here so what the device signed before stays verifiable (``domain/rekey.py``).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "device_keys",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("retired_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["devices.device_id"]),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index("ix_device_keys_device", "device_keys", ["device_id"])


def downgrade() -> None:
    op.drop_index("ix_device_keys_device", table_name="device_keys")
    op.drop_table("device_keys")
