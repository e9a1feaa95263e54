"""Acceptance (issue 16): an ``intl`` county and a ``gm`` county relay to one province (gm, on
PostgreSQL) and both verify there; then the intl county moves to gm
(``uniondesk-server rotate-key --crypto-suite gm``): the province is told its new key, its
township is re-keyed through its signed inbox (an SM2 key, registered with a request signed by
the old key), and every record — signed and accepted before, across and after the move — stays
verifiable at the province. Real HTTPS servers, real SQLCipher workspaces, real PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from desktop import link
from desktop.link import state as link_state
from desktop.store import Workspace
from sync import crypto
from sync.server.cli import main as server_main
from sync.server.config import init_data_dir, load_data_dir
from sync.server.domain.relay import relay_once
from sync.server.domain.service import Server
from tests.store import helpers as store_h
from tests.store.gm_support import plaintext_hits, table_bytes
from tests.sync.client_support import (
    PASSWORD,
    ThreadedServer,
    create_township,
    union_data,
)
from tests.sync.relay_support import (
    Province,
    accept_all,
    link_county,
    province_on_postgres,
    reviewer_client,
)
from tests.sync.test_server_postgres import postgres_url  # noqa: F401  (throwaway cluster)

A = "330106001"  # township of the intl county 330106
C = "330108001"  # township of the gm county 330108


class CountyThread(ThreadedServer):
    """A county in a thread; ``restart()`` reloads its data directory on the same port (what
    restarting ``serve`` after ``rotate-key`` does)."""

    def __init__(self, root: Path, code: str, name: str, suite: str, township: str) -> None:
        path = root / f"county-{code}"
        init_data_dir(path, level="county", name=name, org_unit_code=code, crypto_suite=suite)
        super().__init__(path)
        self.server.store.add_org_unit(township, f"{name} 街道", code, "township")

    def restart(self) -> None:
        self.stop()
        self.server.store.close()
        self.server = Server(load_data_dir(self.data_path))
        self.start()


@pytest.fixture
def province(tmp_path: Path, postgres_url: str) -> Any:  # noqa: F811
    p = province_on_postgres(tmp_path, postgres_url, "gm")
    yield p
    p.close()


def _verify(province: Province, capsys: Any, record_uuid: str) -> str:
    assert server_main(["verify", "--data", str(province.data_path), record_uuid]) == 0
    out = capsys.readouterr().out
    assert "provenance: verified" in out and "FAIL" not in out, out
    return out


def _accept_and_relay(county: CountyThread, expected: int) -> None:
    reviewer = reviewer_client(county.url, county.server)
    try:
        assert [r["result"] for r in accept_all(reviewer)] == ["ok"] * expected
    finally:
        reviewer.session.close()


def test_intl_and_gm_counties_relay_to_one_province_and_intl_moves_to_gm(
    tmp_path: Path, province: Province, capsys: Any
) -> None:
    intl = CountyThread(tmp_path, "330106", "西湖区总工会", "intl", A)
    gm = CountyThread(tmp_path, "330108", "上城区总工会", "gm", C)
    try:
        link_county(intl.server, province, "西湖区总工会")
        link_county(gm.server, province, "上城区总工会")
        ws_a = create_township(tmp_path, A)
        ws_c, _ = Workspace.create(tmp_path / "ws-c", org_unit_code=C, org_unit_name="上城 街道",
                                   admin_user="admin", admin_password=PASSWORD)  # fmt: skip
        link.enroll(ws_a, intl.url, intl.server.make_enroll_code(A))
        link.enroll(ws_c, gm.url, gm.server.make_enroll_code(C))
        assert link_state.load_enrollment(ws_a.settings).crypto_suite == "intl"
        assert link_state.load_enrollment(ws_c.settings).crypto_suite == "gm"
        # the township follows its county: made intl, on gm once enrolled with a gm county
        assert ws_a.crypto_suite == "intl" and ws_c.crypto_suite == "gm"
        u_c = ws_c.records.save("union", union_data(C, division_code=C), status="draft").uuid
        ws_c.records.save("member", store_h.member(1, u_c), status="draft")
        u_a = ws_a.records.save("union", union_data(A), status="draft").uuid
        ws_a.records.save("member", store_h.member(2, u_a), status="draft")

        # both counties relay to the gm province, and both verify there
        before = [ws_a.records.save("union", union_data(A)) for _ in range(2)]
        gm_records = [ws_c.records.save("union", union_data(A, division_code=C)) for _ in range(2)]
        assert link.sync_now(ws_a).received == 2 and link.sync_now(ws_c).received == 2
        _accept_and_relay(intl, 2)
        _accept_and_relay(gm, 2)
        assert relay_once(intl.server).received == 2 and relay_once(gm.server).received == 2
        for r in before:
            out = _verify(province, capsys, r.uuid)
            assert out.count("suite intl, Ed25519 key ") == 2
        for r in gm_records:
            out = _verify(province, capsys, r.uuid)
            assert out.count("suite gm, SM2 key ") == 2

        # records across the move: one accepted before (its acceptance signed with the old
        # key, relayed after), one sent before and accepted after
        accepted_early = ws_a.records.save("union", union_data(A))
        assert link.sync_now(ws_a).received == 1
        _accept_and_relay(intl, 1)
        sent_early = ws_a.records.save("union", union_data(A))
        assert link.sync_now(ws_a).received == 1
        old_key = intl.server.signing_public

        # the intl county moves to gm; serve is restarted to sign with the new key
        intl.stop()
        assert server_main(["rotate-key", "--data", str(intl.data_path),
                            "--crypto-suite", "gm"]) == 0  # fmt: skip
        out = capsys.readouterr().out
        # the township and the reviewer devices (each _accept_and_relay enrolled one)
        assert "moved to the gm suite" in out and "3 device(s) get the new keys" in out
        assert "restart 'uniondesk-server serve'" in out
        intl.restart()
        assert intl.server.data.signing_suite == "gm" and intl.server.signing_public != old_key
        county_at_province = province.server.store.device(
            next(
                d.device_id for d in province.server.store.list_devices() if d.org_unit == "330106"
            )  # fmt: skip
        )
        assert bytes(county_at_province.public_key) == intl.server.signing_public
        assert province.server.store.device_public_keys(county_at_province)[1] == old_key

        # the township learns it from its signed inbox and re-keys to SM2
        link.sync_now(ws_a)
        enrollment = link_state.load_enrollment(ws_a.settings)
        assert enrollment.crypto_suite == "gm"
        assert ws_a.crypto_suite == "gm"  # followed its county after that sync
        assert link_state.unb64(enrollment.server_signing_key) == intl.server.signing_public
        township = intl.server.store.device(enrollment.device_id)
        assert crypto.suite_of_key(bytes(township.public_key)) == "gm"
        after = ws_a.records.save("union", union_data(A))
        assert link.sync_now(ws_a).received == 1
        _accept_and_relay(intl, 2)  # sent_early and after
        assert relay_once(intl.server).received == 3

        # every record stays verifiable at the province, each step with its own suite
        for r in before:
            out = _verify(province, capsys, r.uuid)
            assert out.count("suite intl, Ed25519 key ") == 2
        out = _verify(province, capsys, accepted_early.uuid)
        assert out.count("suite intl, Ed25519 key ") == 2
        out = _verify(province, capsys, sent_early.uuid)  # township intl, acceptance gm
        assert "suite intl, Ed25519 key " in out and "suite gm, SM2 key " in out
        out = _verify(province, capsys, after.uuid)
        assert out.count("suite gm, SM2 key ") == 2
        for r in gm_records:
            _verify(province, capsys, r.uuid)
        # and at the county itself
        for r in (*before, after):
            assert server_main(["verify", "--data", str(intl.data_path), r.uuid]) == 0
            assert "provenance: verified" in capsys.readouterr().out
        ws_a.close()
        ws_c.close()
        # neither township's SQLCipher file holds an ID number or phone in plain, in any table
        for folder, i in ((tmp_path / "ws-c", 1), (ws_a.path, 2)):
            tables = table_bytes(folder, "admin", PASSWORD)
            secrets = [store_h.resident_id(i), store_h.mobile(i)]
            assert plaintext_hits(tables, secrets) == []
    finally:
        intl.close()
        gm.close()


def test_a_new_server_is_gm_and_its_key_files_hold_no_raw_key(tmp_path: Path, capsys: Any) -> None:
    data = tmp_path / "county"
    argv = ["init", "--level", "county", "--name", "西湖区总工会", "--code", "330106"]
    assert server_main([*argv, "--data", str(data)]) == 0
    assert "crypto suite: gm (signatures gm, field encryption gm)" in capsys.readouterr().out
    loaded = load_data_dir(data)
    assert loaded.signing_suite == "gm" and crypto.suite_of_key(loaded.hpke_key) == "gm"
    for name in ("signing.key", "hpke.key"):
        text = (data / "keys" / name).read_bytes()
        assert text.startswith(b"-----BEGIN UNIONDESK SM2 KEY PAIR-----")
        key = loaded.signing_key if name == "signing.key" else loaded.hpke_key
        assert crypto.private_bytes(key)[:32].hex().encode() not in text
    intl = tmp_path / "intl"
    assert server_main([*argv, "--data", str(intl), "--crypto-suite", "intl"]) == 0
    assert "crypto suite: intl (signatures intl" in capsys.readouterr().out
    assert load_data_dir(intl).signing_suite == "intl"


def test_a_gm_county_refuses_keys_of_the_other_suite_with_a_clear_message(
    county_server_factory: Any, raw_device: Any
) -> None:
    import json

    from sync.protocol import EnrollRequest, b64e, canonical_json, device_key_proof_bytes

    county = county_server_factory(crypto_suite="gm")
    ed = crypto.new_signing_key("intl")
    req = EnrollRequest(code=county.make_code(), device_public_key=crypto.public_bytes(ed))
    r = raw_device(county, enroll=False).session.post(
        f"{county.url}/v1/enroll", data=req.to_json(), timeout=10
    )
    assert r.status_code == 422 and r.json()["error"] == "invalid_document"
    assert "uses the gm crypto suite: the device key must be an SM2 key" in r.json()["message"]

    # registering a new key: the proof must be by the new key, and the key of the county's suite
    device = raw_device(county)
    new = crypto.new_signing_key("gm")
    public = crypto.public_bytes(new)
    forged = crypto.new_signing_key("gm").sign(device_key_proof_bytes(device.device_id, public))
    body = canonical_json({"protocol": 1, "type": "device_key", "public_key": b64e(public),
                           "proof": b64e(forged)})  # fmt: skip
    r = device.signed("POST", "/v1/device/key", body)
    assert r.status_code == 401 and r.json()["error"] == "bad_signature", r.text
    ed_public = crypto.public_bytes(ed)
    proof = ed.sign(device_key_proof_bytes(device.device_id, ed_public))
    body = canonical_json({"protocol": 1, "type": "device_key", "public_key": b64e(ed_public),
                           "proof": b64e(proof)})  # fmt: skip
    r = device.signed("POST", "/v1/device/key", body)
    assert r.status_code == 422 and "crypto suite" in r.json()["message"]
    assert bytes(county.server.store.device(device.device_id).public_key) == device.key.public
    # a well-proven key of the suite is taken; the old one is kept for what it signed
    proof = new.sign(device_key_proof_bytes(device.device_id, public))
    body = canonical_json({"protocol": 1, "type": "device_key", "public_key": b64e(public),
                           "proof": b64e(proof)})  # fmt: skip
    r = device.signed("POST", "/v1/device/key", body)
    assert r.status_code == 200 and json.loads(r.content)["suite"] == "gm", r.text
    row = county.server.store.device(device.device_id)
    assert county.server.store.device_public_keys(row) == [public, device.key.public]
