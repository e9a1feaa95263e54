"""A scripted clerk session run in its own process (TMPDIR and logging set by the caller).

Usage: python -m tests.store.session_script WORKSPACE SNAPSHOT_DIR LOG_FILE BACKUP_FILE
Saves members with ID numbers and phones, searches, unmasks, syncs a batch, backs up, and copies
the workspace folder (including -wal/-shm) to SNAPSHOT_DIR while still open.
"""

from __future__ import annotations

import logging
import shutil
import sys
from pathlib import Path

from desktop.store import Workspace
from tests.store import helpers as h
from tests.store.conftest import ADMIN_PW, FAST_KDF

N = 40


def main() -> None:
    ws_dir, snap, log_file, backup_file = (Path(a) for a in sys.argv[1:5])
    logging.basicConfig(filename=log_file, level=logging.DEBUG, force=True)
    ws, _ = Workspace.create(
        ws_dir,
        org_unit_code="330106001",
        org_unit_name="西溪街道总工会",
        admin_user="admin",
        admin_password=ADMIN_PW,
        kdf=FAST_KDF,
    )
    ws.users.add("clerk1", "clerk-pass-1", "clerk")
    ws.close()
    ws = Workspace.open(ws_dir, user="clerk1", password="clerk-pass-1", kdf=FAST_KDF)
    u = ws.records.save("union", h.union(chair_mobile=h.mobile(999))).uuid
    uuids = [ws.records.save("member", h.member(i, u)).uuid for i in range(N // 2)]
    ws.records.save_many("member", [h.member(i, u) for i in range(N // 2, N)])
    for i, rid in enumerate(uuids[:5]):
        ws.records.save("member", h.member(i, u, name="改名" + str(i)), record_uuid=rid)
    assert ws.records.count("member", search=h.resident_id(3)[:10]) >= 1
    ws.records.query("member", search=h.mobile(7), unmask=True)
    ws.records.unmask(uuids[1], "id_number")
    items = ws.outbox.pending(10)
    ws.outbox.seal("batch-1", 1, b"opaque-envelope", [i.seq for i in items])
    ws.backup(backup_file)
    try:  # a validation failure must not echo the bad value anywhere either
        ws.records.save("member", h.member(N + 1, u, mobile="12999999999"))
    except Exception as exc:  # noqa: BLE001
        logging.getLogger("session").info("save refused: %s", exc)
    shutil.copytree(ws_dir, snap)  # the open state: database, -wal, -shm, slot file
    ws.close()  # rolling backup into ws_dir/backups


if __name__ == "__main__":
    main()
