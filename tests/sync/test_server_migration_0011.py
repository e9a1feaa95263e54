"""Revision 0011 (issues 18 and 20): a province database made at revision 0010 migrates forward
with its statistics facts intact and ``member_counts`` filled from them (equal to a recount);
afterwards every write keeps the counts, the tables from them equal the raw query, the members
with a date in the as-of year are found by index, and the schema is ``tables.py``'s."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import Engine

from sync.server import migrate
from sync.server.domain import member_counts, stats_facts
from sync.server.domain.stats_report import _boundary, facts
from sync.server.store import Store
from sync.server.tables import metadata, stat_facts
from tests.sync.test_server_postgres import fresh_database, postgres_url  # noqa: F401  (throwaway cluster)

MEMBERS = 5_000
DATED = ("member_from", "member_until", "joined_date", "transfer_in_date",
         "transfer_out_date", "left_date")  # fmt: skip


def _at_0010(engine: Engine) -> None:
    with engine.connect() as conn:
        command.upgrade(migrate._config(conn), "0010")
        # as the release of revision 0010 made it: 0007 creates stat_facts as tables.py has
        # it, which now includes 0011's indexes
        for column in DATED:
            conn.execute(text(f"DROP INDEX ix_stat_facts_{column}"))
        if conn.in_transaction():
            conn.commit()


def _row(i: int) -> dict[str, object]:
    left = i % 7 == 0
    return {
        "record_uuid": f"m-{i:05d}", "version": 1 + i % 3, "county": f"33010{1 + i % 2}",
        "township": f"33010{1 + i % 2}00{1 + i % 3}", "source": "members",
        "female": i % 2, "migrant": int(i % 5 == 0),
        "new_form_kind": ("", "courier", "delivery_rider")[i % 3],
        "member_from": 20200101 + (i % 7) * 10000 + (i % 12) * 100,
        "member_until": 20250615 + (i % 3) * 10000 if left else None,
        "joined_date": 20200101 + (i % 7) * 10000, "transfer_in_date": 20260301 * (i % 11 == 0),
        "transfer_out_date": 0, "left_date": 20250615 + (i % 3) * 10000 if left else 0,
        "id_valid": int(i % 13 != 0), "id_digest": f"d{i - (i % 500 == 1)}",
        "id_shared": int(i % 500 < 2), "complete": int(i % 17 != 0),
    }  # fmt: skip


def _fill(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(stat_facts.insert(), [_row(i) for i in range(MEMBERS)])
        conn.execute(stat_facts.insert(), [{"record_uuid": "u-1", "version": 1,
                     "county": "330101", "township": "330101001", "source": "unions",
                     "founded_date": 20200101}])  # fmt: skip


def _facts(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(select(stat_facts)))


def _check(engine: Engine) -> None:
    before = _facts(engine)
    state, applied = migrate.upgrade(engine)
    assert (state.current, applied[0]) == ("0010", "0011")  # and the revisions after it
    assert _facts(engine) == before  # every row intact
    with engine.connect() as conn:
        assert migrate.schema_state(conn).status == "current"
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), metadata
        )
        assert diff == []
        names = {i["name"] for i in inspect(conn).get_indexes("stat_facts")}
        assert {f"ix_stat_facts_{c}" for c in DATED} <= names
        assert member_counts.differences(conn) == {}
        cells = member_counts.cells(conn)
        # every members row that shares no digest is counted, once
        assert sum(cells.values()) == sum(1 for i in range(MEMBERS) if i % 500 >= 2)
        query = select(stat_facts.c.record_uuid).where(_boundary(20260630, 2026))
        compiled = query.compile(conn, compile_kwargs={"literal_binds": True})
        pg = engine.dialect.name == "postgresql"
        if pg:
            conn.execute(text("ANALYZE stat_facts"))
        plan = " ".join(
            str(r[-1])
            for r in conn.execute(
                text(("EXPLAIN " if pg else "EXPLAIN QUERY PLAN ") + str(compiled))
            )
        )
        assert "ix_stat_facts_member_from" in plan and "ix_stat_facts_left_date" in plan, plan
    # and from now on the writes keep the counts: a newer version of a member, one more member
    store = Store(str(engine.url.render_as_string(hide_password=False)))
    try:
        with store.write() as conn:
            newer = {**_row(10), "version": 9, "member_until": 20260101, "left_date": 20260101}
            stats_facts.upsert(conn, [newer, {**_row(MEMBERS), "record_uuid": "m-new"}])
        with store.read() as conn:
            assert member_counts.differences(conn) == {}
        for as_of, period in (("2026-06-30", 2026), ("2026-12-31", 2025), ("2025-01-01", 2026)):
            kept = facts(store, as_of, period)["members"]
            raw = facts(store, as_of, period, counted=False)["members"]
            assert _sums(kept) == _sums(raw), (as_of, period)
    finally:
        store.close()


def _sums(rows: list[dict[str, object]]) -> dict[tuple[object, ...], int]:
    out: dict[tuple[object, ...], int] = {}
    for r in rows:
        key = tuple(sorted((k, v) for k, v in r.items() if k != "n"))
        out[key] = out.get(key, 0) + int(str(r["n"]))
    return out


def test_a_sqlite_database_at_0010_migrates_to_0011(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'server.db'}")
    _at_0010(engine)
    _fill(engine)
    _check(engine)
    engine.dispose()


def test_a_province_on_postgresql_at_0010_migrates_to_0011(postgres_url: str) -> None:  # noqa: F811
    url = fresh_database(postgres_url, "mig0011")
    engine = create_engine(url)
    try:
        _at_0010(engine)
        _fill(engine)
        _check(engine)
    finally:
        engine.dispose()
