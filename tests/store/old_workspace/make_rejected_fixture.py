"""Make ``intl_step7_rejected/``: a township workspace written by UnionDesk while a receipt's
verdict was still copied into ``records.sync_errors`` (schema steps 1..7, commit 4ba98d3), for
the forward test of ``test_verdict_migration.py``: a union and three members sent in one batch,
the county received the union and two members and refused one (an ID number it already has), and
the refused one was left as it is.

    git archive 4ba98d3 desktop forms sync resources | tar -x -C /tmp/old
    PYTHONPATH=/tmp/old python tests/store/old_workspace/make_rejected_fixture.py \\
        tests/store/old_workspace/intl_step7_rejected

The old program makes the file; this script only uses its public API (the outbox calls the sync
engine makes). Password ``Chief-pass-1``; the recovery key is written to ``recovery_key.txt``
beside it (test data, nothing real).
"""

from __future__ import annotations

import sys
from pathlib import Path

from desktop.store import KdfParams, Workspace, migrations
from sync.outbox import RecordReceipt

FAST_KDF = KdfParams(memory_kib=1024, iterations=1, lanes=1)
BATCH = "7a1b2c3d-0000-4000-8000-000000000001"
REFUSAL = {"code": "id_number.duplicate", "field": "id_number", "params": {}}


def main(out: Path) -> None:
    assert migrations.latest() == 7, "run this with the step-7 program on PYTHONPATH"
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
    from tests.store import helpers as h

    ws, rk = Workspace.create(
        out, org_unit_code="330106001", admin_password="Chief-pass-1", kdf=FAST_KDF
    )
    u = ws.records.save("union", h.union(0))
    recs = [ws.records.save("member", h.member(i, u.uuid)) for i in range(1, 4)]
    items = ws.outbox.pending(100)
    ws.outbox.seal(BATCH, ws.outbox.next_device_seq(), b"{}", [i.seq for i in items])
    ws.outbox.acknowledge(
        BATCH,
        b'{"received_at": "2026-11-30T08:00:00Z"}',
        [
            RecordReceipt(i.record_uuid, i.version, "rejected", (REFUSAL,))
            if i.record_uuid == recs[1].uuid
            else RecordReceipt(i.record_uuid, i.version, "received")
            for i in items
        ],
    )
    assert ws.records.get(recs[1].uuid).sync_errors == (REFUSAL,)
    ws.close(backup=False)
    (out / "recovery_key.txt").write_text(rk + "\n")
    (out / "refused.txt").write_text(recs[1].uuid + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
