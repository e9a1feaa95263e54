"""The schema of the release before migrations (December 2026), table by table.

A database made by that release (``metadata.create_all``, with ``meta.schema = "1"`` and no
``alembic_version``) is this revision: ``sync.server.migrate`` stamps it so and upgrades from
here. Never edit this file; change the schema in a new revision.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "county_org_trees",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("county_org_unit", sa.String(length=32), nullable=False),
        sa.Column("county_device_id", sa.String(length=36), nullable=False),
        sa.Column("tree_sha256", sa.String(length=64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("received_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_county_org_trees_county_org_unit", "county_org_trees", ["county_org_unit"], unique=False
    )
    op.create_table(
        "form_definitions",
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("published_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("form_id", "version"),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "org_units",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("parent", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "provenance",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_uuid", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("county_device_id", sa.String(length=36), nullable=False),
        sa.Column("county_org_unit", sa.String(length=32), nullable=False),
        sa.Column("relay_batch_id", sa.String(length=36), nullable=False),
        sa.Column("township_device_id", sa.String(length=36), nullable=False),
        sa.Column("township_org_unit", sa.String(length=32), nullable=False),
        sa.Column("township_header", sa.String(length=64), nullable=False),
        sa.Column("acceptance", sa.Text(), nullable=False),
        sa.Column("received_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("record_uuid", "version", name="uq_provenance_uuid_version"),
    )
    op.create_table(
        "province_facts",
        sa.Column("record_uuid", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("county", sa.String(length=32), nullable=False),
        sa.Column("township", sa.String(length=32), nullable=False),
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("female_members", sa.Integer(), nullable=False),
        sa.Column("migrant_members", sa.Integer(), nullable=False),
        sa.Column("new_form_members", sa.Integer(), nullable=False),
        sa.Column("unions", sa.Integer(), nullable=False),
        sa.Column("unions_with_congress", sa.Integer(), nullable=False),
        sa.Column("unions_with_funds_committee", sa.Integer(), nullable=False),
        sa.Column("unions_with_contract", sa.Integer(), nullable=False),
        sa.Column("assessments", sa.Integer(), nullable=False),
        sa.Column("assessment_votes", sa.Integer(), nullable=False),
        sa.Column("assessment_satisfied", sa.Integer(), nullable=False),
        sa.Column("rectifications_open", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("record_uuid"),
    )
    op.create_index("ix_province_facts_county", "province_facts", ["county"], unique=False)
    op.create_index("ix_province_facts_form_id", "province_facts", ["form_id"], unique=False)
    op.create_index("ix_province_facts_township", "province_facts", ["township"], unique=False)
    op.create_table(
        "province_transfers",
        sa.Column("transfer_id", sa.String(length=36), nullable=False),
        sa.Column("member_uuid", sa.String(length=36), nullable=True),
        sa.Column("date", sa.String(length=10), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("transfer_id"),
    )
    op.create_index(
        "ix_province_transfers_member_uuid", "province_transfers", ["member_uuid"], unique=False
    )
    op.create_table(
        "relay_batches",
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("device_seq", sa.Integer(), nullable=False),
        sa.Column("envelope", sa.Text(), nullable=False),
        sa.Column("item_seqs", sa.Text(), nullable=False),
        sa.Column("sealed_at", sa.String(length=32), nullable=False),
        sa.Column("receipt", sa.Text(), nullable=True),
        sa.Column("acked_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("batch_id"),
        sa.UniqueConstraint("device_seq"),
    )
    op.create_table(
        "relay_items",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_uuid", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("item", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=True),
        sa.Column("errors", sa.Text(), nullable=True),
        sa.Column("queued_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("record_uuid", "version", name="uq_relay_items_uuid_version"),
    )
    op.create_index("ix_relay_items_batch_id", "relay_items", ["batch_id"], unique=False)
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_uuid", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("reviewer", sa.String(length=200), nullable=False),
        sa.Column("reviewer_device_id", sa.String(length=36), nullable=False),
        sa.Column("decided_at", sa.String(length=32), nullable=False),
        sa.Column("acceptance", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("record_uuid", "version", name="uq_reviews_uuid_version"),
    )
    op.create_table(
        "township_headers",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("header", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_table(
        "transfers",
        sa.Column("transfer_id", sa.String(length=36), nullable=False),
        sa.Column("request_uuid", sa.String(length=36), nullable=False),
        sa.Column("from_org_unit", sa.String(length=32), nullable=False),
        sa.Column("to_org_unit", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("offer", sa.Text(), nullable=False),
        sa.Column("answer_uuid", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("answered_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("transfer_id"),
    )
    op.create_index("ix_transfers_to_org_unit", "transfers", ["to_org_unit"], unique=False)
    op.create_table(
        "used_nonces",
        sa.Column("nonce", sa.String(length=128), nullable=False),
        sa.Column("used_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("nonce"),
    )
    op.create_table(
        "devices",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("org_unit", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("enrolled_at", sa.String(length=32), nullable=False),
        sa.Column("revoked_at", sa.String(length=32), nullable=True),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_unit"],
            ["org_units.code"],
        ),
        sa.PrimaryKeyConstraint("device_id"),
    )
    op.create_table(
        "enroll_codes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("org_unit", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("used_at", sa.String(length=32), nullable=True),
        sa.Column("device_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_unit"],
            ["org_units.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("secret_hash"),
    )
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("device_seq", sa.BigInteger(), nullable=False),
        sa.Column("envelope_sha256", sa.String(length=64), nullable=False),
        sa.Column("envelope", sa.LargeBinary(), nullable=False),
        sa.Column("receipt", sa.LargeBinary(), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("received_count", sa.Integer(), nullable=False),
        sa.Column("rejected_count", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.device_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("batch_id"),
        sa.UniqueConstraint("device_id", "device_seq", name="uq_batches_device_seq"),
    )
    op.create_table(
        "inbox",
        sa.Column("msg_seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("msg_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("message", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("acked_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.device_id"],
        ),
        sa.PrimaryKeyConstraint("msg_seq"),
        sa.UniqueConstraint("msg_id"),
    )
    op.create_index("ix_inbox_device_id", "inbox", ["device_id"], unique=False)
    op.create_table(
        "records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_uuid", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("form_version", sa.Integer(), nullable=False),
        sa.Column("org_unit", sa.String(length=32), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("record_sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("received_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batches.batch_id"],
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.device_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("record_uuid", "version", name="uq_records_uuid_version"),
    )


def downgrade() -> None:
    op.drop_table("records")
    op.drop_index("ix_inbox_device_id", table_name="inbox")
    op.drop_table("inbox")
    op.drop_table("batches")
    op.drop_table("enroll_codes")
    op.drop_table("devices")
    op.drop_table("used_nonces")
    op.drop_index("ix_transfers_to_org_unit", table_name="transfers")
    op.drop_table("transfers")
    op.drop_table("township_headers")
    op.drop_table("reviews")
    op.drop_index("ix_relay_items_batch_id", table_name="relay_items")
    op.drop_table("relay_items")
    op.drop_table("relay_batches")
    op.drop_index("ix_province_transfers_member_uuid", table_name="province_transfers")
    op.drop_table("province_transfers")
    op.drop_index("ix_province_facts_township", table_name="province_facts")
    op.drop_index("ix_province_facts_form_id", table_name="province_facts")
    op.drop_index("ix_province_facts_county", table_name="province_facts")
    op.drop_table("province_facts")
    op.drop_table("provenance")
    op.drop_table("org_units")
    op.drop_table("meta")
    op.drop_table("form_definitions")
    op.drop_index("ix_county_org_trees_county_org_unit", table_name="county_org_trees")
    op.drop_table("county_org_trees")
