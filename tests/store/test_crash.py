"""kill -9 in the middle of a run of saves, many times: nothing that returned is lost, the outbox
matches the records, the database and the audit chain check clean."""

from __future__ import annotations

import os
import random
import select
import signal
import time

import pytest

from desktop.store import Workspace
from tests.store import helpers as h
from tests.store.conftest import ADMIN_PW, FAST_KDF, reopen

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)"),
]
ROUNDS = 50


def _child(path, start: int, union_uuid: str, wfd: int) -> None:
    """Runs in the forked child: save records forever, reporting each one that returned."""
    try:
        ws = Workspace.open(path, user="admin", password=ADMIN_PW, kdf=FAST_KDF)
        os.write(wfd, b"open\n")
        i = start
        while True:
            rec = ws.records.save("member", h.member(i, union_uuid))
            os.write(wfd, f"{rec.uuid} 1\n".encode())
            if i % 7 == 0:  # a small bulk import: one transaction for several records
                res = ws.records.save_many(
                    "member", [h.member(1_200_000 + i * 5 + k, union_uuid) for k in range(5)]
                )
                os.write(wfd, "".join(f"{u} 1\n" for u in res.saved).encode())
            if i % 3 == 0:  # an update too: versions and outbox replacement under fire
                upd = ws.records.save(
                    "member", h.member(i, union_uuid, name="更新"), record_uuid=rec.uuid
                )
                os.write(wfd, f"{upd.uuid} {upd.version}\n".encode())
            i += 1
    finally:
        os._exit(0)


def _read_lines(fd: int, deadline: float, want_open: bool = True) -> list[str]:
    buf = b""
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            buf += chunk
            if want_open and b"open\n" in buf:
                break
    return buf.decode().splitlines()


def test_kill_9_during_saves_loses_nothing_that_returned(created, ws_path):
    ws, _ = created
    union_uuid = ws.records.save("union", h.union()).uuid
    ws.close(backup=False)
    rng = random.Random(4)
    returned: dict[str, int] = {}
    next_i = 0
    for round_no in range(ROUNDS):
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            os.close(rfd)
            _child(ws_path, next_i, union_uuid, wfd)
        os.close(wfd)
        lines = _read_lines(rfd, time.monotonic() + 20)
        assert "open" in lines, f"round {round_no}: child did not open the workspace"
        time.sleep(rng.uniform(0.005, 0.08))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        lines += _read_lines(rfd, time.monotonic() + 1, want_open=False)
        os.close(rfd)
        for line in lines:
            if line != "open":
                u, v = line.split()
                returned[u] = max(returned.get(u, 0), int(v))
        next_i += 20_000
        # every save that returned is there, at least at the version that returned
        w = reopen(ws_path)
        try:
            for u, v in returned.items():
                assert w.records.get(u).version >= v, f"round {round_no}: lost version {v}"
        finally:
            w.close(backup=False)
    w = reopen(ws_path)
    try:
        assert len(returned) > ROUNDS  # the kills really landed among saves
        report = w.check()
        assert report.ok, report.problems
        # the outbox matches the records: one pending row per record, at its current version
        recs = {r.uuid: r.version for r in w.records.query("member")} | {union_uuid: 1}
        items = {(i.record_uuid, i.version) for i in w.outbox.pending(10**6)}
        assert items == set(recs.items())
        assert w.outbox.pending_count() == len(recs)
        assert w.records.count("member", search="更新") == sum(1 for v in recs.values() if v == 2)
    finally:
        w.close(backup=False)
