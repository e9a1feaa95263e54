"""The province's own suite move (issue 16): an ``intl`` province on PostgreSQL with an ``intl``
and a ``gm`` county moves to ``gm`` (``uniondesk-server rotate-key --crypto-suite gm``). Its
counties learn its new SM2 keys through their signed inbox (``relay.json``; each keeps its own
suite) and keep relaying; every record relayed before the move still verifies there, naming its
signers; records after it verify, the gm county's with SM2 at both steps; the province's stored
values are SM4-GCM-sealed and its blind index is HMAC-SM3. Then the intl county moves to gm too,
registering its SM2 key at the moved province. And the kills: a county's ``rotate-key`` SIGKILLed
around its registration at the province, and the province's own move SIGKILLed midway, each
finished by running ``rotate-key`` again with nothing lost or doubled. Real HTTPS servers, real
PostgreSQL, real ``uniondesk-server`` processes for the kills.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sync import crypto
from sync import protocol as proto
from sync.server.cli import main as server_main
from sync.server.cli.keys import JOURNAL
from sync.server.config import init_data_dir, load_data_dir
from sync.server.domain import audit_log
from sync.server.domain.reencrypt import keys_in_use
from sync.server.domain.relay import load_link, relay_once
from sync.server.domain.service import Server
from sync.server.tables import devices, inbox, records, relay_batches
from tests.sync.relay_support import Province, link_county, province_on_postgres, queue_accepted
from tests.sync.test_server_postgres import postgres_url  # noqa: F401  (throwaway cluster)
from tests.sync.test_server_suite_move import kill_rotate_key_at
from tests.sync.test_suites_mixed import CountyThread

A = "330106001"  # township of the intl county 330106
C = "330108001"  # township of the gm county 330108
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def intl_province(tmp_path: Path, postgres_url: str) -> Any:  # noqa: F811
    p = province_on_postgres(tmp_path, postgres_url, "intl")
    yield p
    p.close()
    p.server.store.close()


def restart(p: Province) -> None:
    """What restarting ``serve`` after ``rotate-key`` does: the data directory loaded again."""
    p.stop()
    p.server.store.close()
    p.server = Server(load_data_dir(p.data_path))
    p.start()


def _verify(p: Province, capsys: Any, record_uuid: str) -> str:
    assert server_main(["verify", "--data", str(p.data_path), record_uuid]) == 0
    out = capsys.readouterr().out
    assert "provenance: verified" in out and "FAIL" not in out, out
    return out


def _signers(p: Province, capsys: Any, uuids: set[tuple[str, int]]) -> list[tuple[int, int]]:
    """For each record: how many steps verify with Ed25519, how many with SM2."""
    found = []
    for uuid_, _v in sorted(uuids):
        out = _verify(p, capsys, uuid_)
        found.append((out.count("suite intl, Ed25519 key "), out.count("suite gm, SM2 key ")))
    return found


def _last_relay_recipient(county: CountyThread) -> str:
    with county.server.store.read() as conn:
        envelope = conn.execute(
            select(relay_batches.c.envelope).order_by(relay_batches.c.device_seq.desc()).limit(1)
        ).scalar_one()
    return str(json.loads(envelope)["recipient_key_id"])


def test_an_intl_province_moves_to_gm_and_its_counties_keep_relaying(
    tmp_path: Path, intl_province: Province, capsys: Any
) -> None:
    province = intl_province
    assert province.server.store.engine.dialect.name == "postgresql"
    intl = CountyThread(tmp_path, "330106", "西湖区总工会", "intl", A)
    gm = CountyThread(tmp_path, "330108", "上城区总工会", "gm", C)
    try:
        link_county(intl.server, province, "西湖区总工会")
        link_county(gm.server, province, "上城区总工会")
        before_i = queue_accepted(intl.server, A, 2)
        before_g = queue_accepted(gm.server, C, 2)
        assert relay_once(intl.server).received == 2 and relay_once(gm.server).received == 2
        assert _signers(province, capsys, before_i) == [(2, 0)] * 2
        assert _signers(province, capsys, before_g) == [(0, 2)] * 2
        # accepted before the move, relayed after it (the county does not know yet)
        waiting_i = queue_accepted(intl.server, A, 1)
        waiting_g = queue_accepted(gm.server, C, 1)
        old_signing, old_hpke = province.server.signing_public, province.server.hpke_public

        province.stop()
        capsys.readouterr()
        code = server_main(["rotate-key", "--data", str(province.data_path),
                            "--crypto-suite", "gm"])  # fmt: skip
        out = capsys.readouterr().out
        assert code == 0 and "moved to the gm suite" in out, out
        assert "4 record(s)" in out and "2 device(s) get the new keys" in out, out
        restart(province)
        server = province.server
        assert server.data.signing_suite == "gm" and crypto.suite_of_key(server.hpke_public) == "gm"
        assert server.signing_public != old_signing
        # at rest on PostgreSQL: every value under the SM4 data key, the audit chain intact
        assert keys_in_use(server.store) == {server.data.keys.current}
        assert server.data.keys.suite == "gm"
        with server.store.read() as conn:
            assert audit_log.verify(conn) == []
            told = conn.execute(
                select(inbox.c.device_id).where(inbox.c.kind == "server_keys")
            ).all()
        assert len(told) == 2

        # the records relayed before the move still verify, naming their signers
        assert _signers(province, capsys, before_i) == [(2, 0)] * 2
        assert _signers(province, capsys, before_g) == [(0, 2)] * 2

        # each county's next relay delivers what waited (sealed to the key it knew, opened with
        # the province's retired key) and learns the new keys from its signed inbox
        for county in (intl, gm):
            summary = relay_once(county.server)
            assert summary.received == 1 and summary.inbox_applied >= 1, summary
            assert _last_relay_recipient(county) == crypto.key_id(old_hpke)
            link = load_link(county.server)
            assert link is not None
            assert proto.b64d(link.province_signing_key) == server.signing_public
            assert proto.b64d(link.province_hpke_key) == server.hpke_public
            assert old_signing in [
                proto.b64d(k) for k in link.province_previous_signing_keys.split()
            ]
        assert _signers(province, capsys, waiting_i) == [(2, 0)]
        assert _signers(province, capsys, waiting_g) == [(0, 2)]
        # each county kept its own key and suite; the province signs for them with its new key
        with server.store.read() as conn:
            rows = conn.execute(
                select(devices.c.org_unit, devices.c.public_key, devices.c.server_key_id).where(
                    devices.c.role == "county"
                )
            ).all()
        assert {r.org_unit: crypto.suite_of_key(bytes(r.public_key)) for r in rows} == {
            "330106": "intl", "330108": "gm"}  # fmt: skip
        assert {r.server_key_id for r in rows} == {crypto.key_id(server.signing_public)}

        # after the move: sealed to the province's SM2 key, receipts signed with SM2
        after_i = queue_accepted(intl.server, A, 2)
        after_g = queue_accepted(gm.server, C, 2)
        assert relay_once(intl.server).received == 2 and relay_once(gm.server).received == 2
        for county in (intl, gm):
            assert _last_relay_recipient(county) == crypto.key_id(server.hpke_public)
            assert county.server.store.count(relay_batches) == 3
        assert _signers(province, capsys, after_g) == [(0, 2)] * 2
        assert _signers(province, capsys, after_i) == [(2, 0)] * 2  # the county's own suite

        # then the intl county moves to gm too: it registers its SM2 key at the moved province
        intl.stop()
        code = server_main(["rotate-key", "--data", str(intl.data_path), "--crypto-suite", "gm"])
        assert code == 0, capsys.readouterr().out
        capsys.readouterr()
        intl.restart()
        last_i = queue_accepted(intl.server, A, 1)
        assert relay_once(intl.server).received == 1
        assert _signers(province, capsys, last_i) == [(0, 2)]
        # and everything earlier still verifies, each step with the key that signed it
        assert _signers(province, capsys, before_i | waiting_i | after_i) == [(2, 0)] * 5
        assert _signers(province, capsys, before_g | waiting_g | after_g) == [(0, 2)] * 5
        assert province.server.store.count(records) == 11  # each once, none lost
    finally:
        intl.close()
        gm.close()
        intl.server.store.close()
        gm.server.store.close()


@pytest.fixture
def gm_province(tmp_path: Path, postgres_url: str) -> Any:  # noqa: F811
    p = province_on_postgres(tmp_path, postgres_url, "gm", "provgm")
    yield p
    p.close()
    p.server.store.close()


@pytest.mark.parametrize("step", ["prepared", "province-took-key", "registered"])
def test_a_county_killed_while_registering_its_key_at_the_province_finishes_on_rerun(
    tmp_path: Path, gm_province: Province, capsys: Any, step: str
) -> None:
    """``rotate-key --crypto-suite gm`` on a linked intl county, the ``uniondesk-server``
    process SIGKILLed before the province is asked, after the province took the new key but
    before the county noted it, and after it noted it; the rerun finishes the move, the
    province holds the county's new key once and its old one once, nothing relayed before is
    lost, and what waited in the relay queue arrives exactly once."""
    province = gm_province
    data = tmp_path / "county-330106"
    init_data_dir(data, level="county", name="西湖区总工会", org_unit_code="330106",
                  crypto_suite="intl")  # fmt: skip
    county = Server(load_data_dir(data))
    county.store.add_org_unit(A, "西湖区 街道", "330106", "township")
    link_county(county, province, "西湖区总工会")
    relayed = queue_accepted(county, A, 2)
    assert relay_once(county).received == 2
    waiting = queue_accepted(county, A, 2)  # accepted before the move, relayed after it
    old_key = county.signing_public
    county.store.close()

    def at_province() -> tuple[bytes, list[bytes], int]:
        store = province.server.store
        device = next(d for d in store.list_devices() if d.org_unit == "330106")
        with store.read() as conn:
            rekeyed = sum(e.action == "device_rekeyed" for e in audit_log.entries(conn))
        return bytes(device.public_key), store.device_public_keys(device), rekeyed

    kill_rotate_key_at(data, step)
    journal = json.loads((data / JOURNAL).read_text(encoding="utf-8"))
    assert journal["registered"] is (step == "registered")
    pending = load_data_dir(data)  # the county still signs with its old key
    assert pending.signing_suite == "intl" and pending.signing_key is not None
    current, _keys, rekeyed = at_province()
    if step == "prepared":
        assert (current, rekeyed) == (old_key, 0)  # the province was not asked yet
    else:
        assert crypto.suite_of_key(current) == "gm" and rekeyed == 1

    capsys.readouterr()
    code = server_main(["rotate-key", "--data", str(data)])  # no flag: the move resumes
    out = capsys.readouterr().out
    assert code == 0 and "resuming the move to the gm suite" in out, out
    assert not (data / JOURNAL).exists()
    county = Server(load_data_dir(data))
    try:
        assert county.data.signing_suite == "gm"
        # the province holds the county's new key, and its old one once (no second re-key)
        assert at_province() == (county.signing_public, [county.signing_public, old_key], 1)
        # nothing lost, nothing twice: the waiting records arrive once, a rerun sends none
        assert relay_once(county).received == 2
        assert relay_once(county).received == 0
        assert province.server.store.count(records) == 4
        assert _signers(province, capsys, relayed | waiting) == [(2, 0)] * 4  # signed before
        later = queue_accepted(county, A, 1)
        assert relay_once(county).received == 1
        assert _signers(province, capsys, later) == [(0, 2)]
        with province.server.store.read() as conn:
            assert audit_log.verify(conn) == []
    finally:
        county.store.close()


@pytest.mark.parametrize("step", ["switched-signing", "database"])
def test_a_province_move_killed_midway_on_postgresql_is_finished_by_rerun(
    tmp_path: Path, intl_province: Province, capsys: Any, step: str
) -> None:
    """The province's ``rotate-key --crypto-suite gm`` SIGKILLed between its key files, and
    inside its PostgreSQL transaction: the rerun finishes it, the county is told once, and the
    county's relay goes on with every record there once."""
    province = intl_province
    county = CountyThread(tmp_path, "330106", "西湖区总工会", "intl", A)
    try:
        link_county(county.server, province, "西湖区总工会")
        first = queue_accepted(county.server, A, 2)
        assert relay_once(county.server).received == 2
        province.stop()
        province.server.store.close()
        kill_rotate_key_at(province.data_path, step)
        capsys.readouterr()
        assert server_main(["rotate-key", "--data", str(province.data_path)]) == 0
        assert "resuming the move to the gm suite" in capsys.readouterr().out
        province.server = Server(load_data_dir(province.data_path))
        province.start()
        server = province.server
        with server.store.read() as conn:
            assert audit_log.verify(conn) == []
            told = conn.execute(
                select(inbox.c.device_id).where(inbox.c.kind == "server_keys")
            ).all()
            moves = sum(e.action == "suite_move_finished" for e in audit_log.entries(conn))
        assert (len(told), moves) == (1, 1)
        assert server.data.signing_suite == "gm"
        assert keys_in_use(server.store) == {server.data.keys.current}
        assert _signers(province, capsys, first) == [(2, 0)] * 2
        later = queue_accepted(county.server, A, 2)
        assert relay_once(county.server).received == 2
        assert relay_once(county.server).received == 0
        link = load_link(county.server)
        assert link is not None and proto.b64d(link.province_signing_key) == server.signing_public
        assert server.store.count(records) == 4
        assert _signers(province, capsys, later) == [(2, 0)] * 2
    finally:
        county.close()
        county.server.store.close()
