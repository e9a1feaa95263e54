"""Acceptance: personal data protected at rest on the county and the province.

Two townships sync members (known ID numbers and mobile phones) and a transfer request to a real
county over HTTPS; a reviewer sees them masked, is refused the plain values (403, audited) until
granted ``unmask``; accepted records relay to a province on PostgreSQL. Then a byte search of the
county's and the province's data directories (database, WAL, logs, backups) and of the
PostgreSQL cluster's own directory finds no full ID number, no full phone and no 8-digit tail of
either. With everything in the data directory but not the master key, nothing opens.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from desktop import link
from desktop.domain import transfers
from forms.masking import mask
from sync.client import SyncError
from sync.server.cli import main as server_main
from sync.server.config import ServerSetupError, load_data_dir
from sync.server.domain import audit_log
from sync.server.domain.access import set_permission
from sync.server.domain.lookups import duplicate_people, records_with_value
from sync.server.domain.provenance import verify_record
from sync.server.domain.province import aggregates
from sync.server.domain.relay import relay_once
from sync.server.keyring import KeySource
from sync.server.runner import attach_log_file
from tests.rosters.conftest import resident_id
from tests.sync.client_support import HandleView, create_township, union_data
from tests.sync.relay_support import Province, accept_all, link_county, reviewer_client
from tests.sync.test_server_postgres import postgres_url  # noqa: F401  (throwaway cluster)

A, B = "330106001", "330106002"


@pytest.fixture(params=["intl", "gm"])
def suite(request: pytest.FixtureRequest) -> str:
    """The servers' suite: intl (Ed25519, HPKE, AES-256-GCM + HMAC-SHA256 fields) or gm (SM2,
    SM2 + SM4-GCM batches, SM4-GCM + HMAC-SM3 fields)."""
    return str(request.param)


@pytest.fixture
def province(tmp_path: Path, postgres_url: str, suite: str) -> Any:  # noqa: F811
    name = f"prov_{tmp_path.name[-12:].lower().replace('-', '_')}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = postgres_url.replace("/postgres?", f"/{name}?")
    p = Province(tmp_path, db_url=url, crypto_suite=suite)
    yield p
    p.close()


def _members(ws: Any, union: str, start: int, count: int) -> list[tuple[str, str, str]]:
    """Save ``count`` members; returns (uuid, id number, mobile) of each."""
    out = []
    for i in range(start, start + count):
        id_number = resident_id(i, birth=f"1987{1 + i % 12:02d}{10 + i % 18:02d}")
        mobile = f"139{58270000 + 7919 * i:08d}"
        uuid_ = ws.records.save(
            "member",
            {
                "union": union,
                "name": f"会员{i}",
                "id_number": id_number,
                "mobile": mobile,
                "join_date": "2019-05-01",
                "changes": [{"kind": "join", "date": "2019-05-01"}],
            },
        ).uuid
        out.append((uuid_, id_number, mobile))
    return out


def _needles(values: list[str]) -> set[bytes]:
    """Each value in full and its 8-digit tail."""
    return {v.encode() for v in values} | {v[-8:].encode() for v in values}


def _files(*roots: Path) -> list[Path]:
    return [p for root in roots for p in root.rglob("*") if p.is_file()]


def _found(files: list[Path], needles: set[bytes]) -> list[str]:
    hits = []
    for path in files:
        blob = path.read_bytes()
        hits += [f"{path}: {n.decode()}" for n in needles if n in blob]
    return hits


def test_no_personal_value_in_plaintext_on_county_or_province(
    tmp_path: Path,
    county_server_factory: Any,
    province: Province,
    postgres_url: str,  # noqa: F811
    suite: str,
) -> None:
    county = HandleView(county_server_factory(crypto_suite=suite))
    assert county.server.data.cipher.suite == province.server.data.cipher.suite == suite
    # the whole chain of the suite: signatures and batch sealing too (gm: SM2, SM2 + SM4-GCM)
    assert county.server.data.signing_suite == province.server.data.signing_suite == suite
    county_dir = county.handle.data_dir
    log_handler = attach_log_file(county.server)  # the county's log is searched too
    link_county(county.server, province)
    ws_a, ws_b = create_township(tmp_path, A), create_township(tmp_path, B)
    link.enroll(ws_a, county.url, county.enroll_code(A))
    link.enroll(ws_b, county.url, county.enroll_code(B))
    union_a = ws_a.records.save("union", union_data(A, full_name="西溪甲公司工会委员会")).uuid
    union_b = ws_b.records.save("union", union_data(B, full_name="北山乙公司工会委员会")).uuid
    people = _members(ws_a, union_a, 100, 6) + _members(ws_b, union_b, 200, 4)
    # the same person on both rosters (a duplicate the county must find without plaintext)
    twin = ws_b.records.save(
        "member",
        {
            "union": union_b,
            "name": "会员100",
            "id_number": people[0][1],
            "mobile": "13712345678",
            "join_date": "2020-01-01",
            "changes": [{"kind": "join", "date": "2020-01-01"}],
        },
    ).uuid
    transfers.request_external_transfer(
        ws_a, people[1][0], to_union_name="北山乙公司工会", to_org_unit=B, date="2026-11-01"
    )
    assert link.sync_now(ws_a).rejected == 0 and link.sync_now(ws_b).rejected == 0
    link.sync_now(ws_b)  # B receives the transfer offer through its inbox
    values = [p[1] for p in people] + [p[2] for p in people] + ["13712345678"]

    # review: masked by default; unmask refused without the permission, both audited
    reviewer = reviewer_client(county.url, county.server)
    uuid_, id_number, mobile = people[0]
    shown = reviewer.record(uuid_)
    data = shown["versions"][-1]["data"]
    assert shown["masked"] and not shown["may_unmask"]
    assert (data["id_number"], data["mobile"]) == (mask(id_number), mask(mobile))
    assert id_number not in json.dumps(shown)
    with pytest.raises(SyncError) as refused:
        reviewer.record(uuid_, unmask=True)
    assert refused.value.code == "review.unmask_forbidden" and refused.value.status == 403
    set_permission(county.server.store, reviewer.device_id, "unmask", True)
    plain = reviewer.record(uuid_, unmask=True)
    assert not plain["masked"] and plain["versions"][-1]["data"]["id_number"] == id_number
    with county.server.store.read() as conn:
        logged = [(e.action, e.actor, e.target) for e in audit_log.entries(conn)]
        assert audit_log.verify(conn) == []
    assert ("unmask_refused", reviewer.device_id, uuid_) in logged
    assert ("unmask", reviewer.device_id, uuid_) in logged

    # lookups by blind index: who holds this ID number, who is on two rosters
    holders = records_with_value(county.server, "id_number", id_number)
    assert {h.record_uuid for h in holders} >= {uuid_, twin}
    assert [{h.record_uuid for h in g} for g in duplicate_people(county.server)] == [{uuid_, twin}]

    accept_all(reviewer)
    summary = relay_once(county.server)
    assert summary.rejected == 0 and summary.received > 0
    assert verify_record(province.server, uuid_).ok
    members = sum(row["members"] for row in aggregates(province.server.store, by="county"))
    assert members == len(people) + 1  # the pending transfer still counts at township A

    # a sealed backup, and log files, are part of what is searched
    backup = county_dir / "backups" / "county.udbackup"
    backup.parent.mkdir(exist_ok=True)
    assert server_main(["backup", "--data", str(county_dir), "-o", str(backup)]) == 0
    log_handler.flush()
    with province.server.store.engine.connect() as conn:
        conn.execute(text("CHECKPOINT"))
    county.server.store.engine.dispose()
    pg_dir = Path(postgres_url.split("host=")[1].split("&")[0]) / "data"
    files = _files(county_dir, province.data_path, pg_dir)
    assert any(p.name == "server.db" for p in files) and backup in files
    assert (county_dir / "logs" / "server.log").stat().st_size > 0
    assert any(p.parent.name == "pg_wal" for p in files)
    assert _found(files, _needles(values)) == []
    ws_a.close()
    ws_b.close()


def test_without_the_master_key_nothing_in_the_data_directory_opens(
    tmp_path: Path, county_server_factory: Any
) -> None:
    county = HandleView(county_server_factory())
    ws = create_township(tmp_path, A)
    link.enroll(ws, county.url, county.enroll_code(A))
    union = ws.records.save("union", union_data(A)).uuid
    (uuid_, id_number, _mobile), *_ = _members(ws, union, 300, 3)
    assert link.sync_now(ws).received == 4
    ws.close()
    county.server.store.engine.dispose()
    # an attacker with the whole data directory (database, keyring, PEMs, backups), not the key
    stolen = tmp_path / "stolen" / "county"
    shutil.copytree(county.handle.data_dir, stolen)
    with pytest.raises(ServerSetupError, match="master key file .* cannot be read"):
        load_data_dir(stolen)
    for candidate in _files(stolen):  # every file of the directory tried as the key
        with pytest.raises(ServerSetupError):
            load_data_dir(stolen, source=KeySource(key_file=candidate))
    with pytest.raises(ServerSetupError):  # a guessed passphrase does not stand in for it
        load_data_dir(stolen, source=KeySource(passphrase_file=_write(tmp_path, "guess")))
    assert _found(_files(stolen), _needles([id_number])) == []
    # with the key, the same copy opens and the value comes back
    key = tmp_path / f"{county.handle.data_dir.name}.master.key"
    opened = load_data_dir(stolen, source=KeySource(key_file=key))
    assert opened.cipher.key_ids == ("k1",)


def _write(tmp_path: Path, text_: str) -> Path:
    path = tmp_path / "passphrase.txt"
    path.write_text(text_, encoding="utf-8")
    return path
