"""The receiving side of a transfer from another township, on real workspaces (no server).

The offer body is what the county sends: the sending township's ``member_transfer`` record as its
outbox sealed it, so the data is exactly what crossed the wire.
"""

from __future__ import annotations

from typing import Any

import pytest

from desktop.domain import transfer_offers, transfers
from desktop.reports.roster_pdf import union_members
from desktop.store import Workspace, errors
from tests.rosters.conftest import B, offer_body, request_to_b, resident_id, union_data


def test_request_saves_the_transfer_record(ws: Workspace, member: str) -> None:
    pending = request_to_b(ws, member)
    rec = ws.records.get(pending.request_uuid, unmask=True)
    assert rec.form_id == "member_transfer" and rec.org_unit == "330106001"
    assert rec.data["transfer_id"] == pending.id and rec.data["to_org_unit"] == B
    assert rec.data["id_number"] == resident_id(31) and rec.data["mobile"] == "13600000000"
    assert [c["kind"] for c in rec.data["changes"]] == ["join", "transfer_out"]
    # listed masked like any sensitive field
    assert ws.records.get(pending.request_uuid).data["id_number"] != resident_id(31)
    queued = {i.record_uuid for i in ws.outbox.pending(100)}
    assert {pending.request_uuid, member} <= queued


def test_incomplete_member_cannot_be_requested(ws: Workspace, union: str) -> None:
    draft = ws.records.save("member", {"union": union, "name": "草稿"}, status="draft")
    with pytest.raises(transfers.TransferError) as err:
        request_to_b(ws, draft.uuid)
    assert err.value.code == "transfer.member_incomplete" and "id_number" in str(err.value)
    assert transfers.pending_transfers(ws) == [] and ws.records.get(draft.uuid).version == 1
    assert ws.records.count("member_transfer") == 0


def test_offer_accept_and_repeat(ws: Workspace, ws_b: Workspace, member: str) -> None:
    union_b = ws_b.records.save("union", union_data("北山某工会")).uuid
    body = offer_body(ws, request_to_b(ws, member))
    events: list[Any] = []
    ws_b.subscribe(events.append)  # the window listens: the Members toolbar count refreshes
    offer = transfer_offers.receive_offer(ws_b, body)
    assert len(events) == 1
    assert transfer_offers.receive_offer(ws_b, body) == offer  # the same offer twice is one
    assert transfer_offers.incoming_offers(ws_b) == [offer]
    # bad input: a record that is not a union; nothing saved, the offer stays open
    with pytest.raises(transfers.TransferError):
        transfer_offers.accept_offer(ws_b, offer.id, offer.id)
    assert ws_b.records.count("member") == 0 and transfer_offers.incoming_offers(ws_b) == [offer]
    rec = transfer_offers.accept_offer(ws_b, offer.id, union_b)
    assert rec.data["union"] == union_b and rec.data["changes"][-1]["kind"] == "transfer_in"
    assert rec.data["changes"][-1]["date"] == "2026-11-01"
    [answer] = ws_b.records.query("member_transfer_answer")
    assert answer.data["decision"] == "accepted" and answer.data["union_name"] == "北山某工会"
    with pytest.raises(transfers.TransferError) as err:
        transfer_offers.accept_offer(ws_b, offer.id, union_b)
    assert err.value.code == "transfer.settled"
    with pytest.raises(transfers.TransferError):
        transfer_offers.refuse_offer(ws_b, offer.id, note="晚了")
    assert ws_b.records.count("member") == 1


def test_member_on_file_is_updated_not_duplicated(
    ws: Workspace, ws_b: Workspace, member: str
) -> None:
    union_b = ws_b.records.save("union", union_data("北山某工会")).uuid
    old = ws_b.records.save(
        "member",
        {
            "union": union_b,
            "name": "钱七",
            "id_number": resident_id(31),
            "join_date": "2015-01-01",
            "changes": [
                {"kind": "join", "date": "2015-01-01"},
                {"kind": "withdraw", "date": "2017-01-01"},
            ],
        },
    )
    assert union_members(ws_b, union_b) == []
    offer = transfer_offers.receive_offer(ws_b, offer_body(ws, request_to_b(ws, member)))
    rec = transfer_offers.accept_offer(ws_b, offer.id, union_b)
    assert rec.uuid == old.uuid and rec.version == 2
    assert [c["kind"] for c in rec.data["changes"]] == ["join", "withdraw", "transfer_in"]
    assert [r.uuid for r in union_members(ws_b, union_b)] == [old.uuid]


def test_offer_for_another_township_or_malformed_is_skipped(
    ws: Workspace, ws_b: Workspace, member: str
) -> None:
    body = offer_body(ws, request_to_b(ws, member))
    assert transfer_offers.receive_offer(ws, body) is None  # A is not the receiving side
    assert transfer_offers.receive_offer(ws_b, {**body, "request": "x"}) is None
    assert transfer_offers.receive_offer(ws_b, {**body, "transfer_id": "other"}) is None
    assert transfer_offers.incoming_offers(ws_b, state=None) == []
    # the same body unaltered is taken by B: the refusals above come from what was changed
    assert transfer_offers.receive_offer(ws_b, body) is not None


def test_answer_applied_once(ws: Workspace, union: str, member: str) -> None:
    pending = request_to_b(ws, member)
    answer = {"transfer_id": pending.id, "decision": "refused", "note": "无岗位"}
    done = transfers.apply_answer(ws, answer)
    assert done is not None and done.state == "cancelled" and not done.restore_waiting
    assert transfers.apply_answer(ws, answer) is None  # again: nothing changes
    assert transfers.apply_answer(ws, {**answer, "transfer_id": "unknown"}) is None
    rec = ws.records.get(member)
    assert [c["kind"] for c in rec.data["changes"]] == ["join"]
    assert [r.uuid for r in union_members(ws, union)] == [member]


def test_refusal_while_with_the_county_is_finished_later(
    ws: Workspace, union: str, member: str
) -> None:
    pending = request_to_b(ws, member)
    items = ws.outbox.pending(100)
    ws.outbox.seal("b1", ws.outbox.next_device_seq(), b"{}", [i.seq for i in items])
    assert ws.records.get(member).status == "queued"
    done = transfers.cancel_transfer(ws, pending.id, note="拒收")
    assert done.restore_waiting and [r.uuid for r in union_members(ws, union)] == [member]
    assert transfers.finish_cancellations(ws) == 0  # still not editable
    with pytest.raises(errors.RecordNotEditable):
        ws.records.save("member", ws.records.get(member).data, record_uuid=member)
    ws.records.set_status(member, "accepted")
    assert transfers.finish_cancellations(ws) == 1
    assert [c["kind"] for c in ws.records.get(member).data["changes"]] == ["join"]
    assert transfers.pending_member_uuids(ws) == set()


def test_withdrawal_applied_once(ws: Workspace, ws_b: Workspace, member: str) -> None:
    pending = request_to_b(ws, member)
    offer = transfer_offers.receive_offer(ws_b, offer_body(ws, pending))
    body = {"transfer_id": offer.id, "decision": "withdrawn", "note": "撤回"}
    gone = transfer_offers.apply_withdrawal(ws_b, body)
    assert gone is not None and gone.state == "withdrawn"
    assert transfer_offers.apply_withdrawal(ws_b, body) == gone
    assert transfer_offers.apply_withdrawal(ws_b, {**body, "transfer_id": "x"}) is None
    with pytest.raises(transfers.TransferError) as err:
        transfer_offers.accept_offer(ws_b, offer.id, offer.id)
    assert err.value.code == "transfer.settled"
    # the sending side's withdrawal record goes upward with the cancellation
    transfers.cancel_transfer(ws, pending.id, note="撤回")
    [withdrawal] = ws.records.query("member_transfer_answer")
    assert withdrawal.data["decision"] == "withdrawn" and withdrawal.org_unit == ws.org_unit.code
