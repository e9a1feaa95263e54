"""The member counts kept pre-counted (``member_counts``, revision 0011): after every write of
``stat_facts`` — new records, newer versions replacing older ones, ID numbers found shared
later, transfers closed — the counts equal a recount, and the statistics tables from them equal
the raw query over every member row, cell by cell, for as-of dates and periods around the
boundaries (Jan 1, Dec 31, the as-of date inside and outside the period), on SQLite and on
PostgreSQL."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sync.server.domain import member_counts, stats_facts
from sync.server.domain.stats_report import facts, report
from sync.server.store import Store
from sync.server.tables import province_transfers, stat_facts
from tests.stats.server_pipeline import fresh_database
from tests.sync.test_server_postgres import postgres_url  # noqa: F401  (throwaway cluster)

PROVINCE = "330000"
COUNTIES = ("330101", "330102")
TOWNSHIPS = {c: [f"{c}{t:03d}" for t in (1, 2, 3)] for c in COUNTIES}
YEARS = (2024, 2025, 2026, 2027)
DAYS = (101, 102, 131, 630, 701, 715, 716, 1201, 1230, 1231)
AS_OF = (
    "2026-01-01",
    "2026-06-30",
    "2026-07-01",
    "2026-07-15",
    "2026-12-31",
    "2025-12-31",
    "2027-01-01",
)
PERIODS = (2025, 2026, 2027)
EMPTY = {c.name: None for c in stat_facts.columns}


def _date(rng: random.Random, none: float = 0.0) -> int:
    if rng.random() < none:
        return 0
    if rng.random() < 0.03:  # the odd value day() can make of a malformed date
        return rng.choice(YEARS) * 10000 + rng.choice((0, 1300, 1299, 200, 631, 699))
    return rng.choice(YEARS) * 10000 + rng.choice(DAYS)


def _member(rng: random.Random, ident: str, version: int, digests: list[str]) -> dict[str, Any]:
    county = rng.choice(COUNTIES)
    joined = _date(rng)
    left = _date(rng, none=0.7)
    out = _date(rng, none=0.8)
    return {
        **EMPTY,
        "record_uuid": ident,
        "version": version,
        "county": county,
        "township": rng.choice([*TOWNSHIPS[county], f"{county}099"]),  # one not in the tree
        "source": "members",
        "female": rng.randint(0, 1),
        "migrant": rng.randint(0, 1),
        "new_form_kind": rng.choice(("", "", "courier", "delivery_rider")),
        "member_from": joined,
        "member_until": rng.choice((None, None, left or None, _date(rng))),
        "joined_date": rng.choice((joined, _date(rng))),
        "transfer_in_date": _date(rng, none=0.7),
        "transfer_out_date": out,
        "left_date": left,
        "id_valid": int(rng.random() < 0.9),
        "id_digest": rng.choice(digests) if rng.random() < 0.9 else "",
        "id_shared": 0,
        "complete": int(rng.random() < 0.8),
    }


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "postgresql":
        url = fresh_database(request, f"counts{uuid.uuid4().hex[:8]}")
    else:
        url = f"sqlite:///{tmp_path / 'server.db'}"
    s = Store(url)
    s.add_org_unit(PROVINCE, "省总工会", None, "province")
    for county, townships in TOWNSHIPS.items():
        s.add_org_unit(county, f"{county}区总工会", PROVINCE, "county")
        for t in townships:
            s.add_org_unit(t, f"{t}街道总工会", county, "township")
    try:
        yield s
    finally:
        s.close()


def _same_counts(s: Store) -> None:
    with s.read() as conn:
        assert member_counts.differences(conn) == {}


def _members_cells(rows: list[dict[str, Any]]) -> Counter[tuple[Any, ...]]:
    out: Counter[tuple[Any, ...]] = Counter()
    for r in rows:
        out[tuple(sorted((k, v) for k, v in r.items() if k != "n"))] += int(r["n"])
    return +out


def _same_reports(s: Store) -> None:
    for as_of in AS_OF:
        for period in PERIODS:
            for under in (None, COUNTIES[0], TOWNSHIPS[COUNTIES[1]][0]):
                kept = facts(s, as_of, period, under)["members"]
                raw = facts(s, as_of, period, under, counted=False)["members"]
                assert _members_cells(kept) == _members_cells(raw), (as_of, period, under)
    for as_of, period in (("2026-06-30", 2026), ("2026-12-31", 2026), ("2027-01-01", 2026)):
        for top in (PROVINCE, COUNTIES[0]):
            kept_report = report(s, top, as_of, period)
            raw_report = report(s, top, as_of, period, counted=False)
            assert [t.rows for t in kept_report.tables] == [t.rows for t in raw_report.tables]


def test_counts_follow_every_write_and_the_tables_from_them_equal_the_raw_query(
    store: Store,
) -> None:
    rng = random.Random(18)
    digests = [f"d{i}" for i in range(400)]
    versions: dict[str, int] = {}
    for step in range(4):
        rows = []
        for _ in range(300):  # new members
            ident = str(uuid.UUID(int=rng.getrandbits(128)))
            versions[ident] = 1
            rows.append(_member(rng, ident, 1, digests))
        for ident in rng.sample(sorted(versions), 60):  # newer versions of some
            versions[ident] += 1
            rows.append(_member(rng, ident, versions[ident], digests))
        if step == 2:  # and a batch with an older version, which changes nothing
            ident = sorted(versions)[0]
            rows.append(_member(rng, ident, 1, digests))
        with store.write() as conn:
            stats_facts.upsert(conn, rows)
        _same_counts(store)
        # transfers out accepted by the receiving township: those members stop counting
        with store.write() as conn:
            open_out = conn.execute(
                select(stat_facts.c.record_uuid, stat_facts.c.transfer_out_date).where(
                    stat_facts.c.member_until.is_(None), stat_facts.c.transfer_out_date > 0
                )
            ).all()
            picked = rng.sample(open_out, min(15, len(open_out)))
            for r in picked:
                d = str(r.transfer_out_date)
                conn.execute(
                    province_transfers.insert().values(
                        transfer_id=str(uuid.uuid4()), member_uuid=r.record_uuid,
                        date=f"{d[:4]}-{d[4:6]}-{d[6:]}", decision="accepted",
                    )
                )  # fmt: skip
            stats_facts.close_transfers(conn, [r.record_uuid for r in picked])
        _same_counts(store)
    with store.read() as conn:
        shared = conn.execute(
            select(stat_facts.c.id_shared, stat_facts.c.member_until.is_(None))
        ).all()
    assert {s for s, _ in shared} == {0, 1}  # some ID numbers turned out shared
    with store.read() as conn:
        closed = conn.execute(
            select(stat_facts.c.record_uuid)
            .join(province_transfers, province_transfers.c.member_uuid == stat_facts.c.record_uuid)
            .where(stat_facts.c.member_until.is_not(None))
        ).all()
    assert closed  # transfers closed
    _same_reports(store)
    # a recount from scratch (revision 0011, the benches) is the same table
    with store.write() as conn:
        before = member_counts.cells(conn)
        member_counts.fill(conn)
    _same_counts(store)
    with store.read() as conn:
        assert member_counts.cells(conn) == before


def test_a_shared_id_number_appearing_later_moves_both_rows_out_of_the_counts(
    store: Store,
) -> None:
    first = {**EMPTY, "record_uuid": "m-1", "version": 1, "county": COUNTIES[0],
             "township": TOWNSHIPS[COUNTIES[0]][0], "source": "members", "female": 1,
             "migrant": 0, "new_form_kind": "", "member_from": 20200101, "joined_date": 20200101,
             "transfer_in_date": 0, "transfer_out_date": 0, "left_date": 0, "id_valid": 1,
             "id_digest": "same", "id_shared": 0, "complete": 1}  # fmt: skip
    with store.write() as conn:
        stats_facts.upsert(conn, [first])
    with store.read() as conn:
        assert sum(member_counts.cells(conn).values()) == 1
    with store.write() as conn:
        stats_facts.upsert(conn, [{**first, "record_uuid": "m-2", "member_from": 20260301}])
    _same_counts(store)
    with store.read() as conn:
        assert sum(member_counts.cells(conn).values()) == 0  # both now by the as-of join
    rep = report(store, PROVINCE, "2026-06-30", 2026)
    raw = report(store, PROVINCE, "2026-06-30", 2026, counted=False)
    assert [t.rows for t in rep.tables] == [t.rows for t in raw.tables]
    total = rep.tables[1].rows[-1].values
    assert total["members"] == 2


def test_two_counties_ingested_at_once_never_wait_on_each_others_counts(store: Store) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: nothing runs at once there")
    rng = random.Random(20)
    digests = [f"d{i}" for i in range(50)]

    def batch(county: str) -> list[dict[str, Any]]:
        rows = []
        for i in range(200):
            row = _member(rng, f"{county}-{i}", 1, digests)
            rows.append({**row, "county": county, "township": TOWNSHIPS[county][i % 3]})
        return rows

    first, second = batch(COUNTIES[0]), batch(COUNTIES[1])
    with store.engine.connect() as a, store.engine.connect() as b:
        ta = a.begin()
        stats_facts.upsert(a, first)  # holds its county's cells until it commits
        tb = b.begin()
        b.exec_driver_sql("SET LOCAL lock_timeout = '3s'")  # a wait would fail here
        stats_facts.upsert(b, second)
        tb.commit()
        ta.commit()
    _same_counts(store)
    with store.read() as conn:
        assert {k[0] for k in member_counts.cells(conn)} == set(COUNTIES)
