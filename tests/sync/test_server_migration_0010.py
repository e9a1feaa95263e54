"""Revision 0010 (issue 20): a province database made at revision 0009 migrates forward with its
statistics and aggregate facts intact; afterwards replacing a checklist's item rows looks them
up by index instead of scanning every member's facts, and the schema is ``tables.py``'s."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import Engine

from sync.server import migrate
from sync.server.tables import facts, metadata, stat_facts
from tests.sync.test_server_postgres import fresh_database, postgres_url  # noqa: F401  (throwaway cluster)

CHECKLIST = "5b1c8a52-0f43-4c1e-9d0e-2f4c8e2b7a01"
MEMBERS = 20_000
CHECKLISTS = 2_000


def _at_0009(engine: Engine) -> None:
    with engine.connect() as conn:
        command.upgrade(migrate._config(conn), "0009")
        # as the release of revision 0009 made it: 0007 creates stat_facts as tables.py has
        # it, which now includes 0010's index
        conn.execute(text("DROP INDEX ix_stat_facts_union"))
        if conn.in_transaction():
            conn.commit()


def _fill(engine: Engine) -> None:
    """Members' facts (no union), a checklist with two items to rectify among the items of
    many other checklists, aggregate facts."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO stat_facts (record_uuid, version, county, township, source, "
                "member_from, id_digest, id_shared) "
                "SELECT 'm-' || i, 1, '330101', '330101001', 'members', 20200101, "
                "'d' || i, 0 FROM (SELECT generate_series(1, :n) AS i) AS g"
                if engine.dialect.name == "postgresql"
                else "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g "
                "WHERE i < :n) INSERT INTO stat_facts (record_uuid, version, county, township, "
                "source, member_from, id_digest, id_shared) SELECT 'm-' || i, 1, '330101', "
                "'330101001', 'members', 20200101, 'd' || i, 0 FROM g"
            ),
            {"n": MEMBERS},
        )
        rows = [
            {"record_uuid": CHECKLIST, "version": 1, "county": "330101",
             "township": "330101001", "source": "audits", "union_uuid": "u-1"},
            *({"record_uuid": f"item-{n}", "version": 1, "county": "330101",
               "township": "330101001", "source": "audit_items", "union_uuid": CHECKLIST,
               "item_id": f"i{n}", "event_date": 20260101} for n in (1, 2)),
        ]  # fmt: skip
        others = [  # the items to rectify of many other checklists
            {"record_uuid": f"item-{c}-{n}", "version": 1, "county": "330101",
             "township": "330101001", "source": "audit_items", "union_uuid": f"cl-{c}",
             "item_id": f"i{n}", "event_date": 20260101}
            for c in range(CHECKLISTS) for n in range(3)
        ]  # fmt: skip
        conn.execute(stat_facts.insert(), rows + others)
        conn.execute(facts.insert(), [{"record_uuid": "m-1", "version": 1, "county": "330101",
                                       "township": "330101001", "form_id": "member",
                                       "members": 1}])  # fmt: skip
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE stat_facts"))


def _check(engine: Engine) -> None:
    before, applied = migrate.upgrade(engine)
    # and the revisions after it (each tested in its own test_server_migration_00NN)
    assert (before.current, applied[0], applied[-1]) == ("0009", "0010", migrate.head())
    with engine.connect() as conn:
        assert migrate.schema_state(conn).status == "current"
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), metadata
        )
        assert diff == []
        names = {i["name"] for i in inspect(conn).get_indexes("stat_facts")}
        assert "ix_stat_facts_union" in names
        assert not {i["name"] for i in inspect(conn).get_indexes("province_facts")}
        items = select(stat_facts.c.record_uuid).where(
            stat_facts.c.source == "audit_items", stat_facts.c.union_uuid.in_([CHECKLIST])
        )
        assert sorted(conn.execute(items).scalars()) == ["item-1", "item-2"]
        assert (
            conn.execute(text("SELECT count(*) FROM stat_facts")).scalar()
            == MEMBERS + 3 + 3 * CHECKLISTS
        )
        assert conn.execute(select(facts.c.members)).scalars().all() == [1]
        compiled = items.compile(conn, compile_kwargs={"literal_binds": True})
        explain = "EXPLAIN " if engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
        plan = " ".join(str(r[-1]) for r in conn.execute(text(explain + str(compiled))))
        assert "ix_stat_facts_union" in plan, plan


def test_a_sqlite_database_at_0009_migrates_to_0010(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'server.db'}")
    _at_0009(engine)
    _fill(engine)
    _check(engine)
    engine.dispose()


def test_a_province_on_postgresql_at_0009_migrates_to_0010(postgres_url: str) -> None:  # noqa: F811
    url = fresh_database(postgres_url, "mig0010")
    engine = create_engine(url)
    try:
        _at_0009(engine)
        _fill(engine)
        _check(engine)
    finally:
        engine.dispose()
