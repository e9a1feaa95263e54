"""Outbox (sync.outbox.Outbox) and the audit chain."""

from __future__ import annotations

import pytest

from desktop.store import errors
from sync.outbox import Outbox, RecordReceipt
from tests.store import helpers as h
from tests.store.conftest import reopen


@pytest.fixture
def union_uuid(ws):
    return ws.records.save("union", h.union()).uuid


def test_outbox_implements_the_protocol(ws):
    assert isinstance(ws.outbox, Outbox)


def test_pending_in_save_order_with_full_unmasked_record(ws, union_uuid):
    uuids = [ws.records.save("member", h.member(i, union_uuid)).uuid for i in range(5)]
    items = ws.outbox.pending(100)
    assert [i.record_uuid for i in items] == [union_uuid, *uuids]
    assert [i.seq for i in items] == sorted(i.seq for i in items)
    m = items[1]
    assert m.form_id == "member" and m.version == 1 and m.form_version >= 1
    assert m.record["data"]["id_number"] == h.resident_id(0)  # upward copy is complete
    assert set(m.record) >= {
        "uuid",
        "form_id",
        "form_version",
        "version",
        "org_unit",
        "status",
        "data",
        "created_by",
        "created_at",
        "updated_by",
        "updated_at",
    }
    assert len(ws.outbox.pending(3)) == 3 and ws.outbox.pending_count() == 6


def test_seal_retry_bytes_and_receipts(ws, union_uuid, ws_path):
    uuids = [ws.records.save("member", h.member(i, union_uuid)).uuid for i in range(4)]
    items = ws.outbox.pending(100)
    assert ws.outbox.next_device_seq() == 1
    env = b"\x00envelope\xff" * 100
    with pytest.raises(errors.OutboxConflict):
        ws.outbox.seal("b0", 2, env, [i.seq for i in items])
    sealed = ws.outbox.seal("b1", 1, env, [i.seq for i in items])
    assert sealed.device_seq == 1 and ws.outbox.next_device_seq() == 2
    assert ws.outbox.pending_count() == 0
    assert ws.records.get(uuids[0]).status == "queued"
    with pytest.raises(errors.OutboxConflict):
        ws.outbox.seal("b2", 2, env, [items[0].seq])  # already sealed
    head = ws.outbox.audit_head()
    ws.close(backup=False)
    ws2 = reopen(ws_path)
    try:
        [again] = ws2.outbox.unacknowledged()
        assert (
            again.envelope == env and again.batch_id == "b1" and again.item_seqs == sealed.item_seqs
        )
        assert ws2.outbox.audit_head() == head
        receipts = [
            RecordReceipt(union_uuid, 1, "received"),
            RecordReceipt(uuids[0], 1, "received"),
            RecordReceipt(uuids[1], 1, "duplicate"),
            RecordReceipt(
                uuids[2],
                1,
                "rejected",
                ({"code": "id_number.duplicate", "field": "id_number", "params": {}},),
            ),
        ]
        ws2.outbox.acknowledge("b1", b"signed-receipt", receipts)
        assert ws2.outbox.unacknowledged() == []
        assert ws2.outbox.batch_receipt("b1") == b"signed-receipt"
        assert ws2.records.get(uuids[0]).status == "delivered"
        assert ws2.records.get(uuids[1]).status == "delivered"
        rej = ws2.records.get(uuids[2])
        assert rej.status == "rejected" and rej.sync_errors[0]["code"] == "id_number.duplicate"
        # the receipt left one record out: it goes back to pending and is sent again
        assert [i.record_uuid for i in ws2.outbox.pending(10)] == [uuids[3]]
        ws2.outbox.acknowledge("b1", b"signed-receipt", receipts)  # repeated: no change
        fixed = ws2.records.save(
            "member", h.member(2, union_uuid, name="已更正"), record_uuid=uuids[2]
        )
        assert fixed.version == 2 and fixed.status == "ready"
        assert ws2.outbox.pending_count() == 2
        with pytest.raises(errors.UnknownBatch):
            ws2.outbox.acknowledge("nope", b"", [])
        assert ws2.audit.verify().ok
    finally:
        ws2.close(backup=False)


def test_audit_chain_records_hashes_not_values_and_reports_first_broken_link(ws, union_uuid):
    rec = ws.records.save("member", h.member(1, union_uuid))
    ws.records.save("member", h.member(1, union_uuid, name="新名字"), record_uuid=rec.uuid)
    ws.records.save("member", h.member(2, union_uuid))
    entries = ws.audit.entries()
    upd = next(e for e in entries if e["action"] == "record.update")
    assert upd["before_hash"] and upd["after_hash"] and upd["before_hash"] != upd["after_hash"]
    rows = ws._conn.execute("SELECT * FROM audit_log").fetchall()
    text = repr(rows)
    assert h.resident_id(1) not in text and "新名字" not in text and h.mobile(1) not in text
    assert ws.audit.verify().ok
    seqs = [r[0] for r in ws._conn.execute("SELECT seq FROM audit_log ORDER BY seq")]
    ws._conn.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = ?", (seqs[3],))
    res = ws.audit.verify()
    assert not res.ok and res.first_broken == seqs[3] and "altered" in res.message
    ws._conn.execute("UPDATE audit_log SET actor = 'admin' WHERE seq = ?", (seqs[3],))
    assert ws.audit.verify().ok
    ws._conn.execute("DELETE FROM audit_log WHERE seq = ?", (seqs[2],))
    res = ws.audit.verify()
    assert not res.ok and res.first_broken == seqs[3] and "link" in res.message
    assert not ws.check().ok


def test_record_audit_and_outbox_commit_together(ws, union_uuid, monkeypatch):
    before = (ws.records.count("member"), ws.outbox.pending_count(), ws.audit.verify().entries)

    def boom(*a, **k):
        raise RuntimeError("simulated crash inside the transaction")

    monkeypatch.setattr(ws._audit, "insert_rows", boom)
    with pytest.raises(RuntimeError):
        ws.records.save("member", h.member(1, union_uuid))
    monkeypatch.undo()
    assert (
        ws.records.count("member"),
        ws.outbox.pending_count(),
        ws.audit.verify().entries,
    ) == before
    assert ws.records.query("member", search=h.name(1)) == []


def test_saves_from_two_threads_on_one_workspace_all_land(ws, union_uuid):
    import threading

    problems: list[BaseException] = []

    def worker(base: int) -> None:
        try:
            for i in range(25):
                ws.records.save("member", h.member(base + i, union_uuid))
                ws.records.count("member", search=h.name(base + i)[:2])
        except BaseException as exc:  # noqa: BLE001 - reported below
            problems.append(exc)

    threads = [threading.Thread(target=worker, args=(k * 1000,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems == []
    assert ws.records.count("member") == 50
    assert ws.outbox.pending_count() == 51
    assert ws.audit.verify().ok
