"""Indexes matched to the queries a province of tens of millions of records runs (issue 20).

- ``stat_facts (union_uuid)``, only the rows that have one (unions' assessments, checklists,
  their items and outcomes; never a member row): a relayed or accepted checklist replaces its
  item rows by ``source = 'audit_items' AND union_uuid IN (…)`` (``domain/stats_facts.upsert``)
  and the statistics' overdue count looks up each item's outcome by union and item; without it
  each is a scan of the whole table (measured by ``bench/bench_province_scale.py``).
- ``province_facts``' single-column indexes on ``county``, ``township`` and ``form_id`` go:
  no query filters on them (``aggregates`` sums the whole table per group, which is a scan
  either way), and every relayed record paid for keeping three of them.

On PostgreSQL the index is built inside the revision's transaction (``CREATE INDEX`` holds off
writes to ``stat_facts`` while it runs: seconds at 10 million rows; ``upgrade`` is run with
``serve`` stopped).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_HAS_UNION = sa.text("union_uuid IS NOT NULL")
_DROPPED = ("county", "township", "form_id")


def upgrade() -> None:
    # 0007 creates stat_facts as tables.py has it, so a database that got 0007 from this
    # program has the index already
    have = {i["name"] for i in sa.inspect(op.get_bind()).get_indexes("stat_facts")}
    if "ix_stat_facts_union" not in have:
        op.create_index("ix_stat_facts_union", "stat_facts", ["union_uuid"],
                        postgresql_where=_HAS_UNION, sqlite_where=_HAS_UNION)  # fmt: skip
    for column in _DROPPED:
        op.drop_index(f"ix_province_facts_{column}", table_name="province_facts")


def downgrade() -> None:
    for column in _DROPPED:
        op.create_index(f"ix_province_facts_{column}", "province_facts", [column])
    op.drop_index("ix_stat_facts_union", table_name="stat_facts")
