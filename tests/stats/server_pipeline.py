"""The fixed data set carried township → county → province for real: two desktop workspaces
(西溪 with the data set of conftest.py, 北山 with one union and two members, one of whom has
the same ID number as 西溪's 赵一) sync with a county over HTTPS, a reviewer device accepts
everything, the county relays it to its province. County and province on SQLite, or both on
PostgreSQL (a throwaway cluster)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from desktop import link
from sync.server.config import init_data_dir
from sync.server.domain.relay import relay_once
from tests.stats.conftest import _member, build
from tests.sync.client_support import COUNTY_CODE, TOWNSHIPS, ThreadedServer, create_township
from tests.sync.relay_support import Province, accept_all, link_county, reviewer_client

XIXI, BEISHAN = "330106001", "330106002"
BEISHAN_UNION = "北山物流公司工会"
#: personal values of 北山's members (never in a table)
BEISHAN_PERSONAL = ("陈一", "林二")


class StatsCounty(ThreadedServer):
    """西湖区 (330106) with both townships in its tree, on SQLite or ``db_url``."""

    def __init__(self, root: Path, db_url: str = "") -> None:
        data_path = root / "county"
        init_data_dir(data_path, level="county", name="西湖区总工会", org_unit_code=COUNTY_CODE,
                      db_url=db_url)  # fmt: skip
        super().__init__(data_path)
        for code, name in TOWNSHIPS.items():
            self.server.store.add_org_unit(code, name, COUNTY_CODE, "township")

    def enroll_code(self, org_unit: str) -> str:
        return self.server.make_enroll_code(org_unit, role="township")


def fresh_database(request: pytest.FixtureRequest, name: str) -> str:
    """A new, empty database in the throwaway PostgreSQL cluster of test_server_postgres."""
    from tests.sync.test_server_postgres import fresh_database as fresh

    return fresh(request.getfixturevalue("postgres_url"), name)


def build_beishan(ws: Any) -> None:
    """One union (10 employees, 4 women); 陈一 (f, since 2021, 赵一's ID number) and 林二 (m,
    ride-hailing driver, joined 2026-01-15)."""
    union = ws.records.save("union", {
        "full_name": BEISHAN_UNION, "union_type": "independent", "status": "active",
        "founded_date": "2020-01-02", "employer_name": "北山物流公司",
        "employer_nature": "enterprise_domestic", "division_code": COUNTY_CODE,
        "employees": 10, "female_employees": 4, "members": 2,
    }).uuid  # fmt: skip
    ws.records.save("member", _member(union, "陈一", 2, "2021-03-01"))
    ws.records.save("member", _member(union, "林二", 15, "2026-01-15",
                    employment_form="new_form", new_form_kind="ride_hailing_driver",
                    changes=[{"kind": "join", "date": "2026-01-15"}]))  # fmt: skip


def carry(root: Path, county: StatsCounty, province: Province) -> dict[str, Any]:
    """Build both townships, sync, accept all at the county, relay to the province; returns
    each township's own report (the desktop's, as of AS_OF for PERIOD)."""
    from desktop.domain.stats_facts import township_report
    from tests.stats.conftest import AS_OF, PERIOD

    link_county(county.server, province)
    reviewer = reviewer_client(county.url, county.server)
    spaces = {code: create_township(root, code) for code in (XIXI, BEISHAN)}
    try:
        for code, ws in spaces.items():
            link.enroll(ws, county.url, county.enroll_code(code))
        build(spaces[XIXI])
        build_beishan(spaces[BEISHAN])
        for ws in spaces.values():
            result = link.sync_now(ws)
            assert result.rejected == 0, result
        decided = accept_all(reviewer)
        assert len(decided) == 20 and all(r["result"] == "ok" for r in decided), decided
        relay_once(county.server)
        return {code: township_report(ws, AS_OF, PERIOD) for code, ws in spaces.items()}
    finally:
        reviewer.session.close()
        for ws in spaces.values():
            ws.close()
