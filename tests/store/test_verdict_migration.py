"""Step 9: a receipt's verdict lives in the outbox only (issue 21). Forward from workspaces the
older program wrote, where a refused record's reasons were also kept in ``records.sync_errors``:
after the upgrade the column is gone and the clerk still sees why the county refused the record —
on the record, on the Sync page's list (``link.state.rejected``, which the CLI prints too) and
from ``ws.outbox.verdict``."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from desktop.link import state
from desktop.store import db, migrations
from desktop.store.constants import DB_NAME, SLOTS_NAME
from desktop.store.keyslots import SlotFile, open_private, unwrap
from tests.store import helpers as h
from tests.store.conftest import ADMIN_PW, reopen

OLD = Path(__file__).with_name("old_workspace")
REFUSAL = {"code": "id_number.duplicate", "field": "id_number", "params": {}}


@contextmanager
def _raw(folder: Path) -> Iterator[Any]:
    """The decrypted database as it is on disk, opened without the store (so no migration)."""
    slots = SlotFile.load(folder / SLOTS_NAME)
    slot = slots.password_slot("admin")
    assert slot is not None
    keys = unwrap(slots.workspace_id, slot, open_private(slots.workspace_id, slot, ADMIN_PW))
    conn = db.connect(folder / DB_NAME, keys[max(keys)])
    try:
        yield conn
    finally:
        conn.close()


def test_a_refusal_the_old_program_stored_still_shows_after_the_upgrade(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    shutil.copytree(OLD / "intl_step7_rejected", folder)
    refused = (folder / "refused.txt").read_text().strip()
    with _raw(folder) as conn:
        assert max(migrations.applied(conn)) == 7
        assert "sync_errors" in db.wrap(conn)["records"].columns_dict

    ws = reopen(folder)
    try:
        assert 9 in migrations.applied(ws._connection())
        assert "sync_errors" not in ws.db["records"].columns_dict
        rec = ws.records.get(refused)
        assert rec.status == "rejected" and rec.sync_errors == (REFUSAL,)
        [listed] = ws.records.query("member", status="rejected")
        assert listed.uuid == refused and listed.sync_errors == (REFUSAL,)
        verdict = ws.outbox.verdict(refused, rec.version)
        assert verdict is not None and not verdict.accepted and verdict.errors == (REFUSAL,)
        [shown] = state.rejected(ws)  # the Sync page's list and `uniondesk sync`'s lines
        assert (shown["record_uuid"], shown["errors"]) == (refused, [REFUSAL])
        others = [r for r in ws.records.query("member") if r.uuid != refused]
        assert [r.status for r in others] == ["delivered", "delivered"]
        assert all(r.sync_errors == () for r in others)
        got = ws.outbox.verdicts([(r.uuid, r.version) for r in others])
        assert [got[(r.uuid, r.version)].result for r in others] == ["received", "received"]
        [batch] = state.history(ws)
        assert (batch["received"], batch["rejected"]) == (3, 1)  # the union and two members

        # the clerk corrects it: the new version carries no old reasons and waits to be sent
        fixed = ws.records.save(
            "member",
            {**ws.records.get(refused, unmask=True).data, "name": "已更正"},
            record_uuid=refused,
        )
        assert fixed.status == "ready" and fixed.sync_errors == ()
        assert ws.records.get(refused).sync_errors == ()
        assert ws.outbox.verdict(refused, fixed.version) is None
        assert ws.check().ok
    finally:
        ws.close(backup=False)


def test_reasons_kept_only_on_the_record_move_into_the_outbox(tmp_path: Path) -> None:
    """A workspace whose refusal reasons are in ``records.sync_errors`` alone (set here by hand in
    the committed step-5 workspace: one record's outbox row has no verdict, another has no outbox
    row at all): step 9 moves them, so nothing the clerk was shown is lost."""
    folder = tmp_path / "ws"
    shutil.copytree(OLD / "intl_step5", folder)
    with _raw(folder) as conn:
        members = [
            r[0]
            for r in conn.execute(
                "SELECT uuid FROM records WHERE form_id = 'member' ORDER BY id LIMIT 2"
            )
        ]
        with db.transaction(conn, "test setup"):
            for ruuid in members:
                conn.execute(
                    "UPDATE records SET status = 'rejected', sync_errors = ? WHERE uuid = ?",
                    (
                        '[{"code": "id_number.duplicate", "field": "id_number", "params": {}}]',
                        ruuid,
                    ),
                )
            conn.execute("DELETE FROM outbox WHERE record_uuid = ?", (members[1],))

    ws = reopen(folder)
    try:
        assert "sync_errors" not in ws.db["records"].columns_dict
        for ruuid in members:
            rec = ws.records.get(ruuid)
            assert rec.status == "rejected" and rec.sync_errors == (REFUSAL,)
            verdict = ws.outbox.verdict(ruuid, rec.version)
            assert verdict is not None and verdict.errors == (REFUSAL,)
        assert sorted(r["record_uuid"] for r in state.rejected(ws)) == sorted(members)
        assert ws.outbox.pending_count() == 4  # the union and the other members still to send
        assert ws.records.count("member", search=h.resident_id(3)[:10]) >= 1
        assert ws.check().ok
    finally:
        ws.close(backup=False)
