"""Randomized fault injection: after the network heals, the county holds exactly the records the
townships saved - nothing lost, nothing twice.

Two real township workspaces sync to a real county over HTTPS on 127.0.0.1, through a TCP proxy
that refuses connections, cuts uploads mid-body, swallows answers (the client "dies" between send
and receipt: the engine is dropped and a new one resumes), or delays answers past the client's
read timeout. The county answers 500 before or after storing a batch, is killed mid-batch and
restarted over the same data, and receives the same batches 1-5 times, out of order, from a
second sender. Each run is seeded (``run``) so a failure can be replayed alone.
"""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from desktop import link
from desktop.link import state
from desktop.store import Workspace
from sync.client import RetryPolicy
from tests.sync.client_support import PASSWORD, TOWNSHIPS, County, create_township, union_data
from tests.sync.faultproxy import Fault, FaultProxy

RUNS = 200
SEED = 20261123

pytestmark = pytest.mark.slow


@dataclass
class World:
    county: County
    proxy: FaultProxy
    townships: dict[str, Any]
    saved: dict[str, dict[str, set[int]]] = field(default_factory=dict)  # org -> uuid -> versions
    envelopes: list[bytes] = field(default_factory=list)  # every batch ever sealed
    stats: dict[str, int] = field(default_factory=lambda: defaultdict(int))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("faults")
    county = County(root)
    proxy = FaultProxy("127.0.0.1", county.port)
    townships = {}
    for code in TOWNSHIPS:
        ws = create_township(root, code)
        # enrolled through the proxy: every request of the township passes it, before and after
        # a county restart (the proxy is pointed at the new port)
        link.enroll(ws, proxy.url, county.enroll_code(code))
        townships[code] = ws
    w = World(county, proxy, townships, {code: {} for code in TOWNSHIPS})
    yield w
    print("\nfault statistics:", dict(sorted(w.stats.items())))
    for ws in w.townships.values():
        ws.close()
    proxy.close()
    county.close()


def _session(ws: Any) -> requests.Session:
    session = link.service.make_session(state.load_enrollment(ws.settings))
    session.headers["Connection"] = "close"  # one TCP connection (one proxy fault) per request
    return session


def _save_some(w: World, code: str, rng: random.Random) -> None:
    ws = w.townships[code]
    mine = w.saved[code]
    editable = [u for u in sorted(mine) if ws.records.get(u).status in ("ready", "returned")]
    for _ in range(rng.randint(1, 3)):
        if editable and rng.random() < 0.5:  # a correction: a new version of a returned record
            record_uuid = editable.pop(rng.randrange(len(editable)))
            rec = ws.records.save("union", union_data(code), record_uuid=record_uuid)
            w.stats["corrections saved"] += 1
        else:
            rec = ws.records.save("union", union_data(code))
        mine.setdefault(rec.uuid, set()).add(rec.version)
    delivered = [u for u in sorted(mine) if ws.records.get(u).status == "delivered"]
    if delivered and rng.random() < 0.3:  # the county returns a record (applied at next sync)
        record_uuid = rng.choice(delivered)
        device = state.load_enrollment(ws.settings).device_id
        with w.county.server.store.write() as conn:
            w.county.server.enqueue(
                conn,
                device,
                "review_decision",
                {
                    "record_uuid": record_uuid,
                    "version": max(mine[record_uuid]),
                    "decision": "returned",
                    "comment": "请核对",
                    "reviewer": "county",
                    "decided_at": "2026-11-23T01:00:00Z",
                },
            )
        w.stats["records returned"] += 1


def _faulty_sync(w: World, ws: Any, rng: random.Random) -> None:
    """One sync through the proxy with short timeouts; it may fail, but only as unreachable."""
    retry = RetryPolicy(
        attempts=rng.randint(1, 3),
        base_delay=0.005,
        max_delay=0.02,
        connect_timeout=0.5,
        read_timeout=0.15,
        rng=rng,
    )
    try:
        link.sync_now(ws, retry=retry, session=_session(ws))
        w.stats["faulty sync completed"] += 1
    except link.LinkError as exc:
        assert exc.code == "unreachable", f"unexpected failure: {exc.code}: {exc}"
        w.stats["faulty sync gave up"] += 1


def _kill_mid_batch(w: World, ws: Any, rng: random.Random) -> None:
    """Kill the county at a random moment of an upload, restart it over the same data."""
    w.proxy.default = Fault("delay", seconds=rng.uniform(0.0, 0.05))
    errors: list[BaseException] = []

    def run() -> None:
        try:
            _faulty_sync(w, ws, rng)
        except BaseException as exc:  # reported below
            errors.append(exc)

    t = threading.Thread(target=run)
    t.start()
    time.sleep(rng.uniform(0.0, 0.08))
    w.county.kill()
    t.join(timeout=30)
    w.county.restart()
    w.proxy.target = ("127.0.0.1", w.county.port)
    w.proxy.default = Fault()
    assert not errors, errors


def _redeliver(w: World, rng: random.Random) -> None:
    """Send recent batches again 1-5 times each, shuffled, concurrently, from another sender."""
    recent = w.envelopes[-4:]
    if not recent:
        return
    w.county.faults.clear()  # injected 500s are for the township's own upload
    sends = [env for env in recent for _ in range(rng.randint(1, 5))]
    rng.shuffle(sends)
    ca = w.county.server.data.ca_path

    def post(body: bytes) -> tuple[bytes, int, bytes]:
        r = requests.post(
            w.county.url + "/v1/batches",
            data=body,
            headers={"Content-Type": "application/json"},
            verify=str(ca),
            timeout=10,
        )
        return body, r.status_code, r.content

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(post, sends))
    receipts: dict[bytes, set[bytes]] = defaultdict(set)
    for body, status, content in answers:
        assert status == 200, content
        receipts[body].add(content)
    assert all(len(r) == 1 for r in receipts.values()), "the same batch got different receipts"
    w.stats["redelivered batches"] += len(sends)


def _remember_envelopes(w: World) -> None:
    for ws in w.townships.values():
        for batch in ws.outbox.unacknowledged():
            if batch.envelope not in w.envelopes[-8:]:
                w.envelopes.append(batch.envelope)


def _heal_and_check(w: World) -> None:
    w.proxy.clear()
    w.county.faults.clear()
    for ws in w.townships.values():
        if not (ws.outbox.pending_count() or ws.outbox.unacknowledged()):
            continue  # (its inbox waits for its next run)
        summary = link.sync_now(ws, retry=RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05))
        assert not summary.cancelled
        assert ws.outbox.pending_count() == 0 and ws.outbox.unacknowledged() == []
    keys = w.county.record_keys()
    assert len(keys) == len(set(keys)), "a record version is stored twice at the county"
    at_county: dict[str, set[int]] = defaultdict(set)
    for record_uuid, version in keys:
        at_county[record_uuid].add(version)
    saved = {u: v for mine in w.saved.values() for u, v in mine.items()}
    assert set(at_county) == set(saved), "records lost or invented"
    for record_uuid, versions in at_county.items():
        assert versions <= saved[record_uuid], "a version the township never saved"
        assert max(versions) == max(saved[record_uuid]), "the latest version did not arrive"


@pytest.mark.parametrize("run", range(RUNS))
def test_randomized_faults_lose_nothing_and_store_nothing_twice(world: World, run: int) -> None:
    rng = random.Random(SEED + run)
    w = world
    code = rng.choice(sorted(w.townships))
    _save_some(w, code, rng)
    ws = w.townships[code]
    scenario = rng.choice(
        ["proxy", "proxy", "proxy", "http500", "http500", "kill", "crash", "mixed"]
    )
    w.stats[f"scenario {scenario}"] += 1
    if scenario in ("proxy", "mixed"):
        kinds = ["refuse", "cut_upload", "drop_reply", "delay"]
        w.proxy.push(
            *[
                Fault(k, after=rng.randint(0, 6000), seconds=0.3)
                for k in rng.choices(kinds, k=rng.randint(1, 4))
            ]
        )
    if scenario in ("http500", "mixed"):
        w.county.faults.extend(rng.choices(["500_before", "500_after"], k=rng.randint(1, 3)))
    if scenario == "kill":
        _kill_mid_batch(w, ws, rng)
    elif scenario == "crash":
        # the answer to the upload never arrives and the client process is gone
        w.proxy.default = Fault("drop_reply", after=rng.randint(1500, 4000))
        _faulty_sync(w, ws, rng)
        w.proxy.default = Fault()
        if rng.random() < 0.15:  # and the PC was switched off: the workspace is opened again
            path = ws.path
            ws.close()
            w.townships[code] = Workspace.open(path, user="admin", password=PASSWORD)
            w.stats["workspace reopened"] += 1
    else:
        _faulty_sync(w, ws, rng)
    _remember_envelopes(w)
    if rng.random() < 0.35:
        _redeliver(w, rng)
    _heal_and_check(w)


def test_fault_runs_covered_every_kind(world: World) -> None:
    """The randomized runs above really exercised every fault (guards the generator)."""
    s = world.stats
    for key in (
        "scenario proxy",
        "scenario http500",
        "scenario kill",
        "scenario crash",
        "scenario mixed",
        "faulty sync gave up",
        "redelivered batches",
        "records returned",
        "corrections saved",
    ):
        assert s.get(key, 0) > 0, key
    assert world.proxy.connections > RUNS
    assert sum(len(m) for m in world.saved.values()) > RUNS
