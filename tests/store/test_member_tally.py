"""The dashboard's member figures come from counts the database keeps (member_tally): after any
mix of saves, edits, imports, status changes, transfers and exits they equal a full scan of the
member records under the is_current_member rules."""

from __future__ import annotations

import contextlib
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.domain.transfers import (
    cancel_transfer,
    confirm_transfer,
    is_current_member,
    pending_member_uuids,
    pending_transfers,
    request_external_transfer,
    transfer_member,
)
from desktop.store import Workspace, db, errors, migrations
from desktop.store.tally import member_figures
from tests.store import helpers as h
from tests.store.conftest import ADMIN_PW, FAST_KDF, reopen


def full_scan(ws: Workspace) -> dict[str, Any]:
    """The figures the slow way: every member record read and judged in Python."""
    pending = pending_member_uuids(ws)
    out: dict[str, Any] = {"members": 0, "female": 0, "migrant": 0, "new_form": 0}
    by_union: Counter[str] = Counter()
    for rec in ws.records.query("member"):
        if not is_current_member(rec.data, pending, rec.uuid):
            continue
        out["members"] += 1
        out["female"] += rec.data.get("gender") == "female"
        out["migrant"] += rec.data.get("migrant_worker") is True
        out["new_form"] += rec.data.get("employment_form") == "new_form"
        by_union[str(rec.data.get("union") or "")] += 1
    out["by_union"] = dict(by_union)
    return out


def indexed(ws: Workspace) -> dict[str, Any]:
    f = member_figures(ws)
    return {
        "members": f.members,
        "female": f.female,
        "migrant": f.migrant,
        "new_form": f.new_form,
        "by_union": {u: n for u, n in f.by_union.items() if n},
    }


def new_member(i: int, union: str, female: bool, migrant: bool, new_form: bool) -> dict[str, Any]:
    idn = h.resident_id(i, female=female)
    extra: dict[str, Any] = {"employment_form": "new_form", "new_form_kind": "delivery_rider"}
    return h.member(
        i,
        union,
        id_number=idn,
        gender="female" if female else "male",
        migrant_worker=migrant,
        changes=[{"kind": "join", "date": "2020-01-01"}],
        **(extra if new_form else {}),
    )


OPS = st.one_of(
    st.tuples(st.just("add"), st.booleans(), st.booleans(), st.booleans(), st.integers(0, 2)),
    st.tuples(st.just("import"), st.integers(1, 4), st.booleans()),
    st.tuples(st.just("edit"), st.integers(0, 50), st.sampled_from(["gender", "migrant", "form"])),
    st.tuples(
        st.just("change"),
        st.integers(0, 50),
        st.sampled_from(["withdraw", "expel", "join", "transfer_in"]),
        st.sampled_from(["2021-05-01", "2023-01-01", "2020-01-01"]),
    ),
    st.tuples(st.just("transfer"), st.integers(0, 50), st.integers(0, 2)),
    st.tuples(st.just("external"), st.integers(0, 50)),
    st.tuples(st.just("settle"), st.integers(0, 5), st.booleans()),
    st.tuples(st.just("status"), st.integers(0, 50), st.sampled_from(["returned", "accepted"])),
    st.tuples(st.just("seal_outbox")),
)


def apply(ws: Workspace, unions: list[str], members: list[str], op: tuple, seq: list[int]) -> None:
    kind = op[0]
    pick = (lambda k: members[k % len(members)]) if members else None
    if kind == "add":
        seq[0] += 1
        members.append(ws.records.save("member", new_member(seq[0], unions[op[4]], *op[1:4])).uuid)
    elif kind == "import":
        validate = ws.records.validator("member")
        rows = []
        for n in range(op[1]):
            seq[0] += 1
            data = new_member(seq[0], unions[n % 3], n % 2 == 0, n % 3 == 0, False)
            rows.append(validate(data)[1] if op[2] else data)
        members.extend(ws.records.save_many("member", rows).saved)
    elif pick is None:
        return
    elif kind == "edit":
        rec = ws.records.get(pick(op[1]), unmask=True)
        data = dict(rec.data)
        if op[2] == "gender":
            data["gender"] = "male" if data.get("gender") == "female" else "female"
        elif op[2] == "migrant":
            data["migrant_worker"] = not data.get("migrant_worker")
        elif data.get("employment_form") == "new_form":
            data["employment_form"], data["new_form_kind"] = "standard", None
        else:
            data["employment_form"], data["new_form_kind"] = "new_form", "platform_driver"
        ws.records.save("member", data, record_uuid=rec.uuid)
    elif kind == "change":
        rec = ws.records.get(pick(op[1]), unmask=True)
        row: dict[str, Any] = {"kind": op[2], "date": op[3]}
        if op[2] == "transfer_in":
            row["from_union"] = "别处工会"
        changes = [*(rec.data.get("changes") or []), row]
        ws.records.save("member", {**rec.data, "changes": changes}, record_uuid=rec.uuid)
    elif kind == "transfer":
        transfer_member(ws, pick(op[1]), unions[op[2]], date="2024-03-15")
    elif kind == "external":
        request_external_transfer(
            ws, pick(op[1]), to_union_name="外镇工会", to_org_unit="330106099", date="2024-06-01"
        )
    elif kind == "settle":
        open_ = pending_transfers(ws)
        if open_:
            item = open_[op[1] % len(open_)]
            (confirm_transfer if op[2] else cancel_transfer)(ws, item.id)
    elif kind == "status":
        ws.records.set_status(pick(op[1]), op[2])
    elif kind == "seal_outbox":  # ready records become queued (a status change by SQL)
        items = ws.outbox.pending(1000)
        if items:
            seq = ws.outbox.next_device_seq()
            ws.outbox.seal(f"batch-{seq}", seq, b"sealed", [i.seq for i in items])


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(ops=st.lists(OPS, min_size=1, max_size=14))
def test_figures_equal_a_full_scan_after_any_mix_of_changes(tmp_path: Path, ops: list) -> None:
    folder = tmp_path / f"ws{len(list(tmp_path.iterdir()))}"
    ws, _ = Workspace.create(
        folder, org_unit_code="330106001", admin_password=ADMIN_PW, kdf=FAST_KDF
    )
    try:
        unions = [ws.records.save("union", h.union(i)).uuid for i in range(3)]
        members: list[str] = []
        seq = [0]
        for op in ops:
            # a refused step (not editable, already pending …) changes nothing
            with contextlib.suppress(errors.StoreError, ValueError):
                apply(ws, unions, members, op, seq)
            assert indexed(ws) == full_scan(ws), op
    finally:
        ws.close(backup=False)


def test_exits_transfers_and_edits_move_the_figures(ws: Workspace) -> None:
    a, b = (ws.records.save("union", h.union(i)).uuid for i in range(2))
    m1 = ws.records.save("member", new_member(1, a, True, True, False)).uuid
    m2 = ws.records.save("member", new_member(2, a, False, False, True)).uuid
    f = member_figures(ws)
    assert (f.members, f.female, f.migrant, f.new_form, f.by_union[a]) == (2, 1, 1, 1, 2)
    transfer_member(ws, m1, b, date="2024-03-15")
    f = member_figures(ws)
    assert f.by_union[a] == 1 and f.by_union[b] == 1 and f.members == 2
    pending = request_external_transfer(
        ws, m2, to_union_name="外镇工会", to_org_unit="330106099", date="2024-06-01"
    )
    assert member_figures(ws).members == 2  # still ours while the transfer is pending
    confirm_transfer(ws, pending.id)
    f = member_figures(ws)
    assert (f.members, f.new_form, f.by_union[a]) == (1, 0, 0)
    rec = ws.records.get(m1, unmask=True)
    withdraw = {"kind": "withdraw", "date": "2025-01-01"}
    changes = [*rec.data["changes"], withdraw]
    ws.records.save("member", {**rec.data, "changes": changes}, record_uuid=m1)
    assert member_figures(ws).members == 0
    assert indexed(ws) == full_scan(ws)


def test_an_older_workspace_gets_the_counts_filled_in_when_opened(ws: Workspace, ws_path) -> None:
    union = ws.records.save("union", h.union()).uuid
    for i in range(1, 8):
        ws.records.save("member", new_member(i, union, i % 2 == 0, i % 3 == 0, i % 4 == 0))
    rec = ws.records.query("member", limit=1)[0]
    full = ws.records.get(rec.uuid, unmask=True).data
    changes = [*full["changes"], {"kind": "expel", "date": "2024-01-01"}]
    ws.records.save("member", {**full, "changes": changes}, record_uuid=rec.uuid)
    expected = full_scan(ws)
    conn = ws._connection()
    with db.transaction(conn, "making an old workspace"):  # as one from before schema step 4
        for name in ("member_tally_insert", "member_tally_update", "member_tally_delete"):
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute("DROP TABLE member_tally")
        conn.execute("DELETE FROM migrations WHERE id = 4")
    ws.close(backup=False)
    again = reopen(ws_path)
    try:
        assert 4 in migrations.applied(again._connection())
        assert indexed(again) == expected and expected["members"] == 6
    finally:
        again.close(backup=False)


def test_the_workspace_check_finds_counts_that_drifted(ws: Workspace) -> None:
    union = ws.records.save("union", h.union()).uuid
    ws.records.save("member", new_member(1, union, True, False, False))
    assert ws.check().ok
    with db.transaction(ws._connection(), "spoiling the counts"):
        ws._connection().execute("UPDATE member_tally SET n = n + 1")
    report = ws.check()
    assert not report.ok and any("member counts" in p for p in report.problems)


def test_counts_survive_a_backup_and_restore(ws: Workspace, tmp_path: Path) -> None:
    union = ws.records.save("union", h.union()).uuid
    for i in range(1, 6):
        ws.records.save("member", new_member(i, union, i % 2 == 0, i % 3 == 0, False))
    expected = indexed(ws)
    backup = ws.backup(tmp_path / "backups")
    restored = Workspace.restore(backup, tmp_path / "restored", user="admin", password=ADMIN_PW)
    try:
        assert indexed(restored) == expected == full_scan(restored)
        assert restored.check().ok
    finally:
        restored.close(backup=False)
