"""``uniondesk-server relay`` killed (SIGKILL) mid-relay, then run again: the province ends with
exactly the accepted set. The relay is a real child process over the county's data directory;
the province is a real HTTPS server on PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from sync import crypto
from sync.server.config import init_data_dir
from sync.server.domain import review
from sync.server.domain.ingest import ingest
from sync.server.domain.service import Server
from tests.sync.conftest import REPO, RawDevice
from tests.sync.relay_support import Province, enroll_device, link_county
from tests.sync.test_server_postgres import postgres_url  # noqa: F401  (throwaway cluster)

pytestmark = pytest.mark.slow
TOWNSHIP = "330106001"


def _relay_process(data: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "sync.server", "relay", "--data", str(data)],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_relay_process_killed_mid_run_loses_nothing_and_sends_nothing_twice(
    tmp_path: Path,
    postgres_url: str,  # noqa: F811
) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('CREATE DATABASE "relaykill"'))
    admin.dispose()
    province = Province(tmp_path, db_url=postgres_url.replace("/postgres?", "/relaykill?"))
    data = tmp_path / "county"
    county = Server(
        init_data_dir(data, level="county", name="西湖区总工会", org_unit_code="330106")
    )
    try:
        county.store.add_org_unit(TOWNSHIP, "西溪街道总工会", "330106", "township")
        link_county(county, province)
        key, device_id = enroll_device(county, TOWNSHIP, "township")
        _k, reviewer_id = enroll_device(county, "330106", "reviewer")
        township = RawDevice.__new__(RawDevice)
        township.org_unit, township.seq, township.device_id = TOWNSHIP, 0, device_id
        accepted: set[tuple[str, int]] = set()
        for seq in range(1, 4):  # 3 township batches of 400 -> 3 relay batches of <= 1000
            recs = [township.record() for _ in range(400)]
            env = crypto.seal_batch(
                device_key=key, device_id=device_id, batch_id=str(uuid.uuid4()),
                device_seq=seq, records=recs, audit_head="0" * 64,
                recipient_public=county.hpke_public,
            )  # fmt: skip
            ingest(county, env.to_json())
            decisions = [{"record_uuid": r["uuid"], "version": 1, "decision": "accepted"}
                         for r in recs]  # fmt: skip
            doc = {"type": "review_decisions", "reviewer": "王审核", "decisions": decisions}
            review.decide(county, county.store.device(reviewer_id), doc)
            accepted |= {(r["uuid"], 1) for r in recs}
        county.store.close()

        # kill as soon as the province stored something (a batch on the wire or sealed next)
        proc = _relay_process(data)
        deadline = time.monotonic() + 60
        while not province.record_keys() and time.monotonic() < deadline:
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        first = set(province.record_keys())
        assert 0 < len(first) < len(accepted), "the kill came too late to test anything"

        # a second run, killed almost at once (while sealing or sending), then a full run
        proc = _relay_process(data)
        time.sleep(0.3)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        done = _relay_process(data)
        out, err = done.communicate(timeout=120)
        assert done.returncode == 0, err.decode()
        assert "pending 0, sealed 0" in out.decode()

        keys = province.record_keys()
        assert len(keys) == len(set(keys)) == len(accepted)
        assert set(keys) == accepted
    finally:
        province.close()
        county.store.close()  # harmless when already closed
