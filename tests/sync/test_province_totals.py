"""The province's aggregate totals (``province_totals``) follow every write to
``province_facts`` in its transaction: new records, replaced versions, re-derived facts, a record
that moved township (its old key emptied: no row left), rectifications that close items (negative
facts) — after each, the totals equal a recount from the facts and ``aggregates`` equals the
``GROUP BY`` over the facts it replaced; on SQLite and PostgreSQL. Two counties writing at once
never wait for each other; two writers of one county wait, never deadlock, and lose nothing.

The relays themselves (new, replaced, re-derived records through the real relay):
test_province_members and test_province_aggregates call :func:`assert_totals_recounted`.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection

from sync.server.domain import province_totals
from sync.server.domain.province import aggregates
from sync.server.store import Store
from sync.server.tables import FACT_COLUMNS, facts
from tests.sync.test_server_postgres import fresh_database, postgres_url  # noqa: F401


def assert_totals_recounted(store: Store) -> None:
    """The kept totals are what a recount over ``province_facts`` gives, and ``aggregates``
    reads the same as the scan, by county, township and form."""
    with store.read() as conn:
        assert province_totals.stored(conn) == province_totals.recount(conn)
    for by in ("county", "township", "form"):
        assert aggregates(store, by) == aggregates(store, by, scan=True)


def _row(uuid: str, version: int, township: str, form_id: str = "member", **f: int) -> Any:
    return {"record_uuid": uuid, "version": version, "county": township[:6],
            "township": township, "form_id": form_id, **dict.fromkeys(FACT_COLUMNS, 0), **f}  # fmt: skip


def _write(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Store ``rows`` as the province's writers do: an older fact row of a record is replaced
    (its contribution taken away), in the same transaction as the totals."""
    from sqlalchemy import select

    uuids = [r["record_uuid"] for r in rows]
    old = [r._mapping for r in conn.execute(select(facts).where(facts.c.record_uuid.in_(uuids)))]
    conn.execute(facts.delete().where(facts.c.record_uuid.in_(uuids)))
    conn.execute(facts.insert(), rows)
    province_totals.apply(conn, old, rows)


def _store(request: pytest.FixtureRequest, tmp_path: Path, backend: str, name: str) -> Store:
    if backend == "sqlite":
        return Store(f"sqlite:///{tmp_path / 'province.db'}")
    return Store(fresh_database(request.getfixturevalue("postgres_url"), name))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_totals_follow_new_replaced_rederived_and_moved_records(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    store = _store(request, tmp_path, backend, "totals_follow")
    try:
        a, b, other = "330106001", "330106002", "330108001"
        with store.write() as conn:  # new records of two counties
            _write(conn, [
                _row("m1", 1, a, members=1, female_members=1),
                _row("m2", 1, a, members=1, migrant_members=1),
                _row("m3", 1, b, members=1),
                _row("u1", 1, a, "union", unions=1, unions_with_congress=1),
                _row("c1", 1, other, "audit_checklist", rectifications_open=3),
            ])  # fmt: skip
        assert_totals_recounted(store)
        with store.write() as conn:  # newer versions: withdrawn; congress gone; an item closed
            _write(conn, [
                _row("m2", 2, a),
                _row("u1", 2, a, "union", unions=1),
                _row("r1", 1, other, "audit_checklist_rectification", rectifications_open=-1),
            ])  # fmt: skip
        assert_totals_recounted(store)
        with store.write() as conn:  # re-derived in place (a transfer accepted: m1 not counted)
            old = [r._mapping for r in conn.execute(facts.select().where(
                facts.c.record_uuid == "m1"))]  # fmt: skip
            conn.execute(facts.update().where(facts.c.record_uuid == "m1"),
                         [{"members": 0, "female_members": 0}])  # fmt: skip
            province_totals.apply(conn, old, [{**old[0], "members": 0, "female_members": 0}])
        assert_totals_recounted(store)
        with store.write() as conn:  # m3 moves to a: township b is left without records
            _write(conn, [_row("m3", 2, a, members=1)])
            assert ("330106", b, "member") not in province_totals.stored(conn)
        assert_totals_recounted(store)
        [row] = [r for r in aggregates(store, "township") if r["key"] == a]
        assert (row["records"], row["members"], row["female_members"]) == (4, 1, 0)
        assert {r["key"]: r["rectifications_open"] for r in aggregates(store, "county")} == {
            "330106": 0,
            "330108": 2,
        }
        with store.write() as conn:  # the same rows again: nothing changes, nothing written
            before = province_totals.stored(conn)
            province_totals.apply(conn, [_row("m1", 1, a)], [_row("m1", 1, a)])
            assert province_totals.stored(conn) == before
    finally:
        store.close()


def test_counties_writing_at_once_do_not_wait_and_one_county_loses_nothing(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """PostgreSQL (what a province runs): a county's open transaction holds its own rows
    only; a second writer of the same county waits for it and then adds to its totals."""
    store = _store(request, tmp_path, "postgresql", "totals_concurrent")
    try:
        with store.write() as conn:
            _write(conn, [_row("x0", 1, "330106001", members=1)])
        holder = store.engine.connect()
        holder.begin()
        _write(holder, [_row(f"a{n}", 1, f"330106{n % 3 + 1:03d}", members=1) for n in range(30)])
        # another county, meanwhile: never blocked by the open transaction (lock_timeout)
        with store.write() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '2s'"))
            _write(conn, [_row(f"b{n}", 1, f"330108{n % 3 + 1:03d}", members=1) for n in range(30)])
        # the same county, meanwhile: waits for the holder, then adds its own
        errors: list[BaseException] = []

        def same_county() -> None:
            try:
                with store.write() as conn:
                    _write(conn, [_row(f"c{n}", 1, f"330106{3 - n % 3:03d}", members=1)
                                  for n in range(30)])  # fmt: skip
            except BaseException as exc:  # noqa: BLE001  (reported below)
                errors.append(exc)

        waiter = threading.Thread(target=same_county)
        waiter.start()
        waiter.join(1.0)
        assert waiter.is_alive()  # waiting on the holder's rows
        holder.commit()
        holder.close()
        waiter.join(30)
        assert not waiter.is_alive() and errors == []
        assert_totals_recounted(store)
        by_county = {r["key"]: r["members"] for r in aggregates(store, "county")}
        assert by_county == {"330106": 61, "330108": 30}
    finally:
        store.close()
