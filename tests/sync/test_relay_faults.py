"""Randomized fault injection between county and province (PostgreSQL): after the link heals, the
province holds exactly the records the county accepted - nothing lost, nothing twice.

Each run, a township batch arrives at the county (the real ingest), a reviewer accepts some
records and returns others (sometimes a new version of an accepted record comes and is accepted
too), then the county relays through a TCP proxy while faults hit: the province answers 500 before
or after storing, is down (connection refused), the upload is cut mid-body, the answer is lost,
the county is "killed" mid-relay (its ``Server`` dropped and reopened over the same data), the
county's database is restored from an older backup (the province's signed ``stale_sequence`` mark
makes it re-seal above it), and old relay batches are delivered again out of order. Runs are seeded (``run``): a failure replays alone.
"""

from __future__ import annotations

import contextlib
import random
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from sync.client import RetryPolicy, SyncError
from sync.server import tables
from sync.server.config import init_data_dir, load_data_dir
from sync.server.domain import review
from sync.server.domain.ingest import ingest
from sync.server.domain.relay import RelayOutbox, relay_once
from sync.server.domain.service import Server
from tests.sync.conftest import RawDevice
from tests.sync.faultproxy import Fault, FaultProxy
from tests.sync.relay_support import Province, enroll_device, link_county
from tests.sync.test_server_postgres import postgres_url  # noqa: F401  (throwaway cluster)

RUNS = 200
KINDS = (
    "500_before",
    "500_after",
    "down",
    "cut",
    "lost_answer",
    "county_killed",
    "county_restored",
)
SEED = 20261123
TOWNSHIP = "330106001"

pytestmark = pytest.mark.slow


@dataclass
class World:
    root: Path
    province: Province
    county: Server
    proxy: FaultProxy
    township: Any
    reviewer: Any
    accepted: set[tuple[str, int]] = field(default_factory=set)
    latest: dict[str, dict[str, Any]] = field(default_factory=dict)  # accepted records by uuid
    versions: dict[str, int] = field(default_factory=dict)  # newest version sent, by uuid
    faults: dict[str, int] = field(default_factory=dict)

    def reopen_county(self) -> None:
        """The county process died mid-relay: a new server state over the same data."""
        self.county.store.close()
        self.county = Server(load_data_dir(self.root / "county"))

    def restore_county(self, copy: Path) -> None:
        """The county's disk died: IT puts back an older copy of its database."""
        self.county.store.close()
        db = self.root / "county" / "server.db"
        for extra in ("-wal", "-shm"):
            Path(f"{db}{extra}").unlink(missing_ok=True)
        shutil.copyfile(copy, db)
        self.county = Server(load_data_dir(self.root / "county"))

    def backup_county(self) -> Path:
        target = self.root / "county-backup.db"
        target.unlink(missing_ok=True)
        with sqlite3.connect(self.root / "county" / "server.db") as src:
            with sqlite3.connect(target) as dst:
                src.backup(dst)
            dst.close()
        src.close()
        return target

    def relay(self, attempts: int = 1) -> None:
        retry = RetryPolicy(attempts=attempts, base_delay=0.01, max_delay=0.05, read_timeout=5)
        summary = relay_once(self.county, base_url=self.proxy.url, retry=retry)
        self.faults["resequenced"] = self.faults.get("resequenced", 0) + summary.resequenced_batches


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, postgres_url: str) -> Iterator[World]:  # noqa: F811
    root = tmp_path_factory.mktemp("relayfaults")
    province = Province(root, db_url=postgres_url)
    county = Server(
        init_data_dir(root / "county", level="county", name="西湖区总工会", org_unit_code="330106")
    )
    county.store.add_org_unit(TOWNSHIP, "西溪街道总工会", "330106", "township")
    link_county(county, province)
    proxy = FaultProxy("127.0.0.1", province.port)
    # a township device speaking the real protocol, fed to the county's real ingest in-process
    township = RawDevice.__new__(RawDevice)
    township.org_unit, township.seq = TOWNSHIP, 0
    township.key, township.device_id = enroll_device(county, TOWNSHIP, "township")
    township.enrollment = type(
        "E", (), {"server": type("S", (), {"hpke_public_key": county.hpke_public})()}
    )()
    _key, reviewer_id = enroll_device(county, "330106", "reviewer")
    w = World(root, province, county, proxy, township, county.store.device(reviewer_id))
    yield w
    proxy.close()
    w.county.store.close()
    province.close()


def _new_records(w: World, rng: random.Random) -> list[dict[str, Any]]:
    recs = [w.township.record(employees=rng.randint(10, 99)) for _ in range(rng.randint(1, 5))]
    if w.latest and rng.random() < 0.3:  # a correction of an accepted record: a new version
        old = w.latest[rng.choice(sorted(w.latest))]
        version = w.versions[old["uuid"]] + 1
        recs.append({**old, "version": version, "data": {**old["data"], "members": version}})
    for r in recs:
        w.versions[r["uuid"]] = r["version"]
    return recs


def _review(w: World, rng: random.Random, recs: list[dict[str, Any]]) -> None:
    decisions = []
    for r in recs:
        accept = rng.random() < 0.75
        decisions.append(
            {
                "record_uuid": r["uuid"],
                "version": r["version"],
                "decision": "accepted" if accept else "returned",
                "comment": "" if accept else "请核实",
            }
        )
        if accept:
            w.accepted.add((r["uuid"], r["version"]))
            w.latest[r["uuid"]] = r
    doc = {"type": "review_decisions", "reviewer": "王审核", "decisions": decisions}
    results = review.decide(w.county, w.reviewer, doc)["results"]
    assert {x["result"] for x in results} == {"ok"}


def _fault(w: World, rng: random.Random, kind: str) -> None:
    w.faults[kind] = w.faults.get(kind, 0) + 1
    try:
        if kind in ("500_before", "500_after"):
            w.province.faults.append(kind)
        elif kind == "down":
            w.province.stop()
        elif kind == "cut":
            w.proxy.push(Fault("cut_upload", after=rng.randint(0, 3000)))
        elif kind in ("lost_answer", "county_killed"):
            w.proxy.push(Fault("drop_reply", after=rng.randint(200, 1500)))
        elif kind == "county_restored":
            # a backup now; then records accepted and relayed (some batches maybe sealed and
            # unanswered); then the backup is restored: what the county accepted since is at the
            # province only, and the county's relay numbers are used up there
            copy = w.backup_county()
            recs = _new_records(w, rng)
            ingest(w.county, w.township.seal(recs))
            _review(w, rng, recs)
            if rng.random() < 0.5:
                w.province.faults.append("500_after")
            with contextlib.suppress(SyncError):
                w.relay(attempts=rng.randint(1, 4))
            w.province.faults.clear()
            w.relay(attempts=4)  # what reached only the lost copy must be at the province
            w.restore_county(copy)
        w.relay()
    except SyncError:
        pass
    finally:
        w.province.faults.clear()
        w.proxy.clear()
        if kind == "down":
            w.province.start()
        if kind == "county_killed":
            w.reopen_county()


def _redeliver_old_batch(w: World, rng: random.Random) -> None:
    """A relay batch already delivered arrives again: same receipt, nothing stored twice."""
    with w.county.store.read() as conn:
        rows = list(conn.execute(select(tables.relay_batches).where(
            tables.relay_batches.c.receipt.is_not(None))))  # fmt: skip
    if not rows:
        return
    row = rng.choice(rows)
    r = requests.post(
        w.province.url + "/v1/batches",
        data=row.envelope.encode(),
        verify=str(w.province.server.data.ca_path),
        timeout=10,
    )
    receipt = w.county.sealer.open_doc("relay_receipt", row.batch_id, row.receipt)
    assert r.status_code == 200 and r.content == receipt
    w.faults["redelivered"] = w.faults.get("redelivered", 0) + 1


@pytest.mark.parametrize("run", range(RUNS))
def test_province_ends_with_exactly_the_accepted_set(world: World, run: int) -> None:
    w = world
    rng = random.Random(SEED + run)
    recs = _new_records(w, rng)
    body = w.township.seal(recs)
    ingest(w.county, body)
    _review(w, rng, recs)
    kinds = list(KINDS)
    for _ in range(rng.randint(0, 3)):
        _fault(w, rng, rng.choice(kinds))
        if rng.random() < 0.2:
            _redeliver_old_batch(w, rng)
    w.relay(attempts=4)  # the link heals
    backlog = RelayOutbox(w.county).backlog()
    assert backlog["pending"] == backlog["sealed"] == backlog["rejected"] == 0
    keys = w.province.record_keys()
    assert len(keys) == len(set(keys)), "a record arrived twice"
    assert set(keys) == w.accepted, "the province differs from the accepted set"


def test_every_fault_happened(world: World) -> None:
    """The runs above really hit each fault, and restored counties really re-sealed."""
    assert {k: world.faults.get(k, 0) > 5 for k in KINDS} == dict.fromkeys(KINDS, True)
    assert world.faults.get("resequenced", 0) > 5, world.faults
