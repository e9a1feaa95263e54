"""The server's audit log (``sync/server/domain/audit_log.py``): a county server over real HTTPS
enrolls a township and a reviewer, the reviewer accepts one record and returns another, and the
log holds those actions with actor, target and non-personal detail; ``uniondesk-server audit-log
--verify`` says it is intact, and names the entry after one is edited or deleted with raw SQL
(a deleted last entry through the head kept in ``meta``)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text

from sync.server.cli import main as server_main
from sync.server.domain import audit_log
from tests.sync.conftest import COUNTY_CODE, TOWNSHIP_CODE
from tests.sync.relay_support import reviewer_client
from tests.sync.test_server_postgres import postgres_url  # noqa: F401  (throwaway cluster)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = server_main(list(argv))
    return code, capsys.readouterr().out


def _sql(county: Any, statement: str) -> None:
    with county.server.store.engine.begin() as conn:
        conn.execute(text(statement))


@pytest.fixture
def reviewed(county_server_factory: Any, raw_device: Any) -> tuple[Any, Any, list[str]]:
    """A county where a township sent two records, one accepted and one returned (over HTTPS)."""
    county = county_server_factory()
    township = raw_device(county)  # add-org-unit, enroll code, enrollment
    recs = [township.record(full_name=f"审计测试公司{i}工会") for i in range(2)]
    assert township.post_batch(township.seal(recs)).status_code == 200
    client = reviewer_client(county.url, county.server, COUNTY_CODE)
    results = client.decide(
        "王审核",
        [
            {"record_uuid": recs[0]["uuid"], "version": 1, "decision": "accepted"},
            {"record_uuid": recs[1]["uuid"], "version": 1, "decision": "returned",
             "comment": "请补充"},
        ],
    )  # fmt: skip
    assert [r["result"] for r in results] == ["ok", "ok"]
    return county, township, [r["uuid"] for r in recs]


def test_enrolling_and_reviewing_are_logged_and_the_chain_verifies(
    reviewed: tuple[Any, Any, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    county, township, uuids = reviewed
    with county.server.store.read() as conn:
        logged = audit_log.entries(conn)
    rows = [(e.actor, e.action, e.target, e.detail) for e in logged]
    reviewer_id = next(e.actor for e in logged if e.action == "device_enrolled"
                       and e.target == COUNTY_CODE)  # fmt: skip
    assert rows[0][:3] == ("init", "org_unit_changed", COUNTY_CODE)
    assert ("admin", "enroll_code_issued", TOWNSHIP_CODE) in [r[:3] for r in rows]
    assert (township.device_id, "device_enrolled", TOWNSHIP_CODE, {"role": "township"}) in rows
    assert (reviewer_id, "device_enrolled", COUNTY_CODE, {"role": "reviewer"}) in rows
    assert rows[-2:] == [
        ("王审核", "record_accepted", uuids[0], {"decision": "accepted", "version": 1}),
        ("王审核", "record_returned", uuids[1], {"decision": "returned", "version": 1}),
    ]
    assert [e.seq for e in logged] == list(range(1, len(logged) + 1))
    assert logged[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.entry_hash for a, b in zip(logged, logged[1:], strict=False))
    # nothing personal: no record content, no name of a union or a person
    assert "审计测试公司" not in json.dumps([e.to_dict() for e in logged], ensure_ascii=False)

    data = str(county.data_dir)
    code, out = _run(capsys, "audit-log", "--data", data, "--verify")
    assert (code, out.strip()) == (0, f"audit log intact: {len(logged)} entries")
    code, out = _run(capsys, "audit-log", "--data", data)
    lines = out.splitlines()
    assert code == 0 and len(lines) == len(logged)
    assert "record_accepted" in lines[-2] and uuids[0] in lines[-2] and "王审核" in lines[-2]
    assert '{"decision":"returned","version":1}' in lines[-1]
    code, out = _run(capsys, "audit-log", "--data", data, "--limit", "2", "--json")
    assert code == 0 and [e["seq"] for e in json.loads(out)] == [len(logged) - 1, len(logged)]

    # revoking, publishing and changing an org unit from the command line are logged too
    assert _run(capsys, "revoke-device", "--data", data, township.device_id)[0] == 0
    assert _run(capsys, "add-org-unit", "--data", data, "--code", "330106002",
                "--name", "蒋村街道总工会")[0] == 0  # fmt: skip
    with county.server.store.read() as conn:
        tail = [(e.actor, e.action, e.target, e.detail) for e in audit_log.entries(conn, 2)]
        assert audit_log.verify(conn) == []
    assert tail == [
        ("admin", "device_revoked", township.device_id, {}),
        ("admin", "org_unit_changed", "330106002", {"change": "added", "kind": "township"}),
    ]


def test_an_edited_entry_is_named_by_verify(
    reviewed: tuple[Any, Any, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    county, _, uuids = reviewed
    with county.server.store.read() as conn:
        accepted = next(e for e in audit_log.entries(conn) if e.action == "record_accepted")
    _sql(county, f"UPDATE audit_log SET target = '{uuids[1]}' WHERE seq = {accepted.seq}")
    code, out = _run(capsys, "audit-log", "--data", str(county.data_dir), "--verify")
    assert code == 1
    assert out.splitlines() == [f"entry {accepted.seq}: content does not match its hash (edited)"]

    code, out = _run(capsys, "audit-log", "--data", str(county.data_dir), "--verify", "--json")
    doc = json.loads(out)
    assert code == 1 and doc["intact"] is False and len(doc["problems"]) == 1


def test_a_deleted_middle_entry_is_found_by_verify(
    reviewed: tuple[Any, Any, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    county, _, _ = reviewed
    _sql(county, "DELETE FROM audit_log WHERE seq = 3")
    code, out = _run(capsys, "audit-log", "--data", str(county.data_dir), "--verify")
    assert code == 1
    assert "entry 3 missing before entry 4 (deleted)" in out
    assert "entry 4: previous hash does not match entry 2" in out


def test_a_deleted_last_entry_is_found_through_the_recorded_head(
    reviewed: tuple[Any, Any, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    county, township, _ = reviewed
    with county.server.store.read() as conn:
        last = audit_log.entries(conn)[-1].seq
    _sql(county, f"DELETE FROM audit_log WHERE seq = {last}")
    code, out = _run(capsys, "audit-log", "--data", str(county.data_dir), "--verify")
    assert code == 1
    assert out.strip() == (
        f"the log ends at entry {last - 1} but its recorded head is entry {last} "
        "(entries at the end deleted)"
    )
    # the server goes on working, and the next entry chains onto the head: the gap stays visible
    assert county.server.revoke_device(township.device_id)
    with county.server.store.read() as conn:
        assert audit_log.entries(conn)[-1].seq == last + 1
        problems = audit_log.verify(conn)
    assert problems[0] == f"entry {last} missing before entry {last + 1} (deleted)"


def test_append_refuses_a_personal_value_and_an_unknown_action(county_server_factory: Any) -> None:
    county = county_server_factory()
    store = county.server.store
    with store.read() as conn:
        before = len(audit_log.entries(conn))
    for detail in ({"id": "330106199001011234"}, {"note": "证件 110101199003071234"},
                   {"n": 110101199003071234}, {"list": ["13912345678"]}):  # fmt: skip
        with pytest.raises(ValueError, match="personal"), store.write() as conn:
            audit_log.append(conn, "export", "admin", "330106", detail)
    with pytest.raises(ValueError, match="unknown audit action"), store.write() as conn:
        audit_log.append(conn, "coffee", "admin", "330106")
    with store.write() as conn:  # short numbers (versions, codes of 6 digits) are fine
        seq = audit_log.append(conn, "export", "admin", "330106", {"rows": 1234567, "v": 2})
    with store.read() as conn:
        assert seq == before + 1 and len(audit_log.entries(conn)) == before + 1
        assert audit_log.verify(conn) == []


def test_concurrent_writers_on_postgresql_do_not_fork_the_chain(
    postgres_url: str,  # noqa: F811
) -> None:
    import threading

    from sqlalchemy import create_engine

    from sync.server.store import Store

    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('DROP DATABASE IF EXISTS "audit_concurrent"'))
        conn.execute(text('CREATE DATABASE "audit_concurrent"'))
    admin.dispose()
    store = Store(postgres_url.replace("/postgres?", "/audit_concurrent?"))
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(20):
                with store.write() as conn:
                    audit_log.append(conn, "export", f"writer-{n}", COUNTY_CODE, {"i": i})
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        with store.read() as conn:
            assert [e.seq for e in audit_log.entries(conn)] == list(range(1, 81))
            assert audit_log.verify(conn) == []
    finally:
        store.close()
