"""Review decisions reach the township in one signed message per request (issue 20).

A township declares the inbox kinds it applies with every inbox read; the county then sends all
of a review request's decisions for it in one ``review_decisions`` message. A township that
never declared (a release from before) keeps getting one ``review_decision`` per record. The
township applies a ``review_decisions`` message record by record: a record that cannot apply
is set aside (or held, for a passing reason) on its own, and the others are not lost.

Real parts: the county over HTTPS on 127.0.0.1, SQLCipher workspaces, a reviewer device
enrolled over HTTPS deciding through ``POST /v1/review/decisions``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from desktop import link
from desktop.link import state
from desktop.store import errors
from sync.review_client import ReviewClient
from sync.server.tables import inbox
from tests.sync.client_support import County, create_township, union_data
from tests.sync.relay_support import reviewer_client

A, B = "330106001", "330106002"


@pytest.fixture
def reviewer(county: County) -> Iterator[ReviewClient]:
    client = reviewer_client(county.url, county.server)
    yield client
    client.session.close()


def _township(tmp_path: Path, county: County, code: str, count: int) -> tuple[Any, list[Any]]:
    """An enrolled township with ``count`` union records delivered to the county."""
    ws = create_township(tmp_path, code)
    link.enroll(ws, county.url, county.enroll_code(code))
    recs = [ws.records.save("union", union_data(code), status="ready") for _ in range(count)]
    return ws, recs


def _old_sync(ws: Any) -> Any:
    """A sync by a release from before ``review_decisions``: its engine declares no kinds."""
    client = link.make_client(ws)
    client.inbox_kinds = ()
    try:
        return client.sync()
    finally:
        client.session.close()


def _device(ws: Any) -> str:
    return state.load_enrollment(ws.settings).device_id


def _kinds_sent(county: County, ws: Any) -> list[str]:
    with county.server.store.read() as conn:
        rows = conn.execute(
            select(inbox.c.kind)
            .where(inbox.c.device_id == _device(ws), inbox.c.kind.like("review_%"))
            .order_by(inbox.c.msg_seq)
        )
        return [r.kind for r in rows]


def _decide(reviewer: ReviewClient, accept: list[Any], ret: list[Any]) -> None:
    decisions = [
        {"record_uuid": r.uuid, "version": r.version, "decision": "accepted"} for r in accept
    ] + [
        {"record_uuid": r.uuid, "version": r.version, "decision": "returned", "comment": "请补充"}
        for r in ret
    ]
    results = reviewer.decide("王审核", decisions)
    assert [r["result"] for r in results] == ["ok"] * len(decisions)


def test_a_current_township_gets_one_message_per_request_and_an_old_one_one_per_record(
    tmp_path: Path, county: County, reviewer: ReviewClient
) -> None:
    new, new_recs = _township(tmp_path, county, A, 5)
    old, old_recs = _township(tmp_path, county, B, 3)
    try:
        assert link.sync_now(new).records_sent == 5  # and declared review_decisions
        assert _old_sync(old).records_sent == 3  # declared nothing
        # one request deciding records of both townships
        _decide(reviewer, new_recs[:3] + old_recs[:2], new_recs[3:] + old_recs[2:])
        assert _kinds_sent(county, new) == ["review_decisions"]
        assert _kinds_sent(county, old) == ["review_decision"] * 3

        summary = link.sync_now(new)
        assert summary.inbox_applied == 1
        got = {
            r.uuid: (r.status, r.comment or "")
            for r in map(new.records.get, (r.uuid for r in new_recs))
        }
        assert [got[r.uuid] for r in new_recs] == [("accepted", "")] * 3 + [
            ("returned", "请补充")
        ] * 2
        assert _old_sync(old).inbox_applied == 3
        assert [
            (r.status, r.comment or "") for r in map(old.records.get, (r.uuid for r in old_recs))
        ] == [
            ("accepted", ""),
            ("accepted", ""),
            ("returned", "请补充"),
        ]
        # the returned records come back corrected in one request: again one message
        fixed = [new.records.save("union", dict(new.records.get(r.uuid).data), record_uuid=r.uuid,
                                  status="ready") for r in new_recs[3:]]  # fmt: skip
        link.sync_now(new)
        _decide(reviewer, fixed, [])
        assert _kinds_sent(county, new) == ["review_decisions"] * 2
        link.sync_now(new)
        assert {new.records.get(r.uuid).status for r in new_recs} == {"accepted"}
        assert state.held(new) == [] and state.set_aside(new) == []
    finally:
        new.close()
        old.close()


def test_a_township_back_on_an_older_release_gets_one_message_per_record_again(
    tmp_path: Path, county: County, reviewer: ReviewClient
) -> None:
    ws, recs = _township(tmp_path, county, A, 2)
    try:
        link.sync_now(ws)  # declared
        _old_sync(ws)  # the same device read its inbox without declaring (an older release)
        _decide(reviewer, recs, [])
        assert _kinds_sent(county, ws) == ["review_decision"] * 2
        assert _old_sync(ws).inbox_applied == 2
        assert {ws.records.get(r.uuid).status for r in recs} == {"accepted"}
    finally:
        ws.close()


def _send_decisions(county: County, ws: Any, decisions: list[dict[str, Any]]) -> None:
    with county.server.store.write() as conn:
        county.server.enqueue(conn, _device(ws), "review_decisions", {
            "reviewer": "王审核", "decided_at": "2026-12-07T00:00:00Z", "decisions": decisions,
        })  # fmt: skip


def _decision(rec: Any, decision: str = "accepted", **over: Any) -> dict[str, Any]:
    comment = "请补充" if decision == "returned" else ""
    return {"record_uuid": rec.uuid, "version": rec.version, "decision": decision,
            "comment": comment, **over}  # fmt: skip


def test_a_record_that_can_never_apply_is_set_aside_alone_and_the_others_apply(
    tmp_path: Path, county: County
) -> None:
    ws, recs = _township(tmp_path, county, A, 2)
    try:
        link.sync_now(ws)
        # the county decided a record this workspace does not have (restored from an older
        # backup, say) between two it has
        ghost = _decision(recs[0], record_uuid="00000000-0000-4000-8000-000000000000")
        _send_decisions(county, ws, [_decision(recs[0]), ghost, _decision(recs[1], "returned")])
        assert link.sync_now(ws).inbox_applied == 1
        assert ws.records.get(recs[0].uuid).status == "accepted"
        got = ws.records.get(recs[1].uuid)
        assert (got.status, got.comment) == ("returned", "请补充")
        [aside] = state.set_aside(ws)
        assert aside["kind"] == "review_decisions" and aside["reason"] == "RecordNotFound"
        assert aside["record_uuid"] == ghost["record_uuid"]
        assert state.held(ws) == []
        link.sync_now(ws)
        assert len(state.set_aside(ws)) == 1  # not retried
    finally:
        ws.close()


@pytest.mark.parametrize("failure", [errors.RecordNotEditable, errors.DatabaseBusy])
def test_a_record_failing_for_a_passing_reason_is_held_alone_and_applied_next_sync(
    tmp_path: Path, county: County, monkeypatch: pytest.MonkeyPatch, failure: type[Exception]
) -> None:
    ws, recs = _township(tmp_path, county, A, 3)
    try:
        link.sync_now(ws)
        _send_decisions(county, ws, [_decision(r) for r in recs])
        records_cls = type(ws.records)
        real = records_cls.set_status
        failed: list[str] = []

        def busy_once(self: Any, record_uuid: str, *args: Any, **kwargs: Any) -> Any:
            if record_uuid == recs[1].uuid and not failed:  # the middle record, once
                failed.append(record_uuid)
                raise failure("not now")
            return real(self, record_uuid, *args, **kwargs)

        monkeypatch.setattr(records_cls, "set_status", busy_once)
        link.sync_now(ws)
        statuses = [ws.records.get(r.uuid).status for r in recs]
        if failure is errors.RecordNotEditable:  # this record only: the one after it applies
            assert statuses == ["accepted", "delivered", "accepted"]
            held_uuids = [recs[1].uuid]
        else:  # the database: this record and the ones after it wait
            assert statuses == ["accepted", "delivered", "delivered"]
            held_uuids = [recs[1].uuid, recs[2].uuid]
        [held] = state.held(ws)
        assert [d["record_uuid"] for d in held["body"]["decisions"]] == held_uuids
        assert state.set_aside(ws) == []

        link.sync_now(ws)  # the next sync applies the rest
        assert [ws.records.get(r.uuid).status for r in recs] == ["accepted"] * 3
        assert state.held(ws) == [] and state.set_aside(ws) == []
        with county.server.store.read() as conn:  # acknowledged at the county
            waiting = conn.execute(
                select(inbox.c.msg_seq).where(
                    inbox.c.device_id == _device(ws), inbox.c.acked_at.is_(None)
                )
            ).all()
        assert waiting == []
    finally:
        ws.close()
