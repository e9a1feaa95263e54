"""A county restored from an older backup catches up with its province by itself, the way a
restored township catches up with its county: the province's ``stale_sequence`` refusal carries
its signed mark, the county re-seals above it what the province never received, records the
province already holds come back as duplicates (or, with other content, as version conflicts per
record), and nothing is stored twice. Real servers: the province over HTTPS on 127.0.0.1, the
county's real SQLite file copied and put back as an IT person restores a backup."""

from __future__ import annotations

import json
import shutil
import sqlite3
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sync import crypto
from sync import protocol as proto
from sync.client import SyncError, SyncSummary
from sync.retry import RetryPolicy
from sync.server.config import init_data_dir, load_data_dir
from sync.server.domain.relay import RELAY_SEQ_FLOOR, RelayOutbox, relay_once
from sync.server.domain.service import Server
from sync.server.tables import meta, relay_batches, relay_items
from tests.sync.client_support import union_data
from tests.sync.relay_support import Province, link_county, queue_accepted

A = "330106001"
ONCE = RetryPolicy(attempts=1, base_delay=0.01, max_delay=0.02, read_timeout=5)


class Site:
    """A province and a county enrolled at it; the county's database can be backed up and
    restored (the file, as ``cp`` or the backup tool of the machine would)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.province = Province(root)
        self.county_path = root / "county"
        init_data_dir(self.county_path, level="county", name="西湖区总工会", org_unit_code="330106")
        self.county = Server(load_data_dir(self.county_path))
        self.county.store.add_org_unit(A, "西溪街道总工会", "330106", "township")
        link_county(self.county, self.province)

    def backup(self, name: str) -> Path:
        target = self.root / f"{name}.db"
        with sqlite3.connect(self.county_path / "server.db") as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        src.close()
        dst.close()
        return target

    def restore(self, copy: Path) -> None:
        self.county.store.close()
        db = self.county_path / "server.db"
        for extra in ("-wal", "-shm"):
            Path(f"{db}{extra}").unlink(missing_ok=True)
        shutil.copyfile(copy, db)
        self.county = Server(load_data_dir(self.county_path))

    def relay(self, **kwargs: Any) -> SyncSummary:
        return relay_once(self.county, **kwargs)

    def at_province(self) -> dict[tuple[str, int], str]:
        """(uuid, version) -> record hash of every record the province stored; none twice."""
        from sync.server.tables import records

        with self.province.server.store.read() as conn:
            rows = conn.execute(
                select(records.c.record_uuid, records.c.version, records.c.record_sha256)
            ).all()
        keys = [(r[0], int(r[1])) for r in rows]
        assert not [k for k, n in Counter(keys).items() if n > 1], "a record stored twice"
        return {(r[0], int(r[1])): r[2] for r in rows}

    def relay_state(self) -> dict[tuple[str, int], str]:
        with self.county.store.read() as conn:
            rows = conn.execute(
                select(relay_items.c.record_uuid, relay_items.c.version, relay_items.c.state)
            ).all()
        return {(r[0], int(r[1])): r[2] for r in rows}

    def close(self) -> None:
        self.county.store.close()
        self.province.close()


@pytest.fixture
def site(tmp_path: Path) -> Any:
    s = Site(tmp_path)
    yield s
    s.close()


def _record(org_unit: str, record_uuid: str | None = None, version: int = 1, **data: Any) -> Any:
    return {
        "uuid": record_uuid or str(uuid.uuid4()), "form_id": "union", "form_version": 1,
        "version": version, "org_unit": org_unit, "status": "ready",
        "data": union_data(org_unit, **data), "created_by": "clerk",
        "created_at": "2026-11-23T00:00:00Z", "updated_by": "clerk",
        "updated_at": "2026-11-23T00:00:00Z",
    }  # fmt: skip


def test_a_restored_county_relays_again_and_every_record_arrives_once(site: Site) -> None:
    first = queue_accepted(site.county, A, 3)
    assert site.relay().received == 3
    # a batch sealed but unanswered when the backup is taken (the province answered 500)
    sealed = queue_accepted(site.county, A, 2)
    site.province.faults.append("500_before")
    with pytest.raises(SyncError):
        site.relay(retry=ONCE)
    backup = site.backup("county-monday")

    # life goes on: the sealed batch arrives, more records are accepted and relayed
    assert site.relay().received == 2
    after_backup = queue_accepted(site.county, A, 4)
    assert site.relay().received == 4
    mark = site.province.server.store.device(json.loads(
        (site.county_path / "relay.json").read_text())["device_id"]).last_seq  # fmt: skip

    # the county's disk dies; IT restores Monday's backup; reviewers accept two more records
    site.restore(backup)
    assert RelayOutbox(site.county).next_device_seq() <= mark  # its numbers are used up
    new = queue_accepted(site.county, A, 2)
    summary = site.relay()

    assert summary.batches_resent == 1  # the batch sealed before the backup: its receipt again
    assert summary.resequenced_batches >= 1 and summary.server_last_seq == mark
    assert "the province had already received relay batches up to number" in summary.text()
    # the re-sent batch's original receipt (2) and the two new records
    assert summary.received == 4 and summary.rejected == 0
    assert set(site.at_province()) == first | sealed | after_backup | new
    state = site.relay_state()
    assert set(state.values()) == {"delivered"}
    assert set(state) == first | sealed | new  # what the restored county knows of
    with site.county.store.read() as conn:
        floor = conn.execute(select(meta.c.value).where(meta.c.key == RELAY_SEQ_FLOOR)).scalar()
        top = conn.execute(select(relay_batches.c.device_seq).order_by(
            relay_batches.c.device_seq.desc())).first()  # fmt: skip
    assert int(floor) == mark + 1 and top[0] > mark

    # and a second run has nothing left to do
    again = site.relay()
    assert (again.batches_sent, again.resequenced_batches, again.pending_left) == (0, 0, 0)


def test_a_record_relayed_with_other_content_after_the_restore_is_a_version_conflict(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    backup = site.backup("county-empty")
    original = _record(A, employees=80, members=20)
    later = _record(A, record_uuid=original["uuid"], version=2, employees=80, members=21)
    queue_accepted(site.county, A, 0, records=[original])
    assert site.relay().received == 1
    site.restore(backup)  # the county forgets it; the township sends another history of it
    other = _record(A, record_uuid=original["uuid"], employees=80, members=25)
    follow = {**later, "data": union_data(A, employees=80, members=26)}
    fresh = _record(A)
    queue_accepted(site.county, A, 0, records=[other, fresh])
    queue_accepted(site.county, A, 0, records=[follow])  # its next version, accepted later
    stored_before = site.at_province()
    with caplog.at_level("WARNING", logger="uniondesk.server"):
        summary = site.relay()
    assert summary.resequenced_batches == 1 and summary.rejected == 2 and summary.received == 1
    assert any("never received by the province" in r.getMessage() for r in caplog.records)

    after = site.at_province()
    key = (original["uuid"], 1)
    assert after[key] == stored_before[key]  # nothing stored is overwritten
    assert (original["uuid"], 2) not in after  # nor a version following the conflict
    assert (fresh["uuid"], 1) in after
    with site.county.store.read() as conn:
        rows = {
            (r.record_uuid, r.version): r
            for r in conn.execute(select(relay_items).where(relay_items.c.state == "rejected"))
        }
    errors = {k: RelayOutbox(site.county).errors_of(*k)[0] for k in rows}
    assert errors[key]["code"] == "sync.version_conflict"
    assert errors[key]["params"]["stored_version"] == 1
    assert errors[(original["uuid"], 2)]["params"]["message"] == "follows a conflicting version"


def test_a_refusal_that_does_not_verify_changes_nothing(site: Site) -> None:
    queue_accepted(site.county, A, 2)
    backup = site.backup("county-before")
    assert site.relay().received == 2
    site.restore(backup)
    link_path = site.county_path / "relay.json"
    good = link_path.read_text(encoding="utf-8")
    link = json.loads(good)
    # the county pins a key that did not sign the refusal (a forged or misrouted answer)
    link["province_signing_key"] = proto.b64e(crypto.public_bytes(crypto.new_signing_key()))
    link_path.write_text(json.dumps(link), encoding="utf-8")
    with site.county.store.read() as conn:
        before = (
            list(conn.execute(select(relay_items))),
            list(conn.execute(select(relay_batches))),
        )
    with pytest.raises(SyncError) as err:
        site.relay(retry=ONCE)
    assert err.value.code == "stale_sequence"
    with site.county.store.read() as conn:
        sealed = list(conn.execute(select(relay_batches)))
        items = list(conn.execute(select(relay_items)))
        floor = conn.execute(select(meta.c.value).where(meta.c.key == RELAY_SEQ_FLOOR)).scalar()
    # the batch sealed by this run stays sealed under its number, nothing was re-queued
    assert floor is None
    assert len(sealed) == len(before[1]) + 1
    assert {i.state for i in items} == {"sealed"} and len(items) == len(before[0])

    link_path.write_text(good, encoding="utf-8")  # the right key again: it catches up
    summary = site.relay()
    assert summary.resequenced_batches == 1 and summary.duplicates == 2
    assert len(site.at_province()) == 2
