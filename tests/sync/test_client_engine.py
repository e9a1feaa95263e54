"""The sync engine against a real county server over HTTPS on 127.0.0.1 (real workspaces).

Batches are capped, sealed once and re-sent byte-identical after a failure; a batch counts as
delivered only on a receipt signed by the pinned county key; cancel keeps what was delivered;
network errors and 5xx are retried; a revoked device gets a clear refusal.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop import link
from desktop.link import state
from sync import crypto
from sync import protocol as proto
from sync.client import BatchLimits, RetryPolicy
from tests.sync.client_support import County, create_township, union_data
from tests.sync.faultproxy import Fault, FaultProxy

TOWN = "330106001"
FAST = dict(attempts=3, base_delay=0.01, max_delay=0.05, connect_timeout=2, read_timeout=2)


@pytest.fixture
def ws(tmp_path: Path, county: County) -> Iterator[Any]:
    w = create_township(tmp_path, TOWN)
    link.enroll(w, county.url, county.enroll_code(TOWN))
    yield w
    w.close()


def save(ws: Any, n: int) -> list[Any]:
    return [ws.records.save("union", union_data(TOWN)) for _ in range(n)]


def test_batches_are_capped_in_records_and_bytes(ws: Any, county: County) -> None:
    saved = save(ws, 7)
    summary = link.sync_now(ws, limits=BatchLimits(max_records=3))
    assert (summary.batches_sent, summary.received) == (3, 7)
    assert [h["records"] for h in reversed(state.history(ws.settings))] == [3, 3, 1]
    assert [h["device_seq"] for h in reversed(state.history(ws.settings))] == [1, 2, 3]

    more = save(ws, 6)
    cap = 1800  # bytes of an uploaded envelope: room for one or two records
    seen: list[int] = []
    original = ws.outbox.seal

    def spy(batch_id: str, device_seq: int, envelope: bytes, item_seqs: Any) -> Any:
        seen.append(len(envelope))
        return original(batch_id, device_seq, envelope, item_seqs)

    ws.outbox.seal = spy  # observe the sizes the engine seals (the store does the work)
    summary = link.sync_now(ws, limits=BatchLimits(max_records=100, max_bytes=cap))
    assert summary.received == 6 and summary.batches_sent >= 2, seen
    assert seen and max(seen) <= cap
    assert sorted(county.record_keys()) == sorted((r.uuid, r.version) for r in saved + more)
    assert {ws.records.get(r.uuid).status for r in saved + more} == {"delivered"}


def test_unacknowledged_batch_is_resent_byte_identical_and_stored_once(
    ws: Any, county: County
) -> None:
    saved = save(ws, 3)
    with FaultProxy("127.0.0.1", county.port) as proxy:
        proxy.default = Fault("refuse")
        with pytest.raises(link.LinkError) as err:
            link.sync_now(ws, base_url=proxy.url, retry=RetryPolicy(**FAST))
        assert err.value.code == "unreachable"
        assert "could not be reached" in str(err.value)
        [sealed] = ws.outbox.unacknowledged()
        assert {ws.records.get(r.uuid).status for r in saved} == {"queued"}

        # the upload arrives, the answer is lost: the county has it, the township does not know
        proxy.default = Fault("drop_reply", after=2000)
        with pytest.raises(link.LinkError):
            link.sync_now(ws, base_url=proxy.url, retry=RetryPolicy(**dict(FAST, attempts=1)))
        deadline = time.monotonic() + 10
        while len(county.record_keys()) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)  # the county may finish storing just after the client gave up
        assert len(county.record_keys()) == 3
        assert ws.outbox.unacknowledged() == [sealed]

    save(ws, 1)  # a newer record must not be folded into the old batch
    summary = link.sync_now(ws)
    assert summary.batches_resent == 1 and summary.batches_sent == 1
    stored = county.server.store.batch(sealed.batch_id)
    assert proto.envelope_digest(sealed.envelope) == stored.envelope_sha256
    assert summary.duplicates == 0 and summary.received == 4
    keys = county.record_keys()
    assert len(keys) == len(set(keys)) == 4
    assert {(r.uuid, r.version) for r in saved} <= set(keys)


def test_receipt_not_signed_by_the_pinned_key_is_not_a_delivery(ws: Any, county: County) -> None:
    saved = save(ws, 2)
    e = state.load_enrollment(ws.settings)
    other = crypto.public_bytes(crypto.new_signing_key())
    forged = state.Enrollment.from_json({**e.to_json(), "server_signing_key": state.b64(other)})
    state.save_enrollment(ws.settings, forged)
    with pytest.raises(link.LinkError) as err:
        link.sync_now(ws, retry=RetryPolicy(**FAST))
    assert err.value.code == "bad_receipt"
    assert {ws.records.get(r.uuid).status for r in saved} == {"queued"}
    assert len(ws.outbox.unacknowledged()) == 1

    state.save_enrollment(ws.settings, e)
    link.sync_now(ws)
    assert {ws.records.get(r.uuid).status for r in saved} == {"delivered"}
    assert len(county.record_keys()) == 2


def test_cancel_stops_between_batches_and_keeps_what_was_delivered(ws: Any, county: County) -> None:
    save(ws, 6)
    progress: list[tuple[int, int]] = []

    def cancel() -> bool:
        return bool(progress) and progress[-1][0] >= 2

    summary = link.sync_now(
        ws,
        limits=BatchLimits(max_records=2),
        progress=lambda d, t: progress.append((d, t)),
        cancel=cancel,
    )
    assert summary.cancelled and summary.received == 2
    assert progress[0] == (0, 6) and (2, 6) in progress
    assert len(county.record_keys()) == 2
    # the rest waits: pending, or sealed while the first batch was on the wire (sent next time)
    waiting = ws.outbox.pending_count() + sum(len(b.item_seqs) for b in ws.outbox.unacknowledged())
    assert waiting == 4

    summary = link.sync_now(ws, limits=BatchLimits(max_records=2))
    assert not summary.cancelled and summary.received == 4
    assert len(set(county.record_keys())) == 6


def test_network_errors_and_5xx_are_retried_until_a_receipt(ws: Any, county: County) -> None:
    saved = save(ws, 2)
    county.faults.extend(["500_before", "500_after"])
    with FaultProxy("127.0.0.1", county.port) as proxy:
        proxy.push(Fault("refuse"), Fault("cut_upload", after=700))
        summary = link.sync_now(ws, base_url=proxy.url, retry=RetryPolicy(**dict(FAST, attempts=6)))
    assert summary.retries >= 4
    # the 500 after storing means the re-sent batch is answered with the stored receipt
    assert summary.received == 2 and summary.rejected == 0
    keys = county.record_keys()
    assert sorted(keys) == sorted((r.uuid, r.version) for r in saved)


def test_a_revoked_device_is_refused_clearly_and_keeps_its_records(ws: Any, county: County) -> None:
    saved = save(ws, 1)
    device = state.load_enrollment(ws.settings).device_id
    county.server.store.revoke_device(device)
    with pytest.raises(link.LinkError) as err:
        link.sync_now(ws)
    assert err.value.code == "device_revoked"
    assert "no longer accepts this device" in str(err.value)
    assert county.record_keys() == []
    assert ws.records.get(saved[0].uuid).status == "queued"


def test_a_workspace_restored_from_an_older_backup_recovers_by_itself(
    tmp_path: Path, ws: Any, county: County
) -> None:
    from desktop.store import Workspace
    from tests.sync.client_support import PASSWORD

    backup = ws.backup(tmp_path / "before.udbak")
    save(ws, 2)
    link.sync_now(ws)  # the county has batch #1 from this device now
    restored = Workspace.restore(backup, tmp_path / "restored", user="admin", password=PASSWORD)
    try:
        save(restored, 1)
        summary = link.sync_now(restored)  # batch #1 again: refused, re-sealed as #2
        assert (summary.resequenced_batches, summary.resequenced_records) == (1, 1)
        assert summary.server_last_seq == 1 and summary.received == 1
        assert "restored from an older backup" in summary.text()
        assert restored.outbox.next_device_seq() == 3
        assert len(set(county.record_keys())) == len(county.record_keys()) == 3
    finally:
        restored.close()
