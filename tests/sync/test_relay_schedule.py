"""Scheduled relay inside ``uniondesk-server serve`` (issue 11: relay on a schedule and on demand).

A real county (HTTPS, its own thread or a real ``serve`` child process) relays to a real province
(HTTPS, SQLite). The schedule keeps sending while requests are answered, rides out a province
outage with growing pauses, logs each run with its backlog, and stops with the server.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from sync.retry import RetryPolicy
from sync.server.cli import main as server_main
from sync.server.config import init_data_dir, load_data_dir
from sync.server.domain.relay import RelayOutbox, relay_lock
from sync.server.domain.relay_schedule import RelayScheduler
from sync.server.domain.service import Server
from sync.server.runner import ServerThread, free_port
from tests.sync.conftest import REPO
from tests.sync.relay_support import Province, link_county, queue_accepted

TOWNSHIP = "330106001"
QUICK = {"attempts": 2, "base_delay": 0.01, "max_delay": 0.02, "connect_timeout": 2.0}


@pytest.fixture
def province(tmp_path: Path) -> Iterator[Province]:
    p = Province(tmp_path)  # SQLite
    yield p
    p.close()


def _county(tmp_path: Path, province: Province) -> Server:
    data = tmp_path / "county"
    county = Server(
        init_data_dir(data, level="county", name="西湖区总工会", org_unit_code="330106")
    )
    county.store.add_org_unit(TOWNSHIP, "西溪街道总工会", "330106", "township")
    link_county(county, province)
    return county


def _until(check: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _log(data: Path) -> str:
    path = data / "logs" / "server.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_schedule_rides_out_a_province_outage_without_blocking_requests(
    tmp_path: Path, province: Province
) -> None:
    county = _county(tmp_path, province)
    web = ServerThread(county).start()  # also writes the county's log file
    scheduler = None
    try:
        accepted = queue_accepted(county, TOWNSHIP, 5)
        province.stop()  # the province is down when the schedule starts
        scheduler = RelayScheduler(
            county, every=0.2, max_backoff=0.8, retry=RetryPolicy(**QUICK)
        ).start()
        _until(lambda: scheduler.failures >= 2)
        # the county keeps answering while its relay fails and retries
        ca = county.data.path / "tls" / "ca.pem"
        started = time.monotonic()
        assert requests.get(f"{web.url}/v1/info", verify=str(ca), timeout=5).status_code == 200
        assert time.monotonic() - started < 2.0
        log = _log(county.data.path)
        assert "relay run failed code=unreachable failures=1 backlog pending=0 sealed=5" in log
        assert province.record_keys() == []
        # pauses grow after failures, jittered, never below the schedule nor above the cap
        pauses = {scheduler.next_pause() for _ in range(50)}
        assert all(0.2 <= p <= 0.8 for p in pauses) and len(pauses) > 1

        province.start()  # back: the next run sends everything, once
        _until(lambda: len(province.record_keys()) == 5)
        _until(lambda: "relay back after" in _log(county.data.path))
        assert set(province.record_keys()) == accepted
        assert scheduler.failures == 0
        _until(lambda: "backlog pending=0 sealed=0 delivered=5" in _log(county.data.path))

        more = queue_accepted(county, TOWNSHIP, 2)  # accepted later: the next tick sends them
        _until(lambda: len(province.record_keys()) == 7)
        assert set(province.record_keys()) == accepted | more
        started = time.monotonic()
        scheduler.stop()
        assert time.monotonic() - started < 5.0
        assert "relay scheduler stopped" in _log(county.data.path)
        keys = province.record_keys()
        assert len(keys) == len(set(keys)) == 7
    finally:
        if scheduler is not None:
            scheduler.stop()
        web.stop()
        county.store.close()


def test_stop_during_an_outage_ends_at_once(tmp_path: Path, province: Province) -> None:
    county = _county(tmp_path, province)
    try:
        queue_accepted(county, TOWNSHIP, 1)
        province.stop()
        slow = RetryPolicy(attempts=50, base_delay=5.0, max_delay=5.0, connect_timeout=2.0)
        scheduler = RelayScheduler(county, every=60, retry=slow).start()
        time.sleep(0.5)  # inside the run, waiting between retries
        started = time.monotonic()
        scheduler.stop()
        assert time.monotonic() - started < 5.0
        assert RelayOutbox(county).backlog()["delivered"] == 0
    finally:
        county.store.close()


def test_serve_relays_on_a_schedule_and_stops_cleanly(tmp_path: Path, province: Province) -> None:
    county = _county(tmp_path, province)
    accepted = queue_accepted(county, TOWNSHIP, 3)
    county.store.close()
    data = county.data.path
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sync.server", "serve", "--data", str(data), "--port", str(port),
         "--relay-every", "0.5"],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        _until(lambda: len(province.record_keys()) == 3)
        assert set(province.record_keys()) == accepted
        _until(lambda: "backlog pending=0 sealed=0 delivered=3" in _log(data))
        log = _log(data)
        assert "relay scheduler started every=0.5s" in log
        assert "relay scheduled run records=3 received=3" in log
        # on demand while the server runs: waits for no one, refuses clearly if a run is going
        server = Server(load_data_dir(data))
        try:
            with relay_lock(server):
                assert server_main(["relay", "--data", str(data)]) == 1
        finally:
            server.store.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal
        last = _log(data).splitlines()[-2:]  # the schedule ends first, then the server
        assert last[0].endswith("relay scheduler stopped")
        assert last[1].split()[-1] == "stopped" and "relay" not in last[1]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stderr:
            proc.stderr.close()


def test_serve_relay_option_is_checked(tmp_path: Path, province: Province, capsys: Any) -> None:
    prov = str(province.data_path)
    assert server_main(["serve", "--data", prov, "--relay-every", "60"]) == 2
    assert "only a county server relays" in capsys.readouterr().err
    county = _county(tmp_path, province)
    county.store.close()
    data = str(county.data.path)
    assert server_main(["serve", "--data", data, "--relay-every", "-1"]) == 2
    assert "--relay-every takes seconds >= 0" in capsys.readouterr().err
