"""Membership transfers: within the workspace, and pending ones to another township."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.domain.transfers import (
    TransferError,
    cancel_transfer,
    confirm_transfer,
    is_current_member,
    pending_transfers,
    request_external_transfer,
    transfer_member,
)
from desktop.reports.roster_pdf import union_members
from desktop.store import Workspace, errors
from tests.rosters.conftest import resident_id


def test_transfer_within_the_workspace(ws: Workspace, union: str, union2: str, member: str) -> None:
    rec = transfer_member(ws, member, union2, date="2024-03-15", reason="调动")
    assert rec.data["union"] == union2 and rec.version == 2
    assert [c["kind"] for c in rec.data["changes"]] == ["join", "transfer_out", "transfer_in"]
    out_row, in_row = rec.data["changes"][1:]
    assert out_row["to_union"] == "西溪物流有限公司工会" and out_row["date"] == "2024-03-15"
    assert in_row["from_union"] == "杭州某某科技有限公司工会" and in_row["reason"] == "调动"
    full = ws.records.get(member, unmask=True).data
    assert (
        full["id_number"] == resident_id(31) and full["mobile"] == "13600000000"
    )  # not masked away
    assert [r.uuid for r in union_members(ws, union2)] == [member]
    assert union_members(ws, union) == []
    assert [h.version for h in ws.records.history(member)] == [1, 2]
    queued = [(i.record_uuid, i.version) for i in ws.outbox.pending(1000)]
    assert (member, 2) in queued  # the move goes upward by sync
    assert ws.audit.verify().ok


def test_transfer_refuses_nonsense(ws: Workspace, union: str, member: str) -> None:
    with pytest.raises(TransferError) as err:
        transfer_member(ws, member, union)
    assert err.value.code == "transfer.same_union"
    with pytest.raises(TransferError):
        transfer_member(ws, member, "00000000-0000-4000-8000-000000000000")
    with pytest.raises(TransferError) as err:
        transfer_member(ws, union, union)  # a union is not a member
    assert err.value.code == "transfer.not_member"
    with pytest.raises(TransferError) as err:
        request_external_transfer(ws, member, to_union_name="x", to_org_unit="330106001")
    assert err.value.code == "transfer.same_township"
    assert ws.records.get(member).version == 1  # nothing written


def test_external_transfer_pending_until_confirmed(ws: Workspace, union: str, member: str) -> None:
    pending = request_external_transfer(
        ws,
        member,
        to_union_name="留下街道某某公司工会",
        to_org_unit="330106008",
        date="2024-05-01",
        reason="工作调动",
    )
    assert pending.state == "pending" and pending.member_name == "钱七"
    rec = ws.records.get(member)
    assert rec.data["changes"][-1]["kind"] == "transfer_out"
    assert rec.data["changes"][-1]["to_union"] == "留下街道某某公司工会（330106008）"
    assert rec.data["union"] == union
    # still on the roster while the other side has not confirmed
    assert [r.uuid for r in union_members(ws, union)] == [member]
    with pytest.raises(TransferError):
        request_external_transfer(ws, member, to_union_name="y", to_org_unit="330106009")
    with pytest.raises(TransferError):
        transfer_member(
            ws,
            member,
            ws.records.save("union", {**ws.records.get(union).data, "full_name": "新工会"}).uuid,
        )
    done = confirm_transfer(ws, pending.id, note="对方已接收")
    assert done.state == "confirmed" and pending_transfers(ws) == []
    assert union_members(ws, union) == []
    assert [t.state for t in pending_transfers(ws, state=None)] == ["confirmed"]
    with pytest.raises(TransferError):
        cancel_transfer(ws, pending.id)


def test_external_transfer_cancelled_keeps_member(ws: Workspace, union: str, member: str) -> None:
    pending = request_external_transfer(
        ws, member, to_union_name="某工会", to_org_unit="330106008", date="2024-05-01"
    )
    cancel_transfer(ws, pending.id, note="对方不接收")
    rec = ws.records.get(member)
    assert [c["kind"] for c in rec.data["changes"]] == ["join"] and rec.version == 3
    assert [r.uuid for r in union_members(ws, union)] == [member]


def test_locked_member_cannot_be_transferred(
    ws: Workspace, union: str, union2: str, member: str
) -> None:
    ws.records.sign_off(member)
    with pytest.raises(errors.RecordLocked):
        transfer_member(ws, member, union2)
    assert pending_transfers(ws) == []
    with pytest.raises(errors.RecordLocked):
        request_external_transfer(ws, member, to_union_name="某工会", to_org_unit="330106008")
    assert pending_transfers(ws) == []  # the pending entry is rolled back


def test_is_current_member_rules() -> None:
    join = {"kind": "join", "date": "2020-01-01"}
    assert is_current_member({})
    assert is_current_member({"changes": [join]})
    left = {"changes": [join, {"kind": "withdraw", "date": "2021-01-01"}]}
    assert not is_current_member(left)
    out = {"changes": [join, {"kind": "transfer_out", "date": "2021-01-01"}]}
    assert not is_current_member(out, [], "m1") and is_current_member(out, ["m1"], "m1")


def test_transfer_then_export_import_round_trip(
    tmp_path: Path, ws: Workspace, union: str, union2: str, member: str
) -> None:
    from desktop.domain import member_import as ei
    from desktop.reports.excel_export import export_records

    transfer_member(ws, member, union2, date="2024-03-15", reason="调动 | 借调")
    path = export_records(ws, "member", tmp_path / "t.xlsx", unmask=True).path
    wb_changes = ws.records.get(member).data["changes"]
    ws.records.sign_off(member)  # the import must not touch it: a duplicate to skip
    plan = ei.preview_import(ws, ei.open_member_sheet(path, ws), union)
    assert plan.error_count == 0 and len(plan.duplicate_rows("workspace")) == 1
    outcome = ei.commit_import(ws, plan, "skip")
    assert outcome.created == 0
    assert ws.records.get(member).data["changes"] == wb_changes
