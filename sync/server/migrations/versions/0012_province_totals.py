"""The province's aggregate totals, kept per (county, township, form) (issue 20).

``province_totals`` holds, per county, township and form, the number of ``province_facts`` rows
(``records``) and the sum of each fact column; the province keeps it in the transaction of every
write to ``province_facts`` (``domain/province_totals.py``), and ``aggregates`` reads it instead
of summing every record's facts (5 s at 10 million records, ``bench/bench_province_totals.py``).

Created, then filled from ``province_facts`` by one ``INSERT … SELECT … GROUP BY`` in the
revision's transaction (a scan of the facts: seconds at 10 million rows; ``upgrade`` is run with
``serve`` stopped). A county has no facts: its table stays empty.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

#: tables.FACT_COLUMNS as of this revision
_FACTS = (
    "members", "female_members", "migrant_members", "new_form_members", "unions",
    "unions_with_congress", "unions_with_funds_committee", "unions_with_contract",
    "assessments", "assessment_votes", "assessment_satisfied", "rectifications_open",
)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "province_totals",
        sa.Column("county", sa.String(32), primary_key=True),
        sa.Column("township", sa.String(32), primary_key=True),
        sa.Column("form_id", sa.String(64), primary_key=True),
        sa.Column("records", sa.BigInteger, nullable=False),
        *(sa.Column(name, sa.BigInteger, nullable=False) for name in _FACTS),
    )
    sums = ", ".join(f"COALESCE(SUM({name}), 0)" for name in _FACTS)
    op.execute(
        f"INSERT INTO province_totals (county, township, form_id, records, {', '.join(_FACTS)}) "
        f"SELECT county, township, form_id, COUNT(*), {sums} FROM province_facts "
        "GROUP BY county, township, form_id"
    )


def downgrade() -> None:
    op.drop_table("province_totals")
