"""Running a county or provincial server for years: private data directory, a systemd unit,
health and metrics a county IT person can watch. Real servers over HTTPS, real subprocesses."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from desktop import link
from sync.client import SyncError
from sync.retry import RetryPolicy
from sync.server.cli import main as server_main
from sync.server.domain.relay import RelayOutbox, relay_once
from sync.server.errors import loggable
from tests.sync.client_support import HandleView, create_township, union_data
from tests.sync.conftest import REPO, init_county
from tests.sync.relay_support import Province, accept_all, link_county, reviewer_client

A = "330106001"
FAST_RETRY = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.05, read_timeout=5)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _serve(data: Path) -> subprocess.CompletedProcess[str]:
    """``serve`` on a port that is taken: it exits at once, after its other startup checks."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        return subprocess.run(
            [sys.executable, "-m", "sync.server", "serve", "--data", str(data), "--port", port],
            capture_output=True, text=True, timeout=60, env=env,
        )  # fmt: skip


def _get(handle: Any, path: str) -> requests.Response:
    return requests.get(handle.url + path, verify=str(handle.ca_path), timeout=10)


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_init_makes_the_data_directory_private(tmp_path: Path) -> None:
    data = init_county(tmp_path / "county")
    assert server_main(["status", "--data", str(data)]) == 0  # opens: creates server.db
    assert _mode(data) == 0o700
    for sub in ("keys", "tls", "logs"):
        assert _mode(data / sub) == 0o700, sub
    files = [p for p in data.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"signing.key", "hpke.key", "server.key", "server.db"}
    assert [str(p) for p in files if _mode(p) != 0o600] == []


@pytest.mark.parametrize(
    ("relpath", "mode", "fix"),
    [
        (".", 0o755, "chmod 700"),
        ("keys/signing.key", 0o644, "chmod 600"),
        ("tls/server.key", 0o640, "chmod 600"),
        ("server.db", 0o644, "chmod 600"),
    ],
)
def test_serve_refuses_a_data_directory_others_can_read(
    tmp_path: Path, relpath: str, mode: int, fix: str
) -> None:
    data = init_county(tmp_path / "county")
    server_main(["status", "--data", str(data)])
    os.chmod(data / relpath, mode)
    result = _serve(data)
    assert result.returncode == 2
    target = (data / relpath).resolve()
    assert f"error: {target} can be read by other users" in result.stderr
    assert f"run '{fix} {target}'" in result.stderr
    os.chmod(data / relpath, 0o700 if relpath == "." else 0o600)
    fixed = _serve(data)
    assert "can be read by other users" not in fixed.stderr and "already in use" in fixed.stderr


def test_install_service_writes_a_unit_that_systemd_accepts(tmp_path: Path) -> None:
    data = init_county(tmp_path / "county")
    unit = tmp_path / "uniondesk-server.service"
    code = server_main(["install-service", "--data", str(data), "--output", str(unit),
                        "--port", "9443", "--user", "root"])  # fmt: skip
    assert code == 0
    text = unit.read_text(encoding="utf-8")
    assert f"ExecStart={sys.executable} -m sync.server serve --data {data.resolve()}" in text
    assert "--port 9443" in text and "User=root" in text
    assert f"ReadWritePaths={data.resolve()}" in text and "UMask=0077" in text
    assert "$" not in text  # every placeholder filled
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed here")
    check = subprocess.run([tool, "verify", str(unit)], capture_output=True, text=True, timeout=60)
    problems = [ln for ln in check.stderr.splitlines() if "uniondesk-server.service" in ln]
    assert check.returncode == 0 and problems == [], check.stderr


def test_install_service_names_an_unknown_user(tmp_path: Path, capsys: Any) -> None:
    data = init_county(tmp_path / "county")
    args = ["install-service", "--data", str(data), "--output", "-", "--user", "no-such-user-x"]
    assert server_main(args) == 2
    assert "no user 'no-such-user-x'" in capsys.readouterr().err


def test_health_and_metrics_while_townships_sync_and_the_province_is_down(
    tmp_path: Path, county_server_factory: Any, capsys: Any
) -> None:
    county = HandleView(county_server_factory())
    handle = county.handle
    province = Province(tmp_path)
    link_county(county.server, province)

    health = _get(handle, "/v1/health")
    assert health.status_code == 200
    doc = health.json()
    assert doc["status"] == "ok" and doc["database"]["reachable"] and doc["keys_loaded"]
    assert doc["schema"]["revision"] and doc["disk"]["free_bytes"] > 0
    assert doc["relay"]["enrolled"] and doc["relay"]["backlog"]["pending"] == 0

    ws = create_township(tmp_path, A)
    link.enroll(ws, county.url, county.enroll_code(A))
    for _ in range(3):
        ws.records.save("union", union_data(A))
    assert link.sync_now(ws).received == 3
    bad = requests.post(handle.url + "/v1/batches", data=b"{not json",
                        verify=str(handle.ca_path), timeout=10)  # fmt: skip
    assert bad.status_code == 400
    metrics = _get(handle, "/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    samples = _samples(metrics.text)
    assert samples[("uniondesk_batches_received_total", ())] == 1
    assert samples[("uniondesk_records_ingested_total", (("status", "received"),))] == 3
    assert samples[("uniondesk_batches_refused_total", (("code", bad.json()["error"]),))] == 1
    assert samples[("uniondesk_ingest_seconds_count", ())] == 1
    assert samples[("uniondesk_relay_backlog", (("state", "pending"),))] == 0

    # accepted records wait for the province, which is down: health still answers
    province.stop()
    reviewer = reviewer_client(county.url, county.server)
    accept_all(reviewer)
    assert _get(handle, "/v1/health").json()["relay"]["waiting"] == 3
    with pytest.raises(SyncError) as failed:
        relay_once(county.server, retry=FAST_RETRY)
    assert failed.value.code == "unreachable"
    ws.records.save("union", union_data(A))
    link.sync_now(ws)
    accept_all(reviewer)
    down = _get(handle, "/v1/health")
    assert down.status_code == 200
    doc = down.json()
    assert doc["relay"]["waiting"] == 4  # growing: 3 sealed by the failed run, 1 pending
    assert (doc["relay"]["backlog"]["sealed"], doc["relay"]["backlog"]["pending"]) == (3, 1)
    assert doc["status"] == "degraded" and doc["problems"] == ["relay_failing"]
    assert doc["relay"]["last_failure_code"] == "unreachable"
    assert doc["relay"]["last_success_at"] is None
    scraped = _samples(_get(handle, "/metrics").text)
    assert scraped[("uniondesk_relay_backlog", (("state", "sealed"),))] == 3
    assert scraped[("uniondesk_relay_backlog", (("state", "pending"),))] == 1

    # `status` says the same for a person, and exits 1 while degraded
    capsys.readouterr()
    assert server_main(["status", "--data", str(handle.data_dir)]) == 1
    out = capsys.readouterr().out
    assert "status      degraded (relay_failing)" in out
    assert "relay       4 waiting for the province (pending=1 sealed=3)" in out
    assert "last failure" in out and "(unreachable)" in out

    # the province is back: the next run empties the backlog and health is ok again
    province.start()
    relay_once(county.server)
    doc = _get(handle, "/v1/health").json()
    assert doc["status"] == "ok" and doc["relay"]["last_success_at"]
    assert RelayOutbox(county.server).backlog()["delivered"] == 4
    assert server_main(["status", "--data", str(handle.data_dir), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["relay"]["waiting"] == 0
    ws.close()
    province.close()


def test_health_and_metrics_carry_no_personal_data(county_server: Any) -> None:
    body = _get(county_server, "/v1/health").text + _get(county_server, "/metrics").text
    assert "id_number" not in body and "mobile" not in body


def test_an_internal_error_is_logged_without_its_text() -> None:
    from sqlalchemy.exc import IntegrityError

    try:
        raise IntegrityError("INSERT INTO records …", {"content": "110101199003074578"}, None)
    except IntegrityError as exc:
        text = loggable(exc)
    assert text.startswith("IntegrityError") and "110101199003074578" not in text
