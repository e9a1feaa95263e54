"""Checklists in a real encrypted workspace: create, sign off (then locked for every role),
correct, template versions, rectification outcomes flowing to the outbox."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from desktop.domain import checklists
from desktop.store import Workspace, errors
from forms.checklist import DUE, OVERDUE, summarize
from tests.audits.conftest import HEADER, big_template_definition, fill, open_as


def signed_checklist(ws: Workspace, findings: dict[int, str], deadline: str = "2026-12-31"):
    rec = checklists.create_checklist(ws, HEADER)
    data = dict(rec.data)
    data["items"] = [dict(r) for r in rec.data["items"]]
    fill(data["items"], findings=findings, deadline=deadline)
    checklists.save_checklist(ws, rec.uuid, data)
    return checklists.sign_off(ws, rec.uuid)


def test_a_new_checklist_has_one_row_per_template_item(auditor_ws: Workspace) -> None:
    rec = checklists.create_checklist(auditor_ws, HEADER)
    _form, template = checklists.template_of(auditor_ws)
    assert rec.form_id == "audit_checklist" and rec.form_version == 1 and rec.status == "draft"
    assert [r["item_id"] for r in rec.data["items"]] == [i.id for i in template.items]
    assert checklists.list_checklists(auditor_ws)[0].uuid == rec.uuid


def test_sign_off_is_refused_until_every_item_has_a_result(auditor_ws: Workspace) -> None:
    rec = checklists.create_checklist(auditor_ws, HEADER)
    with pytest.raises(checklists.ChecklistNotReady) as caught:
        checklists.sign_off(auditor_ws, rec.uuid)
    codes = {code for code, _field, _params in caught.value.problems}
    assert codes == {"audit.result_required"}
    assert len(caught.value.problems) == len(rec.data["items"])
    assert not auditor_ws.records.get(rec.uuid).locked


@pytest.mark.parametrize("user", ["admin", "clerk1", "auditor1", "reviewer1"])
def test_a_signed_off_checklist_cannot_be_edited_by_any_role(ws_path: Path, user: str) -> None:
    with open_as(ws_path, "auditor1") as ws:
        signed = signed_checklist(ws, {1: "发放购物卡"})
    assert signed.locked
    with open_as(ws_path, user) as ws:
        before = ws.records.get(signed.uuid)
        changed = dict(before.data, auditors="改过的人")
        expected = errors.PermissionDenied if user == "reviewer1" else errors.RecordLocked
        with pytest.raises(expected):
            ws.records.save("audit_checklist", changed, record_uuid=signed.uuid)
        with pytest.raises(expected):
            checklists.save_checklist(ws, signed.uuid, changed, status="ready")
        with pytest.raises(errors.StoreError):
            ws.records.set_status(signed.uuid, "draft")
        with pytest.raises(errors.StoreError):
            ws.records.sign_off(signed.uuid)
        after = ws.records.get(signed.uuid)
        assert after.version == before.version and after.data == before.data
        assert after.data["auditors"] == HEADER["auditors"]


def test_a_correction_is_a_new_record_and_replaces_the_old_in_tracking(
    auditor_ws: Workspace,
) -> None:
    old = signed_checklist(auditor_ws, {0: "会费少收", 5: "行政补助未入账"})
    today = dt.date(2026, 11, 23)
    assert len(checklists.open_rectifications(auditor_ws, today)) == 2
    fix = checklists.start_correction(auditor_ws, old.uuid)
    assert fix.uuid != old.uuid and fix.data["corrects"] == old.uuid and not fix.locked
    assert fix.data["items"][0]["finding"] == "会费少收"
    data = dict(fix.data, items=[dict(r) for r in fix.data["items"]])
    data["items"][5].update(result="compliant", rectify=False, finding=None)
    data["items"][5].pop("owner", None)
    data["items"][5].pop("deadline", None)
    checklists.save_checklist(auditor_ws, fix.uuid, data)
    checklists.sign_off(auditor_ws, fix.uuid)
    items = checklists.open_rectifications(auditor_ws, today)
    assert [(x.checklist_uuid, x.finding) for x in items] == [(fix.uuid, "会费少收")]
    assert auditor_ws.records.get(old.uuid).data == old.data  # the old one is untouched


def test_rectification_outcomes_are_records_that_flow_upward(auditor_ws: Workspace) -> None:
    rec = signed_checklist(auditor_ws, {2: "上解不及时", 8: "节日慰问超标"}, deadline="2026-12-01")
    today = dt.date(2026, 11, 23)
    items = checklists.open_rectifications(auditor_ws, today)
    assert [(x.item_id, x.state, x.days_left) for x in items] == [
        (rec.data["items"][2]["item_id"], DUE, 8),
        (rec.data["items"][8]["item_id"], DUE, 8),
    ]
    later = checklists.open_rectifications(auditor_ws, dt.date(2026, 12, 5))
    assert {x.state for x in later} == {OVERDUE}

    item_id = rec.data["items"][2]["item_id"]
    first = checklists.record_outcome(
        auditor_ws, rec.uuid, item_id, "partial", "2026-11-20", note="已补缴一半"
    )
    pending = {(p.record_uuid, p.version) for p in auditor_ws.outbox.pending(100)}
    assert (first.uuid, 1) in pending and first.status == "ready"
    second = checklists.record_outcome(auditor_ws, rec.uuid, item_id, "done", dt.date(2026, 11, 22))
    assert second.uuid == first.uuid and second.version == 2
    assert (second.uuid, 2) in {(p.record_uuid, p.version) for p in auditor_ws.outbox.pending(100)}
    remaining = checklists.open_rectifications(auditor_ws, today)
    assert [x.item_id for x in remaining] == [rec.data["items"][8]["item_id"]]
    closed = checklists.open_rectifications(auditor_ws, today, include_closed=True)
    assert {x.outcome for x in closed} == {"done", None}
    assert auditor_ws.records.get(rec.uuid).locked  # the signed checklist itself never changed
    summary = summarize(
        checklists.template_of_record(auditor_ws, rec),
        rec.data,
        checklists.outcomes_of(auditor_ws, rec.uuid),
    )
    assert summary.rectifications_required == 2 and summary.open_rectifications == 1
    with pytest.raises(ValueError, match="needs no rectification"):
        checklists.record_outcome(
            auditor_ws, rec.uuid, rec.data["items"][0]["item_id"], "done", "2026-11-22"
        )


def test_drafts_are_not_tracked_until_signed_off(auditor_ws: Workspace) -> None:
    rec = checklists.create_checklist(auditor_ws, HEADER)
    data = dict(rec.data, items=[dict(r) for r in rec.data["items"]])
    fill(data["items"], findings={0: "草稿中的问题"})
    checklists.save_checklist(auditor_ws, rec.uuid, data)
    assert checklists.open_rectifications(auditor_ws, dt.date(2026, 11, 23)) == []
    assert (
        len(checklists.open_rectifications(auditor_ws, dt.date(2026, 11, 23), include_drafts=True))
        == 1
    )


def test_a_new_template_version_leaves_started_checklists_on_theirs(
    auditor_ws: Workspace, ws_path: Path
) -> None:
    old = checklists.create_checklist(auditor_ws, HEADER)
    with open_as(ws_path, "admin") as admin:
        admin.forms.add(big_template_definition(60, version=2))
    auditor_ws.close(backup=False)
    with open_as(ws_path, "auditor1") as ws:
        new = checklists.create_checklist(ws, HEADER)
        assert new.form_version == 2 and len(new.data["items"]) == 60
        data = dict(ws.records.get(old.uuid).data)
        data["items"] = [dict(r) for r in data["items"]]
        fill(data["items"], findings={})
        saved = checklists.save_checklist(ws, old.uuid, data)
        assert saved.form_version == 1 and len(saved.data["items"]) == 40
        assert checklists.template_of_record(ws, saved).version == 1
        signed = checklists.sign_off(ws, old.uuid)
        assert signed.form_version == 1 and signed.locked


def test_overview_counts_signed_checklists_and_overdue_rectifications(
    auditor_ws: Workspace,
) -> None:
    signed = signed_checklist(auditor_ws, {0: "甲", 3: "乙"}, deadline="2026-10-01")
    checklists.create_checklist(auditor_ws, HEADER)  # a draft: counted, but not its findings
    figures = checklists.overview(auditor_ws, dt.date(2026, 11, 23))
    assert (figures.checklists, figures.signed_off) == (2, 1)
    assert figures.noncompliant_items == 2
    assert figures.amount_in_question == sum(
        r.get("amount") or 0 for r in signed.data["items"] if r.get("result") == "noncompliant"
    )
    assert (figures.open_rectifications, figures.overdue_rectifications) == (2, 2)
