"""A township restores an older backup after its PC died: the county has already accepted higher
sequence numbers from the device. The next sync re-seals what the county never received above
the county's signed mark and carries on; every record arrives exactly once, a record edited on
both sides of the restore is refused as a version conflict (nothing overwritten), and the
summary says what happened in plain words.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from desktop import link
from desktop.cli import main as cli_main
from desktop.store import Workspace
from sync import crypto
from sync import protocol as proto
from sync.client import SyncError, SyncSummary
from sync.outbox import SealedBatch
from sync.retry import RetryPolicy
from tests.sync.client_support import PASSWORD, County, create_township, union_data

A = "330106001"
FAST = {"attempts": 1, "base_delay": 0.01, "max_delay": 0.02}


def _stored(county: County) -> dict[tuple[str, int], str]:
    keys = county.record_keys()
    assert not [k for k, n in Counter(keys).items() if n > 1], "a record stored twice"
    return {
        (r.record_uuid, int(r.version)): r.record_sha256 for r in county.server.store.record_rows()
    }


def _return(county: County, ws: Any, *recs: Any) -> None:
    device_id = link.state.load_enrollment(ws.settings).device_id
    with county.server.store.write() as conn:
        for rec in recs:
            body = {
                "record_uuid": rec.uuid,
                "version": rec.version,
                "decision": "returned",
                "comment": "请核对会员人数",
                "reviewer": "r",
                "decided_at": "2026-11-23T00:00:00Z",
            }
            county.server.enqueue(conn, device_id, "review_decision", body)


def test_restored_backup_syncs_again_and_every_record_arrives_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    county = County(tmp_path)
    try:
        ws = create_township(tmp_path, A)
        link.enroll(ws, county.url, county.enroll_code(A))
        a1, a2, a3 = (ws.records.save("union", union_data(A)) for _ in range(3))
        assert link.sync_now(ws).received == 3
        _return(county, ws, a1, a2)  # the county returns two records: editable again
        assert link.sync_now(ws).inbox_applied == 2
        # a batch sealed but not delivered when the backup is taken (the county answered 500)
        w1 = ws.records.save("union", union_data(A))
        county.faults.append("500_before")
        with pytest.raises(link.LinkError):
            link.sync_now(ws, retry=RetryPolicy(**FAST))
        backup = ws.backup(tmp_path / "backups")

        # life goes on on the old PC: the sealed batch goes out, more records, an edit
        b1, b2 = (ws.records.save("union", union_data(A)) for _ in range(2))
        edited_before = dict(a1.data, members=3)
        a1_v2_old = ws.records.save("union", edited_before, record_uuid=a1.uuid)
        summary = link.sync_now(ws)
        assert (summary.batches_resent, summary.received) == (1, 4)
        before = _stored(county)
        assert len(before) == 7
        last_seq = county.server.store.device(
            link.state.load_enrollment(ws.settings).device_id
        ).last_seq
        ws.close()

        # the PC dies; the older backup is restored into a fresh folder
        restored = Workspace.restore(backup, tmp_path / "new-pc", user="admin", password=PASSWORD)
        c1, c2 = (restored.records.save("union", union_data(A)) for _ in range(2))
        a1_v2_new = restored.records.save(
            "union", dict(a1.data, members=5), record_uuid=a1.uuid
        )  # edited on both sides of the restore: same version, other content
        a2_v2 = restored.records.save("union", dict(a2.data, members=4), record_uuid=a2.uuid)
        path = restored.path
        restored.close()

        monkeypatch.setenv("UNIONDESK_PASSWORD", PASSWORD)
        assert cli_main(["sync", "--workspace", str(path)]) == 0
        out = capsys.readouterr().out
        lines = out.splitlines()
        # the resent batch got its original receipt; 4 new records went out under new numbers
        assert "re-sent 1" in lines[0] and "received: 4" in lines[0], out
        assert "duplicates: 0" in lines[0] and "rejected: 1" in lines[0], out
        assert f"batches up to number {last_seq}" in lines[1], out
        assert "restored from an older backup" in lines[1], out
        assert "4 record(s) of 1 batch(es) it never received were sealed again" in lines[1], out
        assert lines[2] == f"refused: record {a1.uuid} version 2: sync.version_conflict", out
        assert "Nothing was overwritten" in lines[3], out

        after = _stored(county)
        for rec in (a1, a2, a3, w1, b1, b2, a1_v2_old, c1, c2, a2_v2):
            assert (rec.uuid, rec.version) in after
        assert len(after) == 10  # 7 before + c1, c2, a2 v2: the conflicting a1 v2 is not stored
        assert after[(a1.uuid, 2)] == before[(a1.uuid, 2)]  # the old PC's edit stands
        assert a1_v2_new.version == 2

        # nothing is left behind; syncing again changes nothing
        assert cli_main(["sync", "--workspace", str(path)]) == 0
        again = capsys.readouterr().out.splitlines()
        assert "batches sent: 0 (re-sent 0)" in again[0] and "still pending: 0" in again[0]
        assert len(again) == 1
        assert _stored(county) == after
        ws2 = Workspace.open(path, user="admin", password=PASSWORD)
        try:
            assert ws2.records.get(c1.uuid).status == "delivered"
            conflict = ws2.records.get(a1.uuid)
            assert conflict.status == "rejected"
            assert "sync.version_conflict" in str(conflict.sync_errors)
        finally:
            ws2.close()
    finally:
        county.close()


def test_a_refusal_that_does_not_verify_changes_nothing(tmp_path: Path) -> None:
    """Only the county's own signature over this very batch may move the sequence counter."""
    county = County(tmp_path)
    try:
        ws = create_township(tmp_path, A)
        link.enroll(ws, county.url, county.enroll_code(A))
        ws.records.save("union", union_data(A))
        county.faults.append("500_before")
        with pytest.raises(link.LinkError):
            link.sync_now(ws, retry=RetryPolicy(**FAST))
        [batch] = ws.outbox.unacknowledged()
        client = link.make_client(ws)
        try:
            forged_key = crypto.new_signing_key()
            mark = proto.StaleSequence(
                batch_id=batch.batch_id,
                device_id=client.device_id,
                device_seq=batch.device_seq,
                envelope_sha256=proto.sha256_hex(batch.envelope),
                last_device_seq=10**6,
                server_id="forged",
            )
            forged = crypto.sign_document(forged_key, mark).to_dict()
            genuine = crypto.sign_document(county.server.data.signing_key, mark).to_dict()
            other = SealedBatch("0" * 8 + "-0000-4000-8000-" + "0" * 12, 1, b"{}", ())
            for body, target in (
                ({"refusal": forged}, batch),
                ({"refusal": genuine}, other),
                ({}, batch),
            ):
                err = SyncError("stale_sequence", "refused", status=409, body=body)
                assert not client._resequence(err, target, SyncSummary())
            assert ws.outbox.unacknowledged() == [batch]
            assert ws.outbox.next_device_seq() == batch.device_seq + 1
        finally:
            client.session.close()
        # the real county accepts the batch as it is
        assert link.sync_now(ws).received == 1
    finally:
        county.close()
