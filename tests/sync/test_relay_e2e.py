"""Acceptance: two townships -> county -> review (accept some, return one, the township corrects
it) -> province on PostgreSQL, on each crypto suite (intl; gm: SM2 / SM3 / SM4 throughout). Every accepted record arrives at the province exactly once, the
returned one only in its corrected version, and ``verify`` shows the township signature and the
county acceptance for each. Real HTTPS servers, real SQLCipher workspaces, real PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from desktop import link
from desktop.link import state as link_state
from sync.server.cli import main as server_main
from sync.server.domain.province import aggregates
from sync.server.domain.relay import RelayOutbox, relay_once
from tests.sync.client_support import HandleView, create_township, union_data
from tests.sync.relay_support import (
    Province,
    accept_all,
    link_county,
    province_on_postgres,
    reviewer_client,
)
from tests.sync.test_server_postgres import postgres_url  # noqa: F401  (throwaway cluster)

A, B = "330106001", "330106002"


@pytest.fixture
def suite() -> str:
    return "intl"


@pytest.fixture
def province(tmp_path: Path, postgres_url: str, suite: str) -> Any:  # noqa: F811
    p = province_on_postgres(tmp_path, postgres_url, suite)
    yield p
    p.close()


@pytest.mark.parametrize("suite", ["intl", "gm"])
def test_townships_county_review_province_exactly_once_with_provenance(
    tmp_path: Path, county_server_factory: Any, province: Province, capsys: Any, suite: str
) -> None:
    assert province.server.store.engine.dialect.name == "postgresql"
    county = HandleView(county_server_factory(crypto_suite=suite))
    assert county.server.data.signing_suite == province.server.data.signing_suite == suite
    link_county(county.server, province)

    ws_a, ws_b = create_township(tmp_path, A), create_township(tmp_path, B)
    link.enroll(ws_a, county.url, county.enroll_code(A))
    link.enroll(ws_b, county.url, county.enroll_code(B))
    # the townships learnt the county's suite: their device keys are SM2 on gm
    assert link_state.load_enrollment(ws_a.settings).crypto_suite == suite
    saved_a = [ws_a.records.save("union", union_data(A)) for _ in range(3)]
    saved_b = [ws_b.records.save("union", union_data(B)) for _ in range(2)]
    assert link.sync_now(ws_a).received == 3 and link.sync_now(ws_b).received == 2

    reviewer = reviewer_client(county.url, county.server)
    queue = reviewer.queue(status="pending")
    assert queue["counts"]["pending"] == 5
    assert {r["org_unit"] for r in reviewer.queue(org_unit=A)["records"]} == {A}
    returned = saved_a[0]
    detail = reviewer.record(returned.uuid)
    assert [v["version"] for v in detail["versions"]] == [returned.version]
    assert len(detail["versions"][0]["audit_head"]) == 64  # the township's audit-chain head
    results = reviewer.decide(
        "王审核",
        [
            {
                "record_uuid": returned.uuid,
                "version": returned.version,
                "decision": "returned",
                "comment": "职工人数与花名册不符，请核实",
            }
        ],
    )
    assert results[0]["result"] == "ok"
    accepted = accept_all(reviewer)
    assert [r["result"] for r in accepted] == ["ok"] * 4
    # deciding again is harmless; deciding otherwise is refused per record
    again = reviewer.decide(
        "王审核",
        [
            {
                **{k: accepted[0][k] for k in ("record_uuid", "version")},
                "decision": "returned",
                "comment": "x",
            }
        ],
    )
    assert again[0]["result"] == "decided_otherwise"

    # the first relay run sends the 4 accepted ones
    summary = relay_once(county.server)
    assert summary.received == 4
    assert RelayOutbox(county.server).backlog()["pending"] == 0

    # the township gets the returned record with the comment, editable, and corrects it
    link.sync_now(ws_a)
    back = ws_a.records.get(returned.uuid)
    assert back.status == "returned" and back.comment == "职工人数与花名册不符，请核实"
    corrected = ws_a.records.save(
        "union", {**back.data, "employees": 12, "members": 9}, record_uuid=returned.uuid
    )
    assert corrected.version == returned.version + 1
    assert link.sync_now(ws_a).received == 1
    pending = reviewer.queue(status="pending")["records"]
    assert [(r["record_uuid"], r["version"]) for r in pending] == [
        (returned.uuid, corrected.version)
    ]
    history = reviewer.record(returned.uuid)["versions"]
    assert [v["decision"] and v["decision"]["decision"] for v in history] == ["returned", None]
    accept_all(reviewer)
    assert relay_once(county.server).received == 1
    assert relay_once(county.server).records_sent == 0  # nothing twice

    keys = province.record_keys()
    expected = {(r.uuid, r.version) for r in [*saved_a[1:], *saved_b, corrected]}
    assert len(keys) == len(set(keys)) == 5 and set(keys) == expected
    assert (returned.uuid, returned.version) not in keys

    # the township sees the acceptance of its records
    link.sync_now(ws_b)
    assert {ws_b.records.get(r.uuid).status for r in saved_b} == {"accepted"}

    # verify prints the chain for each accepted record
    data = str(province.data_path)
    for uuid_, _version in expected:
        assert server_main(["verify", "--data", data, uuid_]) == 0
        out = capsys.readouterr().out
        assert "OK   township: device" in out and "OK   county: 330106" in out
        assert "王审核" in out and "provenance: verified" in out
        algorithm = "SM2" if suite == "gm" else "Ed25519"
        assert out.count(f"suite {suite}, {algorithm} key ") == 2, out
    assert server_main(["verify", "--data", data, returned.uuid]) == 0
    out = capsys.readouterr().out
    assert f"version {corrected.version}" in out and f"version {returned.version}:" not in out

    # aggregates for the dashboards
    rows = {r["key"]: r for r in aggregates(province.server.store, "township")}
    assert rows[A]["unions"] == 3 and rows[B]["unions"] == 2
    ws_a.close()
    ws_b.close()
