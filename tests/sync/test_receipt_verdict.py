"""A receipt's verdict is stored once, with the outbox update, and every reader uses it (issue 21).

Before, the engine stored the receipt in the outbox and then, in a second transaction, copied the
counts and the refused records into ``ws.settings``, which the Sync page and the CLI read: a
receipt stored without the second step (a receipt that came through the inbox into a program
stopped before the copy, a crash in between) left both showing nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.link import state
from sync.outbox import RecordReceipt
from tests.sync.client_support import create_township, union_data

TOWN = "330106001"


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Any]:
    w = create_township(tmp_path, TOWN)
    yield w
    w.close()


def _deliver(ws: Any, batch_id: str, verdicts: dict[str, str]) -> None:
    items = ws.outbox.pending(100)
    ws.outbox.seal(batch_id, ws.outbox.next_device_seq(), b"{}", [i.seq for i in items])
    ws.outbox.acknowledge(
        batch_id,
        b'{"received_at": "2026-12-01T08:00:00Z"}',
        [
            RecordReceipt(
                i.record_uuid,
                i.version,
                verdicts.get(i.record_uuid, "received"),
                ({"code": "sync.duplicate_id", "field": "full_name"},)
                if verdicts.get(i.record_uuid) == "rejected"
                else (),
            )
            for i in items
        ],
    )


def test_a_stored_receipt_is_what_the_sync_page_and_cli_read(ws: Any) -> None:
    a = ws.records.save("union", union_data(TOWN))
    b = ws.records.save("union", union_data(TOWN))
    _deliver(ws, "11111111-1111-4111-8111-111111111111", {b.uuid: "rejected"})

    [entry] = state.history(ws.settings)
    assert entry["batch_id"] == "11111111-1111-4111-8111-111111111111"
    assert (entry["device_seq"], entry["records"]) == (1, 2)
    assert (entry["received"], entry["duplicates"], entry["rejected"]) == (1, 0, 1)
    assert entry["receipt_at"] == "2026-12-01T08:00:00Z"
    [refused] = state.rejected(ws.settings)
    assert (refused["record_uuid"], refused["version"]) == (b.uuid, b.version)
    assert refused["errors"] == [{"code": "sync.duplicate_id", "field": "full_name"}]
    assert refused["batch_id"] == "11111111-1111-4111-8111-111111111111"
    assert ws.records.get(a.uuid).status == "delivered"

    # sent again and received: no longer refused; the history has both batches, newest first
    again = ws.records.save("union", union_data(TOWN), record_uuid=b.uuid)
    _deliver(ws, "22222222-2222-4222-8222-222222222222", {})
    assert state.rejected(ws) == []
    assert [h["device_seq"] for h in state.history(ws)] == [2, 1]
    assert ws.records.get(b.uuid).version == again.version
