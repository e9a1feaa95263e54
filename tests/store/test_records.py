"""Records: validation, versions, masking and unmask auditing, search, filters, paging, roles."""

from __future__ import annotations

import pytest

from desktop.store import errors
from tests.store import helpers as h
from tests.store.conftest import reopen


@pytest.fixture
def union_uuid(ws):
    return ws.records.save("union", h.union()).uuid


def test_save_get_masks_sensitive_fields_and_unmask_is_audited(ws, union_uuid):
    rec = ws.records.save("member", h.member(1, union_uuid))
    assert rec.version == 1 and rec.status == "ready" and rec.created_by == "admin"
    got = ws.records.get(rec.uuid)
    assert got.data["name"] == h.name(1)
    assert got.data["id_number"] != h.resident_id(1) and "*" in got.data["id_number"]
    assert got.data["mobile"] == "139****0001"
    assert ws.records.unmask(rec.uuid, "id_number") == h.resident_id(1)
    entries = ws.audit.entries(target=rec.uuid)
    assert entries[0]["action"] == "record.unmask" and entries[0]["detail"]["fields"] == [
        "id_number"
    ]
    assert ws.records.get(rec.uuid, unmask=True).data["mobile"] == h.mobile(1)
    assert ws.audit.entries(target=rec.uuid)[0]["action"] == "record.unmask"


def test_validation_failure_saves_nothing_and_names_fields_not_values(ws, union_uuid):
    bad = h.member(2, union_uuid, id_number="330106199001010011", mobile="12345")
    with pytest.raises(errors.ValidationFailed) as exc:
        ws.records.save("member", bad)
    codes = {(e.field, e.code) for e in exc.value.result.errors}
    assert {f for f, _ in codes} >= {"id_number", "mobile"}
    assert "330106199001010011" not in str(exc.value) and "12345" not in str(exc.value)
    assert ws.records.count("member") == 0
    assert ws.outbox.pending_count() == 1  # only the union


def test_saving_stores_normalised_values(ws, union_uuid):
    rec = ws.records.save(
        "member",
        h.member(3, union_uuid, id_number=h.resident_id(3).lower(), mobile="+86 139-0000-0003"),
    )
    full = ws.records.get(rec.uuid, unmask=True).data
    assert full["id_number"] == h.resident_id(3) and full["mobile"] == "13900000003"
    assert full["ethnicity"] == "01" and full["member_type"] == "regular"


def test_draft_may_miss_required_fields_but_not_have_wrong_ones(ws, union_uuid):
    draft = ws.records.save("member", {"union": union_uuid, "name": "草稿"}, status="draft")
    assert draft.status == "draft"
    assert ws.outbox.pending_count() == 1  # drafts do not go upward
    with pytest.raises(errors.ValidationFailed):
        ws.records.save("member", {"union": union_uuid, "mobile": "999"}, status="draft")
    with pytest.raises(errors.ValidationFailed):  # completing it needs the required fields
        ws.records.save("member", {"union": union_uuid, "name": "草稿"}, record_uuid=draft.uuid)
    done = ws.records.save("member", h.member(2, union_uuid), record_uuid=draft.uuid)
    assert done.version == 2 and done.status == "ready" and ws.outbox.pending_count() == 2


def test_update_bumps_version_keeps_history_and_masked_values_pass_through(ws, union_uuid):
    rec = ws.records.save("member", h.member(4, union_uuid))
    shown = ws.records.get(rec.uuid)
    edited = dict(shown.data, name="李四改")  # the UI sends masked ID/phone back unchanged
    v2 = ws.records.save("member", edited, record_uuid=rec.uuid)
    assert v2.version == 2
    assert ws.records.unmask(rec.uuid, "id_number") == h.resident_id(4)
    hist = ws.records.history(rec.uuid)
    assert [r.version for r in hist] == [1, 2]
    assert [r.data["name"] for r in hist] == [h.name(4), "李四改"]
    assert "*" in hist[0].data["id_number"]
    # only the newest unsent version stays in the outbox
    assert [i.version for i in ws.outbox.pending(100) if i.record_uuid == rec.uuid] == [2]


def test_id_numbers_are_unique_in_the_workspace(ws, union_uuid):
    ws.records.save("member", h.member(5, union_uuid))
    with pytest.raises(errors.ValidationFailed) as exc:
        ws.records.save("member", h.member(5, union_uuid, name="另一人"))
    assert [(e.field, e.code) for e in exc.value.result.errors] == [("id_number", "unique")]


def test_search_by_name_fragment_of_any_length_id_prefix_and_phone_prefix(ws, union_uuid):
    names = ["张三丰", "张三", "李张", "王五", "欧阳娜娜"]
    uu = {}
    for i, n in enumerate(names):
        uu[n] = ws.records.save("member", h.member(10 + i, union_uuid, name=n)).uuid

    def found(text):
        return {r.data["name"] for r in ws.records.query("member", search=text)}

    assert found("张三") == {"张三丰", "张三"}
    assert found("三丰") == {"张三丰"}
    assert found("张") == {"张三丰", "张三", "李张"}
    assert found("阳娜娜") == {"欧阳娜娜"}
    assert found("娜") == {"欧阳娜娜"}
    assert found("赵") == set()
    idn = h.resident_id(13)
    assert found(idn[:10]) >= {"王五"}
    assert found(idn) == {"王五"}
    assert found(idn[:6] + "x") == set()
    assert found(h.mobile(14)[:9]) == set(names)
    assert found(h.mobile(14)) == {"欧阳娜娜"}
    assert ws.records.count("member", search="张") == 3


def test_filters_status_order_paging_and_find_by_field(ws, union_uuid):
    other = ws.records.save("union", h.union(1)).uuid
    for i in range(30):
        ws.records.save("member", h.member(100 + i, union_uuid if i % 3 else other))
    assert ws.records.count("member", filters={"union": other}) == 10
    assert ws.records.count("member", filters={"union": union_uuid}) == 20
    page1 = ws.records.query("member", order_by="name", limit=12)
    page2 = ws.records.query("member", order_by="name", limit=12, offset=12)
    page3 = ws.records.query("member", order_by="name", limit=12, offset=24)
    names = [r.data["name"] for r in page1 + page2 + page3]
    assert len(names) == 30 and names == sorted(names)
    desc = [r.data["name"] for r in ws.records.query("member", order_by="name", descending=True)]
    assert desc == sorted(names, reverse=True)
    in_union = [
        r.data["name"]
        for r in ws.records.query("member", filters={"union": other}, order_by="name")
    ]
    assert len(in_union) == 10 and in_union == sorted(in_union)
    found = [
        r.data["name"]
        for r in ws.records.query(
            "member", search=h.name(100)[:1], order_by="name", descending=True
        )
    ]
    assert found and found == sorted(found, reverse=True)
    by_join = ws.records.query("member", order_by="join_date", limit=5)  # not an indexed field
    assert len(by_join) == 5
    hits = ws.records.find_by_field("member", "id_number", h.resident_id(105))
    assert len(hits) == 1 and hits[0].data["name"] == h.name(105)
    assert ws.records.find_by_field("member", "gender", "male")  # unindexed field: still exact
    assert ws.records.count("member", status="ready") == 30
    assert ws.records.count("member", status=["draft"]) == 0


def test_roles_are_enforced_by_the_store(ws, union_uuid, ws_path):
    ws.users.add("aud", "Ledger-pass-1", "auditor")
    ws.users.add("rev", "County-pass-1", "reviewer")
    ws.users.add("clk", "clerk-pass-1", "clerk")
    rec = ws.records.save("member", h.member(7, union_uuid))
    ws.close(backup=False)
    aud = reopen(ws_path, "aud", "Ledger-pass-1")
    with pytest.raises(errors.PermissionDenied):
        aud.records.save("member", h.member(8, union_uuid))
    with pytest.raises(errors.PermissionDenied):
        aud.records.unmask(rec.uuid, "id_number")
    with pytest.raises(errors.PermissionDenied):
        aud.users.add("x", "xxxx-pass-1", "clerk")
    assert "*" in aud.records.get(rec.uuid).data["id_number"]
    aud.close(backup=False)
    rev = reopen(ws_path, "rev", "County-pass-1")
    with pytest.raises(errors.PermissionDenied):
        rev.records.save("member", h.member(8, union_uuid))
    rev.records.set_status(rec.uuid, "accepted")
    rev.close(backup=False)
    clk = reopen(ws_path, "clk", "clerk-pass-1")
    with pytest.raises(errors.PermissionDenied):
        clk.users.remove("rev")
    with pytest.raises(errors.PermissionDenied):
        clk.rotate_key()
    assert clk.records.unmask(rec.uuid, "mobile") == h.mobile(7)
    clk.close(backup=False)


def test_lifecycle_returned_is_editable_queued_is_not_and_sign_off_locks(ws, union_uuid):
    rec = ws.records.save("member", h.member(9, union_uuid))
    ws.records.set_status(rec.uuid, "queued")
    with pytest.raises(errors.RecordNotEditable):
        ws.records.save("member", h.member(9, union_uuid), record_uuid=rec.uuid)
    ws.records.set_status(rec.uuid, "returned", comment="请核对手机号")
    assert ws.records.get(rec.uuid).comment == "请核对手机号"
    v2 = ws.records.save("member", h.member(9, union_uuid, name="改名"), record_uuid=rec.uuid)
    assert v2.version == 2 and v2.status == "ready"
    signed = ws.records.sign_off(rec.uuid)
    assert signed.locked and signed.version == 3
    with pytest.raises(errors.RecordLocked):
        ws.records.save("member", h.member(9, union_uuid), record_uuid=rec.uuid)
    with pytest.raises(errors.RecordLocked):
        ws.records.set_status(rec.uuid, "draft")
    with pytest.raises(ValueError):
        ws.records.set_status(rec.uuid, "no-such-status")


def test_subscribers_hear_committed_changes_only(ws, union_uuid):
    events = []
    unsubscribe = ws.subscribe(events.append)
    rec = ws.records.save("member", h.member(20, union_uuid))
    with pytest.raises(errors.ValidationFailed):
        ws.records.save("member", {"union": union_uuid})
    assert [(e.form_id, e.uuid) for e in events] == [("member", rec.uuid)]
    unsubscribe()
    ws.records.save("member", h.member(21, union_uuid))
    assert len(events) == 1


def test_save_many_reports_bad_rows_saves_good_ones_with_progress_and_cancel(ws, union_uuid):
    rows = [h.member(200 + i, union_uuid) for i in range(25)]
    rows[3]["id_number"] = "330106199001010011"  # bad check digit
    rows[7] = h.member(200, union_uuid)  # duplicate of row 0
    seen = []
    result = ws.records.save_many(
        "member", rows, chunk_size=10, progress=lambda d, t: seen.append((d, t))
    )
    assert [i for i, _ in result.failed] == [3, 7]
    assert len(result.saved) == 23 and not result.cancelled
    assert seen == [(10, 25), (20, 25), (25, 25)]
    assert ws.records.count("member") == 23
    calls = {"n": 0}

    def cancel():
        calls["n"] += 1
        return calls["n"] > 2

    more = [h.member(300 + i, union_uuid) for i in range(50)]
    r2 = ws.records.save_many("member", more, chunk_size=10, cancel=cancel)
    assert r2.cancelled and len(r2.saved) == 20
    assert ws.records.count("member") == 43
    assert ws.audit.verify().ok


def test_unknown_form_and_record(ws):
    with pytest.raises(errors.UnknownForm):
        ws.records.save("no_such_form", {})
    with pytest.raises(errors.RecordNotFound):
        ws.records.get("00000000-0000-0000-0000-000000000000")


def test_closed_workspace_refuses_use(ws):
    ws.close(backup=False)
    with pytest.raises(errors.WorkspaceClosed):
        ws.records.count("member")


def test_synced_form_definition_is_kept_and_used_for_new_records(ws, ws_path, union_uuid):
    import copy

    import forms

    raw = copy.deepcopy(forms.load_form("member").raw)
    raw["version"] = 99
    form = ws.forms.add(raw)
    assert ws.forms.latest("member").version == 99
    rec = ws.records.save("member", h.member(1, union_uuid))
    assert rec.form_version == 99
    ws.close(backup=False)
    w = reopen(ws_path)
    try:
        assert w.forms.latest("member").hash == form.hash
        assert w.records.get(rec.uuid).form_version == 99
    finally:
        w.close(backup=False)
