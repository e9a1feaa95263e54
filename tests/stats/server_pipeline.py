"""The fixed township data set of conftest.py carried township → county → province for real:
a desktop workspace syncs with a county over HTTPS, a reviewer device accepts everything, the
county relays it to a province (SQLite or PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from desktop import link
from sync.server.domain.relay import relay_once
from tests.stats.conftest import build
from tests.sync.client_support import HandleView, create_township
from tests.sync.relay_support import Province, accept_all, link_county, reviewer_client


def fresh_database(request: pytest.FixtureRequest, name: str) -> str:
    """A new, empty database in the throwaway PostgreSQL cluster of test_server_postgres."""
    from sqlalchemy import create_engine, text

    url = request.getfixturevalue("postgres_url")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.replace("/postgres?", f"/{name}?")


def carry(tmp_path: Path, county: HandleView, province: Province) -> dict[str, str]:
    """Build the data set in township 330106001, sync, accept all, relay; the union uuids."""
    ws = create_township(tmp_path, "330106001")
    reviewer = None
    try:
        link_county(county.server, province)
        reviewer = reviewer_client(county.url, county.server)
        link.enroll(ws, county.url, county.enroll_code("330106001"))
        unions = build(ws)
        result = link.sync_now(ws)
        assert result.rejected == 0, result
        decided = accept_all(reviewer)
        assert decided and all(r["result"] == "ok" for r in decided), decided
        relay_once(county.server)
        return unions
    finally:
        if reviewer is not None:
            reviewer.session.close()
        ws.close()


def cells(report: Any) -> dict[str, list[tuple[str, list[Any]]]]:
    """table id → [(unit code, values in column order)] of a forms.stats.Report."""
    return {
        t.definition.id: [(r.unit, [r.values[c.id] for c in t.definition.columns]) for r in t.rows]
        for t in report.tables
    }
