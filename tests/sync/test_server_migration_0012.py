"""Revision 0012 (issue 20): a province database at revision 0010 migrates forward with its
``province_facts`` intact and ``province_totals`` made from them — equal to a recount, so
``aggregates`` reads the same figures as the scan it replaces — and the schema is ``tables.py``'s;
on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from sync.server import migrate
from sync.server.domain import province_totals
from sync.server.tables import FACT_COLUMNS, metadata
from tests.sync.test_server_postgres import fresh_database, postgres_url  # noqa: F401  (throwaway cluster)

ROWS = 6_000
#: fact rows over 3 counties x 4 townships x 5 forms, each column a different pattern
FILL = f"""
INSERT INTO province_facts (record_uuid, version, county, township, form_id,
    {", ".join(FACT_COLUMNS)})
SELECT 'r-' || i, 1 + i % 3, '3301' || (10 + i % 3), '3301' || (10 + i % 3) || (100 + i % 4),
    CASE i % 5 WHEN 0 THEN 'member' WHEN 1 THEN 'union' WHEN 2 THEN 'assessment'
               WHEN 3 THEN 'audit_checklist' ELSE 'audit_checklist_rectification' END,
    {", ".join(f"(i * {n + 3}) % {n + 2}" for n in range(len(FACT_COLUMNS) - 1))},
    (i % 3) - 1
FROM g"""


def _at_0010(engine: Engine) -> None:
    with engine.connect() as conn:
        command.upgrade(migrate._config(conn), "0010")
        if conn.in_transaction():
            conn.commit()
    series = (
        "(SELECT generate_series(1, :n) AS i) AS g" if engine.dialect.name == "postgresql" else "g"
    )
    sql = FILL.replace("FROM g", f"FROM {series}")
    if engine.dialect.name != "postgresql":
        sql = "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < :n) " + sql
    with engine.begin() as conn:
        conn.execute(text(sql), {"n": ROWS})


def _facts(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT * FROM province_facts ORDER BY record_uuid"))]  # fmt: skip


def _check(engine: Engine) -> None:
    before_rows = _facts(engine)
    assert len(before_rows) == ROWS
    before, applied = migrate.upgrade(engine)
    assert before.current == "0010" and "0012" in applied and applied[-1] == migrate.head()
    assert _facts(engine) == before_rows
    with engine.connect() as conn:
        assert migrate.schema_state(conn).status == "current"
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), metadata
        )
        assert diff == []
        kept = province_totals.stored(conn)
        assert kept == province_totals.recount(conn)
        assert len(kept) == 3 * 4 * 5
        assert sum(t[0] for t in kept.values()) == ROWS
        # a negative column (checklist rectifications closing) sums as it is
        assert {t[-1] for t in kept.values()} != {0}


def test_a_sqlite_province_at_0010_migrates_to_0012_with_its_totals(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'server.db'}")
    _at_0010(engine)
    _check(engine)
    engine.dispose()


def test_a_province_on_postgresql_at_0010_migrates_to_0012_with_its_totals(
    postgres_url: str,  # noqa: F811
) -> None:
    url = fresh_database(postgres_url, "mig0012")
    engine = create_engine(url)
    try:
        _at_0010(engine)
        _check(engine)
    finally:
        engine.dispose()
