"""The province counts each member once, and only while a current member (forms.membership).

Two real townships (desktop workspaces) sync with a real county over HTTPS; a reviewer accepts
what arrives and the county relays it to a real province (SQLite). Township A transfers a member
to township B: the province counts it at A while the transfer is pending and at B alone once B's
acceptance is relayed. Members who withdrew (退会) are records but not members. Once more with
the province on PostgreSQL (what a province runs; skipped without Debian's postgresql).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from desktop import link
from desktop.domain import transfer_offers
from sync.server.domain.province import aggregates
from sync.server.domain.relay import relay_once
from tests.rosters.conftest import resident_id
from tests.sync.client_support import HandleView, create_township, union_data
from tests.sync.relay_support import Province, link_county, reviewer_client
from tests.sync.test_province_totals import assert_totals_recounted
from tests.sync.test_server_postgres import postgres_url  # noqa: F401  (throwaway cluster)
from tests.sync.test_transfers_e2e import A, B, _request


def _members(province: Province) -> dict[str, int]:
    """township → counted members, and "records" → member records; and the kept totals equal
    a recount from the facts after each relay (new, replaced and re-derived records)."""
    assert_totals_recounted(province.server.store)
    rows = aggregates(province.server.store, "township")
    by_form = {r["key"]: r["records"] for r in aggregates(province.server.store, "form")}
    return {**{r["key"]: r["members"] for r in rows}, "records": by_form["member"]}


def _stat_members(store: Any) -> dict[str, tuple[int, int]]:
    """unit → (members, female members) of the statistics tables' membership table, today."""
    import datetime

    from sync.server.domain.stats_report import report

    rep = report(store, "330106", datetime.date.today().isoformat())
    rows = rep.tables[1].rows
    return {r.unit: (int(r.values["members"] or 0), int(r.values["female"] or 0)) for r in rows}


def _person(union: str, n: int, *changes: dict[str, str], **data: Any) -> dict[str, Any]:
    return {
        "union": union,
        "name": f"会员{n}",
        "id_number": resident_id(40 + n),
        "mobile": f"1360000{n:04d}",
        "join_date": "2018-04-01",
        "changes": [{"kind": "join", "date": "2018-04-01"}, *changes],
        **data,
    }


def _province(request: pytest.FixtureRequest, tmp_path: Path, backend: str) -> Province:
    if backend == "sqlite":
        return Province(tmp_path)
    from sqlalchemy import create_engine, text

    url = request.getfixturevalue("postgres_url")  # the throwaway cluster of test_server_postgres
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('CREATE DATABASE "provmembers"'))
    admin.dispose()
    return Province(tmp_path, db_url=url.replace("/postgres?", "/provmembers?"))


@pytest.mark.parametrize(
    ("backend", "member_late"), [("sqlite", False), ("sqlite", True), ("postgresql", False)]
)
def test_province_counts_a_transferred_member_once(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    county_server_factory: Callable[..., Any],
    backend: str,
    member_late: bool,
) -> None:
    """``member_late``: the reviewer holds A's transferred member record back, so it reaches the
    province after B's acceptance (counted at B alone from the start)."""
    province = _province(request, tmp_path, backend)
    assert province.server.store.engine.dialect.name == backend
    county = HandleView(county_server_factory())
    ws_a, ws_b = create_township(tmp_path, A), create_township(tmp_path, B)
    reviewer = None
    try:
        link_county(county.server, province)
        reviewer = reviewer_client(county.url, county.server)
        link.enroll(ws_a, county.url, county.enroll_code(A))
        link.enroll(ws_b, county.url, county.enroll_code(B))
        union_a = ws_a.records.save("union", union_data(A)).uuid
        union_b = ws_b.records.save("union", union_data(B)).uuid
        moving = ws_a.records.save("member", _person(union_a, 1, gender="female")).uuid
        ws_a.records.save("member", _person(union_a, 2, {"kind": "withdraw", "date": "2025-06-01"}))
        staying = ws_a.records.save("member", _person(union_a, 3)).uuid

        def relay_all(hold: str = "") -> None:
            pending = reviewer.queue(status="pending", limit=1000)["records"]
            decisions = [
                {"record_uuid": r["record_uuid"], "version": r["version"], "decision": "accepted"}
                for r in pending
                if r["record_uuid"] != hold
            ]
            assert all(r["result"] == "ok" for r in reviewer.decide("王审核", decisions))
            relay_once(county.server)

        _request(ws_a, moving)
        assert link.sync_now(ws_a).rejected == 0
        link.sync_now(ws_b)  # B's union (and the offer comes down)
        relay_all(hold=moving if member_late else "")
        # pending: the transferred member still counts at A; the withdrawn one nowhere
        if member_late:
            assert _members(province) == {A: 1, B: 0, "records": 2}
        else:
            assert _members(province) == {A: 2, B: 0, "records": 3}

        [offer] = transfer_offers.incoming_offers(ws_b)
        transfer_offers.accept_offer(ws_b, offer.id, union_b)
        # a newer version replaces the older one in the counts: member 3 leaves (除名)
        link.sync_now(ws_a)  # the county's acceptances make A's records editable again
        data = ws_a.records.get(staying).data
        changes = [*data["changes"], {"kind": "expel", "date": "2026-10-01"}]
        ws_a.records.save("member", {**data, "changes": changes}, record_uuid=staying)
        assert link.sync_now(ws_b).rejected == 0
        assert link.sync_now(ws_a).rejected == 0
        relay_all()
        # accepted: counted at B only (female, as at A); A keeps the records, not the members
        assert _members(province) == {A: 0, B: 1, "records": 4}
        [county_row] = aggregates(province.server.store, "county")
        assert (county_row["members"], county_row["female_members"]) == (1, 1)
        # the statistics tables say the same, at the county and at the province alike
        at_county = _stat_members(county.server.store)
        assert at_county == {A: (0, 0), B: (1, 1), "330106": (1, 1)}
        assert _stat_members(province.server.store) == at_county

        # syncing and relaying again changes nothing
        link.sync_now(ws_a)
        link.sync_now(ws_b)
        relay_once(county.server)
        assert _members(province) == {A: 0, B: 1, "records": 4}
    finally:
        if reviewer is not None:
            reviewer.session.close()
        ws_a.close()
        ws_b.close()
        province.close()
