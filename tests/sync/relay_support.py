"""Helpers for the part-2 tests: a provincial server (SQLite or PostgreSQL) in a thread that can
answer 500 or go down, a county linked to it, reviewer devices, and accepted records.

Everything is real: HTTPS on 127.0.0.1 with each server's own CA, the ordinary enrollment, the
relay engine. Faults are injected by ``client_support.FaultyApp`` (500 before / after the app ran)
and by stopping the province's uvicorn (connection refused).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from pathlib import Path
from typing import Any

import requests
import uvicorn

from sync import enroll as sync_enroll
from sync.review_client import ReviewClient
from sync.server.app import create_app
from sync.server.config import init_data_dir, load_data_dir
from sync.server.relay import enroll_at_province
from sync.server.review import ensure_tables
from sync.server.runner import free_port
from sync.server.service import Server
from sync.server.storage import records
from tests.sync.client_support import FaultyApp

PROVINCE_CODE = "330000"
PROVINCE_NAME = "浙江省总工会"


class Province:
    """A provincial server in a background thread; ``faults`` for ``POST /v1/batches``."""

    def __init__(self, root: Path, db_url: str = "") -> None:
        self.data_path = root / "province"
        init_data_dir(
            self.data_path,
            level="province",
            name=PROVINCE_NAME,
            org_unit_code=PROVINCE_CODE,
            db_url=db_url,
        )
        self.server = Server(load_data_dir(self.data_path))
        self.faults: Any = None
        self._uv: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = free_port()
        self.start()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self) -> None:
        from sync.server.runner import attach_log_file

        if not self.server.log.handlers:
            attach_log_file(self.server)
        app = FaultyApp(create_app(self.server))
        if self.faults is not None:
            app.faults = self.faults
        self.faults = app.faults
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            ssl_certfile=str(self.server.data.cert_path),
            ssl_keyfile=str(self.server.data.key_path),
            log_level="critical",
            access_log=False,
            lifespan="off",
        )
        self._uv = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._uv.started:
            assert self._thread.is_alive() and time.monotonic() < deadline, "province down"
            time.sleep(0.01)

    def _run(self) -> None:
        assert self._uv is not None
        with contextlib.suppress(Exception):
            asyncio.run(self._uv.serve())

    def stop(self) -> None:
        """Down: open connections dropped, new ones refused (same port comes back on start)."""
        if self._uv is not None and self._thread is not None:
            self._uv.should_exit = True
            self._uv.force_exit = True
            self._thread.join(timeout=10)
        self._uv = None

    def close(self) -> None:
        self.stop()
        for handler in list(self.server.log.handlers):
            self.server.log.removeHandler(handler)
            handler.close()
        self.server.store.close()

    def add_county(self, code: str, name: str) -> str:
        """Add the county's org unit and return a one-time ``--role county`` code."""
        if self.server.store.org_unit(code) is None:
            self.server.store.add_org_unit(code, name, PROVINCE_CODE, "county")
        return self.server.make_enroll_code(code, role="county")

    def record_keys(self) -> list[tuple[str, int]]:
        from sqlalchemy import select

        with self.server.store.read() as conn:
            rows = conn.execute(select(records.c.record_uuid, records.c.version)).all()
        return [(r[0], int(r[1])) for r in rows]

    def log_text(self) -> str:
        path = self.data_path / "logs" / "server.log"
        return path.read_text(encoding="utf-8") if path.exists() else ""


def link_county(county: Server, province: Province, name: str = "西湖区总工会") -> None:
    """Enroll the county at the province (the ordinary enrollment, role county)."""
    ensure_tables(county.store)
    code = province.add_county(county.config.org_unit_code, name)
    enroll_at_province(county, province.url, code)


def reviewer_client(county_url: str, county: Server, org_unit: str | None = None) -> ReviewClient:
    """Enroll a reviewer device over HTTPS and return its review client."""
    code = county.make_enroll_code(org_unit or county.config.org_unit_code, role="reviewer")
    result = sync_enroll.enroll_device(county_url, code, label="reviewer PC")
    session = requests.Session()
    session.trust_env = False
    ca = county.data.path / "tls" / "ca.pem"
    session.verify = str(ca)
    return ReviewClient(
        session,
        base_url=county_url,
        device_id=result.device_id,
        device_key=result.device_private_key,
    )


def accept_all(client: ReviewClient, reviewer: str = "王审核") -> list[dict[str, Any]]:
    pending = client.queue(status="pending", limit=1000)["records"]
    return client.decide(
        reviewer,
        [
            {"record_uuid": r["record_uuid"], "version": r["version"], "decision": "accepted"}
            for r in pending
        ],
    )


def queue_accepted(county: Server, org_unit: str, count: int) -> set[tuple[str, int]]:
    """``count`` township records ingested at ``county`` (a real sealed batch) and accepted by a
    reviewer, so they wait in the relay queue; returns their (uuid, version)."""
    import json
    import uuid

    from sync import crypto
    from sync.protocol import EnrollRequest
    from sync.server import review
    from sync.server.ingest import ingest
    from tests.sync.client_support import union_data

    ensure_tables(county.store)
    devices = {}
    for role, unit in (("township", org_unit), ("reviewer", county.config.org_unit_code)):
        key = crypto.new_signing_key()
        code = county.make_enroll_code(unit, role=role)
        req = EnrollRequest(code=code, device_public_key=crypto.public_bytes(key))
        devices[role] = (key, county.enroll(json.loads(req.to_json())).device_id)
    key, device_id = devices["township"]
    recs = [
        {
            "uuid": str(uuid.uuid4()), "form_id": "union", "form_version": 1, "version": 1,
            "org_unit": org_unit, "status": "ready", "data": union_data(org_unit),
            "created_by": "clerk", "created_at": "2026-11-23T00:00:00Z",
            "updated_by": "clerk", "updated_at": "2026-11-23T00:00:00Z",
        }
        for _ in range(count)
    ]  # fmt: skip
    envelope = crypto.seal_batch(
        device_key=key, device_id=device_id, batch_id=str(uuid.uuid4()), device_seq=1,
        records=recs, audit_head="0" * 64, recipient_public=county.hpke_public,
    )  # fmt: skip
    ingest(county, envelope.to_json())
    decisions = [{"record_uuid": r["uuid"], "version": 1, "decision": "accepted"} for r in recs]
    doc = {"type": "review_decisions", "reviewer": "王审核", "decisions": decisions}
    results = review.decide(county, county.store.device(devices["reviewer"][1]), doc)["results"]
    assert [r["result"] for r in results] == ["ok"] * count
    return {(r["uuid"], 1) for r in recs}
