"""An inbox message whose handler fails is never acknowledged silently (issue 21).

A handler failing for a passing reason (a locked database, a record that cannot change now) leaves
the message unapplied and retried on the next sync; one that can never apply is set aside where
the Sync page shows it; neither blocks the rest of the inbox.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop import link
from desktop.link import state
from desktop.store import errors
from tests.sync.client_support import County, create_township, union_data

TOWN = "330106001"


@pytest.fixture
def ws(tmp_path: Path, county: County) -> Iterator[Any]:
    w = create_township(tmp_path, TOWN)
    link.enroll(w, county.url, county.enroll_code(TOWN))
    yield w
    w.close()


def _send(county: County, ws: Any, kind: str, body: dict[str, Any]) -> None:
    device = state.load_enrollment(ws.settings).device_id
    with county.server.store.write() as conn:
        county.server.enqueue(conn, device, kind, body)


def _decision(record: Any, decision: str = "returned") -> dict[str, Any]:
    return {
        "record_uuid": record.uuid,
        "version": record.version,
        "decision": decision,
        "comment": "请补充",
        "reviewer": "r",
        "decided_at": "2026-11-23T00:00:00Z",
    }


def test_a_message_failing_for_a_passing_reason_is_retried_on_the_next_sync(
    ws: Any, county: County, monkeypatch: pytest.MonkeyPatch
) -> None:
    rec = ws.records.save("union", union_data(TOWN), status="ready")
    link.sync_now(ws)
    rec = ws.records.get(rec.uuid)
    assert rec.status == "delivered"
    _send(county, ws, "review_decision", _decision(rec))
    _send(county, ws, "org_units", {"org_units": [{"code": TOWN, "name": "西溪"}]})

    records_cls = type(ws.records)
    real = records_cls.set_status
    calls: list[str] = []

    def busy_once(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append("x")
        if len(calls) == 1:
            raise errors.RecordNotEditable("the record cannot change right now")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(records_cls, "set_status", busy_once)
    link.sync_now(ws)
    assert ws.records.get(rec.uuid).status == "delivered"  # not applied ...
    # ... and not blocking the rest of the inbox
    assert ws.settings.get(state.ORG_UNITS_KEY) == [{"code": TOWN, "name": "西溪"}]

    link.sync_now(ws)  # the next sync applies it
    got = ws.records.get(rec.uuid)
    assert got.status == "returned" and got.comment == "请补充"
    assert state.set_aside(ws) == []
    assert state.held(ws) == []
    link.sync_now(ws)  # once only
    assert len(calls) == 2


def test_a_message_that_can_never_apply_is_set_aside_for_the_sync_page(
    ws: Any, county: County
) -> None:
    rec = ws.records.save("union", union_data(TOWN), status="ready")
    link.sync_now(ws)
    _send(county, ws, "review_decision", {**_decision(rec), "record_uuid": "no-such-record"})
    _send(county, ws, "org_units", {"org_units": [{"code": TOWN, "name": "西溪"}]})
    link.sync_now(ws)
    [aside] = state.set_aside(ws)
    assert aside["kind"] == "review_decision" and aside["reason"] == "RecordNotFound"
    assert ws.settings.get(state.ORG_UNITS_KEY) == [{"code": TOWN, "name": "西溪"}]
    assert state.held(ws) == []
    link.sync_now(ws)
    assert len(state.set_aside(ws)) == 1  # set aside once, not retried for ever
