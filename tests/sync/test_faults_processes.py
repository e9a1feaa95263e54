"""Real process deaths: the county server process SIGKILLed mid-batch, and the ``uniondesk sync``
process SIGKILLed after its upload reached the county but before the receipt came back. After
restarting, the county holds every record exactly once, and the client re-sends the very same
bytes (never re-sealing) to get its receipt.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from desktop import link
from desktop.store import Workspace
from sync import protocol as proto
from sync.client import RetryPolicy
from sync.server.runner import free_port
from tests.sync.client_support import (
    PASSWORD,
    County,
    HandleView,
    create_township,
    union_data,
)
from tests.sync.faultproxy import Fault, FaultProxy

pytestmark = pytest.mark.slow
TOWN = "330106001"
REPO = Path(__file__).resolve().parents[2]


def test_county_process_killed_mid_batch_loses_nothing(
    tmp_path: Path, server_process_factory: Callable[..., Any]
) -> None:
    proc = server_process_factory()
    county = HandleView(proc.handle())
    rng = random.Random(7)
    saved: dict[str, int] = {}
    with FaultProxy("127.0.0.1", proc.port) as proxy:
        ws = create_township(tmp_path, TOWN)
        link.enroll(ws, proxy.url, county.enroll_code(TOWN))
        for _ in range(3):
            for _ in range(rng.randint(2, 6)):
                rec = ws.records.save("union", union_data(TOWN))
                saved[rec.uuid] = rec.version
            proxy.default = Fault("delay", seconds=rng.uniform(0.0, 0.2))
            outcome: list[str] = []

            def upload(outcome: list[str] = outcome) -> None:
                try:
                    link.sync_now(ws, retry=RetryPolicy(attempts=1, read_timeout=5))
                    outcome.append("done")
                except link.LinkError as exc:
                    outcome.append(exc.code)

            t = threading.Thread(target=upload)
            t.start()
            time.sleep(rng.uniform(0.0, 0.15))
            proc.kill()  # SIGKILL, wherever the batch is
            t.join(timeout=30)
            assert outcome and outcome[0] in ("done", "unreachable")
            proxy.default = Fault()
            # a new port: the killed process's sockets linger in TIME_WAIT, and the server's
            # start-up check refuses a port with those; the proxy follows the county there
            proc.port = free_port()
            proxy.target = ("127.0.0.1", proc.port)
            proc.start()
            summary = link.sync_now(ws)
            assert ws.outbox.pending_count() == 0 and ws.outbox.unacknowledged() == []
            assert summary.rejected == 0
        keys = county.record_keys()
        assert len(keys) == len(set(keys)) == len(saved)
        assert dict(keys) == saved
        ws.close()


def test_sync_process_killed_between_send_and_receipt_resends_the_same_bytes(
    tmp_path: Path,
) -> None:
    county = County(tmp_path)
    with FaultProxy("127.0.0.1", county.port) as proxy:
        ws = create_township(tmp_path, TOWN)
        link.enroll(ws, proxy.url, county.enroll_code(TOWN))
        saved = {ws.records.save("union", union_data(TOWN)).uuid for _ in range(3)}
        path = ws.path
        ws.close()

        # the upload goes through; the county's answer is held back, and the client dies
        proxy.default = Fault("delay", seconds=60, after=2500)
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        child = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "desktop.cli",
                "sync",
                "--workspace",
                str(path),
                "--password-stdin",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert child.stdin is not None
        child.stdin.write(PASSWORD.encode() + b"\n")
        child.stdin.close()
        deadline = time.monotonic() + 60
        while not county.record_keys():
            assert child.poll() is None, child.stderr.read() if child.stderr else ""
            assert time.monotonic() < deadline, "the upload never reached the county"
            time.sleep(0.05)
        child.kill()
        child.wait(timeout=10)
        assert child.stdout is not None and child.stdout.read() == b""  # no summary: killed
        proxy.default = Fault()

        ws = Workspace.open(path, user="admin", password=PASSWORD)
        [pending] = ws.outbox.unacknowledged()
        assert {ws.records.get(u).status for u in saved} == {"queued"}
        summary = link.sync_now(ws)
        assert summary.batches_resent == 1 and summary.batches_sent == 0
        stored = county.server.store.batch(pending.batch_id)
        assert stored.envelope_sha256 == proto.envelope_digest(pending.envelope)
        assert {u for u, _ in county.record_keys()} == saved
        assert len(county.record_keys()) == 3
        assert {ws.records.get(u).status for u in saved} == {"delivered"}
        ws.close()
    county.close()
