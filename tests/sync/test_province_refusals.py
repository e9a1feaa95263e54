"""What the province refuses from a county, each record on its own with a clear code in the signed
receipt, a server log line, and nothing stored: a record whose township signature does not verify,
an acceptance signed by an unknown county, a county relaying another county's townships. Also:
the review API is for reviewer devices only, and decisions are checked. Every test runs on both
crypto suites (the whole chain intl, or the whole chain gm) with the same codes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from sync import crypto
from sync.client import SyncError
from sync.protocol import b64d, b64e, record_hash, unsigned
from sync.review_client import ReviewClient
from sync.server.cli import main as server_main
from sync.server.config import init_data_dir
from sync.server.domain.relay import RelayOutbox, relay_once
from sync.server.domain.review import envelope_header
from sync.server.domain.service import Server
from sync.server.tables import provenance, relay_items
from tests.sync.relay_support import Province, accept_all, link_county, reviewer_client


@pytest.fixture(scope="module", params=crypto.SUITES)
def suite(request: Any) -> str:
    return str(request.param)


@pytest.fixture
def chain(tmp_path: Path, county_server_factory: Any, raw_device: Any, suite: str) -> Any:
    province = Province(tmp_path, crypto_suite=suite)
    county = county_server_factory()
    link_county(county.server, province)
    township = raw_device(county)
    body = township.seal([township.record() for _ in range(5)])
    assert township.post_batch(body).status_code == 200
    reviewer = reviewer_client(county.url, county.server)
    yield province, county, township, reviewer
    reviewer.session.close()  # no keep-alive connection holds the county's shutdown
    township.session.close()
    province.close()


def _items(server: Server) -> list[Any]:
    with server.store.read() as conn:
        return list(conn.execute(select(relay_items).order_by(relay_items.c.seq)))


def _opened(server: Server, row: Any) -> dict[str, Any]:
    """A queued relay item as the county will send it (built from the stored record version and
    its acceptance; a rewritten one is stored sealed in the queue row)."""
    item = RelayOutbox(server).queued_item(row.record_uuid, row.version)
    assert item is not None
    return dict(item)


def _sealed(server: Server, item: dict[str, Any]) -> str:
    ident = f"{item['record']['uuid']}|{item['record']['version']}"
    return server.sealer.seal_json("relay_item", ident, item)


def _rewrite(server: Server, seq: int, item: dict[str, Any]) -> None:
    with server.store.write() as conn:
        conn.execute(
            update(relay_items).where(relay_items.c.seq == seq).values(item=_sealed(server, item))
        )


def _resign(acc: dict[str, Any], key: Any) -> dict[str, Any]:
    acc = {k: v for k, v in acc.items() if k != "signature"}
    acc["signature"] = b64e(crypto.sign(key, unsigned(acc)))
    return acc


def test_province_refuses_forged_provenance_and_stores_nothing(
    chain: Any, tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    province, county, _township, reviewer = chain
    accept_all(reviewer)
    rows = _items(county.server)
    assert len(rows) == 5
    county_key = county.server.data.signing_key

    # 1. the county changes a record after the township signed it (and vouches for it)
    forged = _opened(county.server, rows[0])
    forged["record"]["data"]["members"] = 9
    suite = county.server.data.signing_suite
    forged["acceptance"]["record_sha256"] = record_hash(forged["record"], suite)
    forged["acceptance"] = _resign(forged["acceptance"], county_key)
    _rewrite(county.server, rows[0].seq, forged)
    # 1b. the township envelope's signature itself is damaged
    broken = _opened(county.server, rows[1])
    batch = county.server.store.batch(broken.pop("township_batch_id"))
    broken["township_envelope"] = envelope_header(bytes(batch.envelope))
    sig = bytearray(b64d(broken["township_envelope"]["signature"]))
    sig[0] ^= 1
    broken["township_envelope"]["signature"] = b64e(bytes(sig))
    _rewrite(county.server, rows[1].seq, broken)
    # 2. an acceptance signed by a key the province does not know for this county
    stranger = _opened(county.server, rows[2])
    stranger["acceptance"] = _resign(stranger["acceptance"], crypto.new_signing_key(suite))
    _rewrite(county.server, rows[2].seq, stranger)

    summary = relay_once(county.server)
    assert (summary.received, summary.rejected) == (2, 3)
    verdicts = {r.record_uuid: r for r in _items(county.server)}
    codes = {
        uuid_: [e["code"] for e in RelayOutbox(county.server).errors_of(uuid_, v.version)]
        for uuid_, v in verdicts.items()
    }
    assert codes[rows[0].record_uuid] == ["relay.bad_township_signature"]
    assert codes[rows[1].record_uuid] == ["relay.bad_township_signature"]
    assert codes[rows[2].record_uuid] == ["relay.unknown_county"]
    assert {v.state for v in verdicts.values()} == {"delivered", "rejected"}
    stored = {k for k, _ in province.record_keys()}
    assert stored == {rows[3].record_uuid, rows[4].record_uuid}
    with province.server.store.read() as conn:
        prov = {r.record_uuid for r in conn.execute(select(provenance))}
    assert prov == stored
    log = province.log_text()
    assert "codes=relay.bad_township_signature" in log and "codes=relay.unknown_county" in log
    assert RelayOutbox(county.server).backlog()["rejected"] == 3
    assert server_main(["relay", "--status", "--data", str(county.data_dir)]) == 0
    assert "pending 0" in capsys.readouterr().out

    # verify re-checks the stored chain: a changed acceptance no longer verifies
    good = rows[3].record_uuid
    assert server_main(["verify", "--data", str(province.data_path), good]) == 0
    assert "provenance: verified" in capsys.readouterr().out
    monkeypatch.chdir(province.data_path)  # `uniondesk-server verify RECORD_ID` in the data dir
    assert server_main(["verify", good]) == 0
    assert "provenance: verified" in capsys.readouterr().out
    with province.server.store.write() as conn:
        row = conn.execute(select(provenance).where(provenance.c.record_uuid == good)).one()
        acc = json.loads(row.acceptance)
        conn.execute(
            update(provenance)
            .where(provenance.c.record_uuid == good)
            .values(acceptance=json.dumps({**acc, "reviewer": "someone else"}))
        )
    assert server_main(["verify", "--data", str(province.data_path), good]) == 1
    out = capsys.readouterr().out
    assert "FAIL county" in out and "NOT verified" in out


def test_a_county_cannot_relay_another_countys_townships(chain: Any, tmp_path: Path) -> None:
    province, county, _township, reviewer = chain
    accept_all(reviewer)
    genuine, second = (_opened(county.server, r) for r in _items(county.server)[:2])
    # a second county, enrolled at the same province as 330108
    other = Server(
        init_data_dir(
            tmp_path / "county-b",
            level="county",
            name="上城区总工会",
            org_unit_code="330108",
            crypto_suite=county.server.data.signing_suite,
        )
    )
    link_county(other, province, "上城区总工会")
    stolen = dict(genuine)
    stolen["acceptance"] = _resign(
        {**genuine["acceptance"], "county_org_unit": "330108"}, other.data.signing_key
    )
    as_is = dict(second)
    as_is["acceptance"] = _resign(second["acceptance"], other.data.signing_key)
    with other.store.write() as conn:
        for item in (stolen, as_is):
            conn.execute(
                relay_items.insert().values(
                    record_uuid=item["record"]["uuid"],
                    version=item["record"]["version"],
                    item=_sealed(other, item),
                    state="pending",
                    queued_at="2026-11-23T00:00:00Z",
                )
            )
    summary = relay_once(other)
    assert (summary.received, summary.rejected) == (0, 2)
    errors = [RelayOutbox(other).errors_of(r.record_uuid, r.version) for r in _items(other)]
    assert [e[0]["code"] for e in errors] == ["relay.foreign_township", "relay.foreign_township"]
    assert province.record_keys() == []
    assert "codes=relay.foreign_township" in province.log_text()
    # the rightful county relays the same record fine
    assert relay_once(county.server).received == 5
    other.store.close()


def test_review_api_is_for_reviewers_and_checks_each_decision(chain: Any) -> None:
    _province, county, township, reviewer = chain
    as_township = ReviewClient(
        reviewer.session,
        base_url=county.url,
        device_id=township.device_id,
        device_key=crypto.private_bytes(township.key),
    )
    with pytest.raises(SyncError) as err:
        as_township.queue()
    assert err.value.code == "not_a_reviewer" and err.value.status == 403
    assert "refused not_a_reviewer" in county.log_text()

    first = reviewer.queue()["records"][0]
    key = {"record_uuid": first["record_uuid"], "version": first["version"]}
    with pytest.raises(SyncError) as err:
        reviewer.decide("王审核", [{**key, "decision": "returned", "comment": "  "}])
    assert err.value.code == "comment_required"
    results = reviewer.decide(
        "王审核",
        [
            {**key, "version": first["version"] + 1, "decision": "accepted"},
            {"record_uuid": "00000000-0000-0000-0000-000000000000", "version": 1,
             "decision": "accepted"},
        ],
    )  # fmt: skip
    assert [r["result"] for r in results] == ["unknown_version", "unknown_record"]
    assert _items(county.server) == []  # nothing queued for the province
    assert reviewer.queue()["counts"] == {"pending": 5, "accepted": 0, "returned": 0}


def test_review_client_says_when_the_county_cannot_be_reached(chain: Any) -> None:
    from sync.retry import RetryPolicy
    from sync.server.runner import free_port

    _province, _county, _township, reviewer = chain
    reviewer.base_url = f"https://127.0.0.1:{free_port()}"
    reviewer.retry = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.01)
    with pytest.raises(SyncError) as err:
        reviewer.queue()
    assert err.value.code == "unreachable"
