"""Helpers for the part-2 tests: a provincial server (SQLite or PostgreSQL) in a thread that can
answer 500 or go down, a county linked to it, reviewer devices, and accepted records.

Everything is real: HTTPS on 127.0.0.1 with each server's own CA, the ordinary enrollment, the
relay engine. Faults are injected by ``client_support.FaultyApp`` (500 before / after the app ran)
and by stopping the province's uvicorn (connection refused).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests

from sync import crypto
from sync import enroll as sync_enroll
from sync.protocol import EnrollRequest
from sync.review_client import ReviewClient
from sync.server.config import init_data_dir
from sync.server.domain.relay import enroll_at_province
from sync.server.domain.service import Server
from tests.sync.client_support import ThreadedServer

PROVINCE_CODE = "330000"
PROVINCE_NAME = "浙江省总工会"


class Province(ThreadedServer):
    """A provincial server in a background thread (log file on); ``faults`` for
    ``POST /v1/batches``; ``stop()`` / ``start()`` on the same port."""

    def __init__(self, root: Path, db_url: str = "", crypto_suite: str = "intl") -> None:
        data_path = root / "province"
        init_data_dir(
            data_path,
            level="province",
            name=PROVINCE_NAME,
            org_unit_code=PROVINCE_CODE,
            db_url=db_url,
            crypto_suite=crypto_suite,
        )
        super().__init__(data_path, log_file=True)

    def add_county(self, code: str, name: str) -> str:
        """Add the county's org unit and return a one-time ``--role county`` code."""
        if self.server.store.org_unit(code) is None:
            self.server.store.add_org_unit(code, name, PROVINCE_CODE, "county")
        return self.server.make_enroll_code(code, role="county")


def province_on_postgres(
    root: Path, postgres_url: str, crypto_suite: str, prefix: str = "prov"
) -> Province:
    """A province whose database is a new one of its own in the throwaway PostgreSQL cluster
    (``test_server_postgres.postgres_url``), named after the test's folder."""
    from sqlalchemy import create_engine, text

    name = f"{prefix}_{root.name[-12:].lower().replace('-', '_')}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    db_url = postgres_url.replace("/postgres?", f"/{name}?")
    return Province(root, db_url=db_url, crypto_suite=crypto_suite)


def enroll_device(county: Server, org_unit: str, role: str) -> tuple[Any, str]:
    """A device of ``role`` for ``org_unit`` enrolled at ``county`` directly (no HTTP): its
    signing key and device id."""
    key = crypto.new_signing_key(county.data.signing_suite)
    req = EnrollRequest(code=county.make_enroll_code(org_unit, role=role),
                        device_public_key=crypto.public_bytes(key))  # fmt: skip
    return key, county.enroll(json.loads(req.to_json())).device_id


def link_county(county: Server, province: Province, name: str = "西湖区总工会") -> None:
    """Enroll the county at the province (the ordinary enrollment, role county)."""
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


def queue_accepted(
    county: Server, org_unit: str, count: int, records: list[dict[str, Any]] | None = None
) -> set[tuple[str, int]]:
    """``count`` township records (or the given ``records``) ingested at ``county`` (a real
    sealed batch) and accepted by a reviewer, so they wait in the relay queue; returns their
    (uuid, version)."""
    import json
    import uuid

    from sync import crypto
    from sync.protocol import EnrollRequest
    from sync.server.domain import review
    from sync.server.domain.ingest import ingest
    from tests.sync.client_support import union_data

    devices = {}
    for role, unit in (("township", org_unit), ("reviewer", county.config.org_unit_code)):
        key = crypto.new_signing_key(county.data.signing_suite)
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
    if records is not None:
        recs, count = records, len(records)
    envelope = crypto.seal_batch(
        device_key=key, device_id=device_id, batch_id=str(uuid.uuid4()), device_seq=1,
        records=recs, audit_head="0" * 64, recipient_public=county.hpke_public,
    )  # fmt: skip
    ingest(county, envelope.to_json())
    decisions = [
        {"record_uuid": r["uuid"], "version": r["version"], "decision": "accepted"} for r in recs
    ]
    doc = {"type": "review_decisions", "reviewer": "王审核", "decisions": decisions}
    results = review.decide(county, county.store.device(devices["reviewer"][1]), doc)["results"]
    assert [r["result"] for r in results] == ["ok"] * count, results
    return {(r["uuid"], r["version"]) for r in recs}
