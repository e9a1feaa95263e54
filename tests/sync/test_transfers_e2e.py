"""Membership transfers between two townships through a real county server over HTTPS.

Township A asks to transfer a member to a union of township B; the request goes up in A's batch,
the county offers it to B, B accepts (or refuses) in its own workspace, the answer goes up in B's
batch and the county passes it back to A, whose pending transfer is then confirmed (the member
leaves A's roster) or cancelled (the member stays).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from desktop import link
from desktop.domain import transfer_offers, transfers
from desktop.reports.roster_pdf import union_members
from sync.server.domain.transfers import transfer_rows
from sync.server.tables import inbox
from tests.rosters.conftest import resident_id
from tests.sync.client_support import HandleView, create_township, union_data

A, B = "330106001", "330106002"


@pytest.fixture
def county(county_server_factory: Callable[..., Any]) -> HandleView:
    return HandleView(county_server_factory())


@pytest.fixture
def towns(tmp_path: Path, county: HandleView) -> Any:
    """Two enrolled townships: A with a union and a member, B with a union."""
    ws_a, ws_b = create_township(tmp_path, A), create_township(tmp_path, B)
    link.enroll(ws_a, county.url, county.enroll_code(A))
    link.enroll(ws_b, county.url, county.enroll_code(B))
    union_a = ws_a.records.save("union", union_data(A, full_name="西溪甲公司工会委员会")).uuid
    union_b = ws_b.records.save("union", union_data(B, full_name="北山乙公司工会委员会")).uuid
    member = ws_a.records.save(
        "member",
        {
            "union": union_a,
            "name": "钱七",
            "id_number": resident_id(31),
            "mobile": "13600000000",
            "join_date": "2018-04-01",
            "changes": [{"kind": "join", "date": "2018-04-01"}],
        },
    ).uuid
    yield ws_a, ws_b, union_a, union_b, member
    ws_a.close()
    ws_b.close()


def _offer_messages(county: HandleView) -> list[Any]:
    with county.server.store.read() as conn:
        return list(conn.execute(select(inbox).where(inbox.c.kind == "transfer_offer")))


def _request(ws: Any, member: str, **kw: Any) -> transfers.PendingTransfer:
    return transfers.request_external_transfer(
        ws,
        member,
        to_union_name=kw.pop("to_union_name", "北山乙公司工会"),
        to_org_unit=kw.pop("to_org_unit", B),
        date="2026-11-01",
        reason="工作调动",
        **kw,
    )


def test_transfer_accepted_flows_through_sync(county: HandleView, towns: Any) -> None:
    ws_a, ws_b, union_a, union_b, member = towns
    pending = _request(ws_a, member)
    assert link.sync_now(ws_a).rejected == 0
    assert [m.org_unit for m in county.record_rows_of(A) if m.form_id == "member_transfer"] == [A]

    link.sync_now(ws_b)
    [offer] = transfer_offers.incoming_offers(ws_b)
    assert (offer.id, offer.member_name, offer.from_org_unit) == (pending.id, "钱七", A)
    assert offer.from_org_unit_name == "西溪街道总工会" and offer.reason == "工作调动"
    assert offer.from_union_name == "西溪甲公司工会委员会"

    rec = transfer_offers.accept_offer(ws_b, offer.id, union_b, note="欢迎")
    assert transfer_offers.incoming_offers(ws_b) == []
    full = ws_b.records.get(rec.uuid, unmask=True).data
    assert full["union"] == union_b and full["name"] == "钱七"
    assert full["id_number"] == resident_id(31) and full["mobile"] == "13600000000"
    assert [c["kind"] for c in full["changes"]] == ["join", "transfer_out", "transfer_in"]
    assert full["changes"][-1]["from_union"] == "西溪甲公司工会委员会（西溪街道总工会）"
    assert [r.uuid for r in union_members(ws_b, union_b)] == [rec.uuid]
    # the offer no longer keeps the member's details once settled
    assert all("request" not in i for i in ws_b.settings.get(transfer_offers.OFFERS_KEY))

    summary_b = link.sync_now(ws_b)
    assert summary_b.rejected == 0 and summary_b.received >= 2  # member + answer (+ union)
    assert [r.state for r in transfer_rows(county.server)] == ["accepted"]

    # before A hears back, the member still counts at A
    assert [r.uuid for r in union_members(ws_a, union_a)] == [member]
    link.sync_now(ws_a)
    [done] = transfers.pending_transfers(ws_a, state=None)
    assert done.state == "confirmed" and done.joined_union == "北山乙公司工会委员会"
    assert done.settled_note == "欢迎"
    assert union_members(ws_a, union_a) == []
    # history kept at A too: the member record is still there with its 转出 row
    assert ws_a.records.get(member).data["changes"][-1]["kind"] == "transfer_out"
    # syncing again changes nothing on either side
    link.sync_now(ws_a)
    link.sync_now(ws_b)
    assert len(transfers.pending_transfers(ws_a, state=None)) == 1
    assert [o.state for o in transfer_offers.incoming_offers(ws_b, state=None)] == ["accepted"]


def test_transfer_refused_keeps_the_member(county: HandleView, towns: Any) -> None:
    ws_a, ws_b, union_a, _union_b, member = towns
    pending = _request(ws_a, member)
    link.sync_now(ws_a)  # the member record is now with the county (not editable)
    link.sync_now(ws_b)
    [offer] = transfer_offers.incoming_offers(ws_b)
    with pytest.raises(transfers.TransferError) as err:
        transfer_offers.refuse_offer(ws_b, offer.id, note="  ")
    assert err.value.code == "transfer.note_required"
    assert transfer_offers.incoming_offers(ws_b) == [offer]  # nothing changed
    transfer_offers.refuse_offer(ws_b, offer.id, note="本单位无此岗位")
    assert ws_b.records.count("member") == 0
    link.sync_now(ws_b)
    link.sync_now(ws_a)

    [done] = transfers.pending_transfers(ws_a, state=None)
    assert done.id == pending.id and done.state == "cancelled"
    assert done.settled_note == "本单位无此岗位"
    # the member counts again at once, although the record is still with the county ...
    assert [r.uuid for r in union_members(ws_a, union_a)] == [member]
    assert done.restore_waiting
    # ... and the 转出 row goes when the county has decided on the record
    with county.server.store.write() as conn:
        version = ws_a.records.get(member).version
        device = link.state.load_enrollment(ws_a.settings).device_id
        county.server.enqueue(
            conn,
            device,
            "review_decision",
            {
                "record_uuid": member,
                "version": version,
                "decision": "accepted",
                "comment": "",
                "reviewer": "r",
                "decided_at": "2026-11-23T00:00:00Z",
            },
        )
    link.sync_now(ws_a)
    rec = ws_a.records.get(member)
    assert [c["kind"] for c in rec.data["changes"]] == ["join"]
    assert not transfers.pending_transfers(ws_a, state=None)[0].restore_waiting
    assert [r.uuid for r in union_members(ws_a, union_a)] == [member]


def test_same_batch_twice_gives_one_offer(county: HandleView, towns: Any) -> None:
    ws_a, ws_b, *_rest, member = towns
    _request(ws_a, member)
    client = link.make_client(ws_a)
    try:
        client.upload()
        [batch_id] = [h["batch_id"] for h in link.state.history(ws_a.settings)]
        envelope = county.server.store.batch(batch_id).envelope
        for _ in range(2):  # delivered again (a lost receipt): the stored receipt comes back
            r = client.session.post(
                county.url + "/v1/batches",
                data=bytes(envelope),
                headers={"Content-Type": "application/json"},
            )
            assert r.status_code == 200
    finally:
        client.session.close()
    assert len(_offer_messages(county)) == 1
    link.sync_now(ws_b)
    link.sync_now(ws_b)
    assert len(transfer_offers.incoming_offers(ws_b)) == 1


@pytest.mark.parametrize("target", ["330106099", "330106"])  # unknown; the county itself
def test_offer_for_an_unknown_township_is_rejected(
    county: HandleView, towns: Any, target: str
) -> None:
    ws_a, _ws_b, union_a, _union_b, member = towns
    _request(ws_a, member, to_org_unit=target)
    summary = link.sync_now(ws_a)
    assert summary.rejected == 1
    [refused] = link.state.rejected(ws_a.settings)
    assert [e["code"] for e in refused["errors"]] == ["sync.transfer_unknown_org_unit"]
    assert "sync.transfer_unknown_org_unit" in county.handle.log_text()
    assert _offer_messages(county) == [] and transfer_rows(county.server) == []
    # still pending here, and the clerk can withdraw it: the member stays
    [pending] = transfers.pending_transfers(ws_a)
    transfers.cancel_transfer(ws_a, pending.id, note="代码填错")
    assert [r.uuid for r in union_members(ws_a, union_a)] == [member]


def test_offer_reaches_a_township_enrolled_later(
    tmp_path: Path, county: HandleView, towns: Any
) -> None:
    ws_a, *_rest, member = towns
    late = "330106003"
    county.server.store.add_org_unit(late, "转塘街道总工会", "330106", "township")
    _request(ws_a, member, to_org_unit=late)
    assert link.sync_now(ws_a).rejected == 0
    from desktop.store import Workspace

    ws_c, _ = Workspace.create(
        tmp_path / "ws-late",
        org_unit_code=late,
        org_unit_name="转塘街道总工会",
        admin_user="admin",
        admin_password="pw-Xixi-2026!",
    )
    try:
        link.enroll(ws_c, county.url, county.enroll_code(late))
        link.sync_now(ws_c)
        assert [o.member_name for o in transfer_offers.incoming_offers(ws_c)] == ["钱七"]
    finally:
        ws_c.close()


def test_withdrawn_transfer_drops_the_offer(county: HandleView, towns: Any) -> None:
    ws_a, ws_b, union_a, _union_b, member = towns
    first = _request(ws_a, member)
    link.sync_now(ws_a)
    link.sync_now(ws_b)
    assert [o.id for o in transfer_offers.incoming_offers(ws_b)] == [first.id]
    transfers.cancel_transfer(ws_a, first.id, note="本人不去了")
    assert link.sync_now(ws_a).rejected == 0
    link.sync_now(ws_b)
    assert transfer_offers.incoming_offers(ws_b) == []
    [gone] = transfer_offers.incoming_offers(ws_b, state=None)
    assert gone.state == "withdrawn" and gone.note == "本人不去了"
    assert all("request" not in i for i in ws_b.settings.get(transfer_offers.OFFERS_KEY))
    assert [r.state for r in transfer_rows(county.server)] == ["withdrawn"]
    assert [r.uuid for r in union_members(ws_a, union_a)] == [member]


def test_requested_and_withdrawn_before_sending(county: HandleView, towns: Any) -> None:
    ws_a, ws_b, *_rest, member = towns
    pending = _request(ws_a, member)
    transfers.cancel_transfer(ws_a, pending.id, note="填错了")
    summary = link.sync_now(ws_a)  # request and withdrawal in one batch
    assert summary.rejected == 0
    link.sync_now(ws_b)
    assert [o.state for o in transfer_offers.incoming_offers(ws_b, state=None)] == ["withdrawn"]


def test_withdrawal_after_acceptance_here(county: HandleView, towns: Any) -> None:
    ws_a, ws_b, _union_a, union_b, member = towns
    pending = _request(ws_a, member)
    link.sync_now(ws_a)
    link.sync_now(ws_b)
    transfers.cancel_transfer(ws_a, pending.id, note="撤回")
    link.sync_now(ws_a)  # the withdrawal reaches the county first
    transfer_offers.accept_offer(ws_b, pending.id, union_b)  # B accepted before it heard
    summary = link.sync_now(ws_b)
    assert summary.rejected == 1
    codes = [e["code"] for r in link.state.rejected(ws_b.settings) for e in r["errors"]]
    assert codes == ["sync.transfer_answered"]
    [offer] = transfer_offers.incoming_offers(ws_b, state=None)
    assert offer.state == "accepted" and offer.withdrawn_late
    link.sync_now(ws_a)  # A's transfer stays cancelled: nothing came back for it
    assert [t.state for t in transfers.pending_transfers(ws_a, state=None)] == ["cancelled"]
