"""The county's org-unit tree reaches the province (real HTTPS servers): sent with relay-enroll
and with each relay run that finds it changed, signed by the county's key, stored once per
version; the province's aggregates show township and county names next to their codes.
Refused trees (a unit outside the county's code prefix, a bad signature, a revoked county) get
an error code and a log line, and nothing is stored. On both crypto suites (gm: the tree signed
with SM2, its hash SM3).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from sync import crypto
from sync.client import SyncError
from sync.protocol import canonical_json
from sync.server.cli import main as server_main
from sync.server.domain.org_tree import PATH, acknowledged_hash, send_tree, tree_document
from sync.server.domain.province import aggregates
from sync.server.domain.relay import load_link, make_relay_client, relay_once
from sync.server.tables import county_org_trees
from tests.sync.relay_support import Province, accept_all, reviewer_client

TOWNSHIP = "330106001"


@pytest.fixture(scope="module", params=crypto.SUITES)
def suite(request: Any) -> str:
    return str(request.param)


def _versions(province: Province) -> list[dict[str, Any]]:
    with province.server.store.read() as conn:
        rows = conn.execute(select(county_org_trees).order_by(county_org_trees.c.id)).all()
    return [json.loads(r.document) for r in rows]


def _tree_lines(province: Province) -> int:
    return sum("org tree " in line for line in province.log_text().splitlines())


def _names(province: Province, by: str) -> dict[str, str]:
    return {r["key"]: r["name"] for r in aggregates(province.server.store, by)}


def _cli(*args: str) -> None:
    assert server_main(list(args)) == 0


def test_names_reach_the_province_and_a_rename_follows_on_the_next_relay(
    tmp_path: Path, county_server_factory: Any, raw_device: Any, capsys: Any, suite: str
) -> None:
    province = Province(tmp_path, crypto_suite=suite)
    try:
        county = county_server_factory()
        data = str(county.data_dir)
        _cli("add-org-unit", "--data", data, "--code", TOWNSHIP, "--name", "西溪街道总工会")
        province.server.store.add_org_unit("330106", "西湖区总工会", "330000", "county")
        code = province.server.make_enroll_code("330106", role="county")
        _cli("relay-enroll", "--data", data, "--province", province.url, "--code", code)
        assert "org-unit tree sent to the province" in capsys.readouterr().out
        (first,) = _versions(province)
        assert {u["code"]: u["name"] for u in first["org_units"]} == {
            "330106": "西湖区总工会",
            TOWNSHIP: "西溪街道总工会",
        }

        township = raw_device(county, TOWNSHIP)
        assert township.post_batch(township.seal([township.record()])).status_code == 200
        reviewer = reviewer_client(county.url, county.server)
        accept_all(reviewer)
        lines = _tree_lines(province)
        assert relay_once(county.server).received == 1
        # the tree did not change since relay-enroll: the relay sent none
        assert _tree_lines(province) == lines and len(_versions(province)) == 1
        assert _names(province, "township") == {TOWNSHIP: "西溪街道总工会"}
        assert _names(province, "county") == {"330106": "西湖区总工会"}
        _cli("aggregates", "--data", str(province.data_path), "--by", "township")
        out = capsys.readouterr().out.splitlines()
        assert out[0].startswith("township\tname\trecords")
        assert out[1].startswith(f"{TOWNSHIP}\t西溪街道总工会\t1\t")

        # a rename at the county reaches the province with the next relay (no records needed)
        _cli("add-org-unit", "--data", data, "--code", TOWNSHIP, "--name", "西溪街道联合工会")
        _cli("relay", "--data", data)
        assert "org-unit tree sent to the province" in capsys.readouterr().out
        assert _names(province, "township") == {TOWNSHIP: "西溪街道联合工会"}
        assert len(_versions(province)) == 2
        _cli("relay", "--data", data)  # nothing changed: nothing sent
        assert "org-unit tree" not in capsys.readouterr().out
        assert len(_versions(province)) == 2

        # the same tree sent again (forced) is one stored version
        client = make_relay_client(county.server)
        try:
            assert send_tree(county.server, client, force=True) == "unchanged"
        finally:
            client.session.close()
        assert len(_versions(province)) == 2
        assert f"org tree unchanged county=330106 device={load_link(county.server).device_id}" in (
            province.log_text()
        )

        # the province's HTTP aggregates carry the names too
        as_county = _county_review_client(county)
        (row,) = as_county.aggregates("township")
        assert (row["key"], row["name"]) == (TOWNSHIP, "西溪街道联合工会")
        as_county.session.close()
        reviewer.session.close()
        township.session.close()
    finally:
        province.close()


def test_a_unit_outside_the_county_prefix_is_refused_and_nothing_is_stored(
    tmp_path: Path, county_server_factory: Any, suite: str
) -> None:
    province = Province(tmp_path, crypto_suite=suite)
    try:
        county = county_server_factory()
        county.server.store.add_org_unit(TOWNSHIP, "西溪街道总工会", "330106", "township")
        county.server.store.add_org_unit("330107001", "别区街道总工会", "330106", "township")
        province.server.store.add_org_unit("330106", "西湖区总工会", "330000", "county")
        code = province.server.make_enroll_code("330106", role="county")
        from sync.server.domain.relay import enroll_at_province

        enroll_at_province(county.server, province.url, code)
        with pytest.raises(SyncError) as err:
            relay_once(county.server)
        assert err.value.code == "org_tree.foreign_unit" and err.value.status == 422
        assert "refused org_tree.foreign_unit status=422 POST /v1/org-tree" in province.log_text()
        assert _versions(province) == []
        assert acknowledged_hash(county.server.store) is None  # retried by the next relay
        assert _names(province, "township") == {}

        # fixed at the county: the next relay delivers it
        with county.server.store.write() as conn:
            from sync.server.tables import org_units

            conn.execute(org_units.delete().where(org_units.c.code == "330107001"))
        relay_once(county.server)
        assert [u["code"] for u in _versions(province)[0]["org_units"]] == ["330106", TOWNSHIP]

        client = make_relay_client(county.server)
        try:
            # a tree whose signature does not cover its content
            doc = tree_document(county.server)
            doc["org_units"][1]["name"] = "篡改"
            with pytest.raises(SyncError) as err:
                client.signed_post(PATH, canonical_json(doc))
            assert err.value.code == "org_tree.bad_signature"
            # a revoked county device
            _cli(
                "revoke-device",
                "--data",
                str(province.data_path),
                load_link(county.server).device_id,
            )
            county.server.store.add_org_unit(TOWNSHIP, "改名", "330106", "township")
            with pytest.raises(SyncError) as err:
                send_tree(county.server, client)
            assert err.value.code == "device_revoked"
        finally:
            client.session.close()
        assert len(_versions(province)) == 1
        with province.server.store.read() as conn:
            assert conn.execute(select(func.count()).select_from(county_org_trees)).scalar() == 1
    finally:
        province.close()


def _county_review_client(county: Any) -> Any:
    import requests

    from sync.review_client import ReviewClient

    link = load_link(county.server)
    session = requests.Session()
    session.trust_env = False
    session.verify = str(link.ca_file(county.server.data.path))
    return ReviewClient(
        session,
        base_url=link.province_url,
        device_id=link.device_id,
        device_key=crypto.private_bytes(county.server.data.signing_key),
    )
