"""The same server on PostgreSQL (what a province runs): a throwaway cluster from Debian's
postgresql package, the real HTTPS server on top. Skipped when PostgreSQL is not installed."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from sync.server.config import load_data_dir
from sync.server.domain.service import Server
from sync.server.runner import ServerThread, free_port
from sync.server.tables import batches, records


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@pytest.fixture(scope="module")
def postgres_url():
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries are not installed")
    # not under pytest's tmp dir: as root that is 0700, and the cluster runs as postgres
    base = Path(tempfile.mkdtemp(prefix="uniondesk-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the cluster as the postgres user
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser")
        shutil.chown(base, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = base / "data", free_port()

    def run(*cmd: str) -> None:
        subprocess.run([*as_user, *cmd], check=True, capture_output=True, timeout=120)

    run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
    options = f"-p {port} -k {base} -c listen_addresses='' -c fsync=off"
    run(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "log"), "-w",
        "start")  # fmt: skip
    try:
        url = f"postgresql+psycopg://postgres@/postgres?host={base}&port={port}"
        for _ in range(50):
            try:
                from sqlalchemy import create_engine, text

                with create_engine(url).connect() as conn:
                    conn.execute(text("select 1"))
                break
            except Exception:
                time.sleep(0.1)
        yield url
    finally:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(base, ignore_errors=True)


def fresh_database(postgres_url: str, name: str) -> str:
    """The URL of a new, empty database ``name`` (dropped first if a test left one) in the
    throwaway cluster of :func:`postgres_url`."""
    from sqlalchemy import create_engine, text

    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return postgres_url.replace("/postgres?", f"/{name}?")


@pytest.fixture(scope="module")
def pg_county(postgres_url, tmp_path_factory):
    from tests.sync.conftest import CountyHandle, init_county

    data_dir = init_county(tmp_path_factory.mktemp("pgcounty") / "data", db_url=postgres_url)
    server = Server(load_data_dir(data_dir))
    thread = ServerThread(server).start()
    yield CountyHandle(thread.url, data_dir, data_dir / "tls" / "ca.pem", server)
    thread.stop()
    server.store.close()


def test_server_on_postgres_dedupes_refuses_and_serves_the_inbox(pg_county, raw_device):
    assert pg_county.server.store.engine.dialect.name == "postgresql"
    device = raw_device(pg_county)
    recs = [device.record() for _ in range(5)]
    body = device.seal(recs)
    first = device.post_batch(body)
    assert first.status_code == 200
    assert device.post_batch(body).content == first.content
    again = device.post_batch(device.seal(recs[:2] + [device.record(org_unit="330106999")]))
    assert [r["status"] for r in again.json()["records"]] == ["duplicate", "duplicate", "rejected"]
    stale = device.post_batch(device.seal([device.record()], seq=1))
    assert stale.status_code == 409 and stale.json()["error"] == "stale_sequence"
    assert pg_county.server.store.count(records) == 5
    assert pg_county.server.store.count(batches) == 2
    page = device.signed("GET", "/v1/inbox").json()
    assert [m["kind"] for m in page["messages"]] == ["receipt", "receipt"]
    assert json.loads(first.content) == page["messages"][0]["body"]["receipt"]
    nonce = device.nonce()
    assert device.signed("GET", "/v1/device", nonce=nonce).status_code == 200
    assert device.signed("GET", "/v1/device", nonce=nonce).json()["error"] == "bad_nonce"


def test_same_batch_sent_concurrently_to_postgres_gets_one_receipt(pg_county, raw_device):
    from concurrent.futures import ThreadPoolExecutor

    import requests

    device = raw_device(pg_county)
    body = device.seal([device.record() for _ in range(30)])

    def send(_: int) -> tuple[int, bytes]:
        r = requests.post(
            f"{pg_county.url}/v1/batches", data=body, verify=str(pg_county.ca_path), timeout=30
        )
        return r.status_code, r.content

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(send, range(8)))
    assert {status for status, _ in results} == {200}, results
    assert len({content for _, content in results}) == 1
    batch_id = json.loads(results[0][1])["batch_id"]
    assert sum(r.batch_id == batch_id for r in pg_county.server.store.record_rows()) == 30
