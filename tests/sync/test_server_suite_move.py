"""The server side of moving a county from ``intl`` to ``gm`` (issue 16): after
``uniondesk-server rotate-key --crypto-suite gm`` the audit chain goes on with SM3 and
``audit-log --verify`` checks both hashes; every sensitive value is SM4-GCM-sealed and the blind
index is HMAC-SM3; an enrollment code issued before the move still enrolls, new ones are kept as
SM3; a township and a reviewer desktop are re-keyed through their signed inbox; and a move killed
at any step (a real SIGKILL of the ``uniondesk-server`` process) is finished by running
``rotate-key`` again, leaving nothing half-keyed. Real HTTPS, real SQLCipher workspaces.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text, update

from desktop import link
from desktop.link import review as link_review
from desktop.link import state as link_state
from desktop.store import KdfParams, Workspace
from sync import crypto, crypto_gm
from sync.protocol import canonical_json, split_enroll_code
from sync.server.cli import main as server_main
from sync.server.cli.keys import CRASH_ENV, JOURNAL, interrupted_move
from sync.server.config import PENDING, load_data_dir
from sync.server.domain import audit_log
from sync.server.domain.lookups import records_with_value
from sync.server.domain.reencrypt import keys_in_use
from sync.server.domain.service import Server
from sync.server.tables import audit_log as audit_table
from sync.server.tables import devices, enroll_codes, inbox, meta, sensitive_index
from tests.rosters.conftest import resident_id
from tests.sync.client_support import PASSWORD, create_township, union_data
from tests.sync.test_server_keys import _county, _with_members
from tests.sync.test_suites_mixed import CountyThread

A = "330106001"
ROOT = Path(__file__).resolve().parents[2]
LIGHT = KdfParams(memory_kib=8192, iterations=1, lanes=1)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = server_main(list(argv))
    return code, capsys.readouterr().out


def _hmac_sm3_index(server: Server, field: str, value: str) -> str:
    key = server.data.keys.index_key
    return crypto_gm.hmac_sm3(key, field.encode() + b"\x00" + value.encode()).hex()[:32]


def _members(ws: Any, union: str, count: int) -> list[str]:
    ids = []
    for i in range(count):
        ids.append(resident_id(400 + i, birth="19870110"))
        ws.records.save("member", {"union": union, "name": f"会员{i}", "id_number": ids[-1],
                                   "mobile": f"1395827{i:04d}", "join_date": "2019-05-01",
                                   "changes": [{"kind": "join", "date": "2019-05-01"}]})  # fmt: skip
    return ids


def kill_rotate_key_at(data: Path, step: str) -> None:
    """Run ``uniondesk-server rotate-key --crypto-suite gm`` on ``data`` in its own process,
    SIGKILLed at ``step`` (``CRASH_ENV``); the move is then left interrupted."""
    env = {**os.environ, CRASH_ENV: step, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "sync.server", "rotate-key", "--data", str(data),
            "--crypto-suite", "gm"]  # fmt: skip
    killed = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    assert interrupted_move(data) == "gm"


def _reviewer_workspace(root: Path, county: CountyThread) -> Workspace:
    ws, _ = Workspace.create(root / "reviewer-ws", org_unit_code="330106",
                             org_unit_name="西湖区总工会", admin_user="admin",
                             admin_password=PASSWORD, kdf=LIGHT)  # fmt: skip
    ws.users.add("shen", PASSWORD, "reviewer")
    code = county.server.make_enroll_code("330106", role="reviewer")
    link.enroll(ws, county.url, code)
    path = ws.path
    ws.close()
    return Workspace.open(path, user="shen", password=PASSWORD, kdf=LIGHT)


def test_an_intl_county_moves_to_gm_chain_codes_index_and_reviewer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    county = CountyThread(tmp_path, "330106", "西湖区总工会", "intl", A)
    township = create_township(tmp_path, A)
    reviewer = _reviewer_workspace(tmp_path, county)
    try:
        link.enroll(township, county.url, county.server.make_enroll_code(A))
        union = township.records.save("union", union_data(A)).uuid
        ids = _members(township, union, 3)
        assert link.sync_now(township).received == 4
        assert len(link_review.queue(reviewer, status="pending")["records"]) == 4
        old_code = county.server.make_enroll_code(A)  # issued intl (SHA-256), used after
        with county.server.store.read() as conn:
            before = audit_log.entries(conn)
        assert {e.hash_alg for e in before} == {"sha256"}

        code, out = _run(capsys, "rotate-key", "--data", str(county.data_path),
                         "--crypto-suite", "gm")  # fmt: skip
        assert code == 0
        assert "4 record(s)" in out and "2 device(s) get the new keys" in out, out
        county.restart()
        server = county.server

        # audit chain: old entries untouched and SHA-256, then SM3 from the move; both verify
        with server.store.read() as conn:
            after = audit_log.entries(conn)
        assert after[: len(before)] == before
        moved = after[len(before)]
        assert moved.action == "audit_hash_moved" and moved.hash_alg == "sm3"
        assert {e.hash_alg for e in after[len(before) :]} == {"sm3"}
        doc = {k: v for k, v in moved.to_dict().items() if k != "entry_hash"}
        assert moved.entry_hash == crypto_gm.sm3_hex(canonical_json(doc))
        code, out = _run(capsys, "audit-log", "--data", str(county.data_path), "--verify")
        assert code == 0 and f"audit log intact: {len(after)} entries" in out

        # field encryption: every value under the SM4 data key; blind index HMAC-SM3
        assert keys_in_use(server.store) == {"k2"}
        assert server.data.keys.suite == "gm" and server.data.cipher.suite == "gm"
        with server.store.read() as conn:
            digests = set(conn.execute(select(sensitive_index.c.digest)).scalars())
        assert {_hmac_sm3_index(server, "id_number", i) for i in ids} <= digests
        assert [h.version for h in records_with_value(server, "id_number", ids[0])] == [1]

        # the township and the reviewer desktop re-key through their signed inbox; the
        # reviewer's first call after the move is the statistics tables (it reads the inbox first)
        assert link.sync_now(township).inbox_applied >= 1
        tables = link_review.fetch_stats(reviewer, "2026-12-01")
        assert tables.unit.code == "330106" and [t.definition.id for t in tables.tables]
        rekeyed = link_state.load_enrollment(reviewer.settings)
        assert rekeyed is not None and len(link_state.unb64(rekeyed.device_private_key)) == 96
        pending = link_review.queue(reviewer, status="pending")["records"]
        assert len(pending) == 4
        for ws in (township, reviewer):
            e = link_state.load_enrollment(ws.settings)
            assert e is not None and len(link_state.unb64(e.device_private_key)) == 96  # SM2
            with server.store.read() as conn:
                key = conn.execute(
                    select(devices.c.public_key).where(devices.c.device_id == e.device_id)
                ).scalar_one()
            assert crypto.suite_of_key(bytes(key)) == "gm"
        decisions = [{"record_uuid": r["record_uuid"], "version": r["version"],
                      "decision": "accepted"} for r in pending]  # fmt: skip
        assert [r["result"] for r in link_review.decide(reviewer, decisions)] == ["ok"] * 4

        # enrollment codes: the one issued before the move enrolls; new ones are kept as SM3
        late = create_township(tmp_path / "late", A)
        link.enroll(late, county.url, old_code)
        late.close()
        new_code = server.make_enroll_code(A)
        secret, _check = split_enroll_code(new_code)
        with server.store.read() as conn:
            kept = set(conn.execute(select(enroll_codes.c.secret_hash)).scalars())
        assert crypto_gm.sm3_hex(secret.encode("ascii")) in kept
        code, out = _run(capsys, "audit-log", "--data", str(county.data_path), "--verify")
        assert code == 0, out
    finally:
        township.close()
        reviewer.close()
        county.stop()
        county.server.store.close()


def test_audit_verify_finds_edits_on_both_hashes_and_a_changed_hash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _county(tmp_path)
    _with_members(data, 2).store.close()
    assert server_main(["rotate-key", "--data", str(data), "--crypto-suite", "gm"]) == 0
    server = Server(load_data_dir(data))
    for n in range(3):
        server.add_org_unit(f"33010600{n + 2}", f"街道{n}", "330106", "township")
    with server.store.read() as conn:
        entries = audit_log.entries(conn)
    old = next(e for e in entries if e.hash_alg == "sha256")
    new = [e for e in entries if e.hash_alg == "sm3"]

    def problems() -> list[str]:
        with server.store.read() as conn:
            return audit_log.verify(conn)

    assert problems() == []
    with server.store.engine.begin() as conn:  # an old (SHA-256) entry edited
        conn.execute(text("UPDATE audit_log SET target = 'x' WHERE seq = :s"), {"s": old.seq})
    assert f"entry {old.seq}: content does not match its hash (edited)" in problems()
    with server.store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET target = :t WHERE seq = :s"),
                     {"t": old.target, "s": old.seq})  # fmt: skip
        conn.execute(text("UPDATE audit_log SET actor = 'x' WHERE seq = :s"), {"s": new[-2].seq})
    assert f"entry {new[-2].seq}: content does not match its hash (edited)" in problems()
    with server.store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = :a WHERE seq = :s"),
                     {"a": new[-2].actor, "s": new[-2].seq})  # fmt: skip
    assert problems() == []
    # the last entry re-hashed with SHA-256 (hash, head and all): the change of hash shows
    last = new[-1]
    digest = audit_log.entry_hash(last.seq, last.at, last.actor, last.action, last.target,
                                  last.detail, last.prev_hash, "sha256")  # fmt: skip
    with server.store.engine.begin() as conn:
        conn.execute(
            update(audit_table).where(audit_table.c.seq == last.seq)
            .values(hash_alg="sha256", entry_hash=digest)
        )  # fmt: skip
        conn.execute(
            update(meta).where(meta.c.key == audit_log.HEAD_KEY)
            .values(value=json.dumps({"seq": last.seq, "hash": digest}))
        )  # fmt: skip
    found = problems()
    assert found == [
        f"entry {last.seq}: hashed with sha256 after sm3 entries without an audit_hash_moved "
        "entry (its hash was changed)"
    ]
    code, out = _run(capsys, "audit-log", "--data", str(data), "--verify")
    assert code == 1 and "hashed with sha256 after sm3" in out
    server.store.close()


def _state(data: Path) -> dict[str, Any]:
    """What a finished move leaves, in the terms a person would check."""
    loaded = load_data_dir(data)
    server = Server(loaded)
    try:
        with server.store.read() as conn:
            log = audit_log.entries(conn)
            problems = audit_log.verify(conn)
            messages = conn.execute(
                select(inbox.c.device_id).where(inbox.c.kind == "server_keys")
            ).all()
        return {
            "signing": loaded.signing_suite,
            "sealing": crypto.suite_of_key(loaded.hpke_key),
            "retired": sorted(
                crypto.suite_of_key(k) for k in (*loaded.retired_signing, *loaded.retired_hpke)
            ),
            "keyring": (loaded.keys.suite, loaded.keys.key_suites.get(loaded.keys.current, "gm")),
            "config": loaded.config.crypto_suite,
            "values": [server.sealer.open_content(r.content)["data"]["id_number"]
                       for r in server.store.record_rows()],  # fmt: skip
            "in_use": keys_in_use(server.store) == {loaded.keys.current},
            "index_sm3": all(
                server.sealer.digest("id_number", v) == _hmac_sm3_index(server, "id_number", v)
                and records_with_value(server, "id_number", v)
                for v in [resident_id(i) for i in range(3)]
            ),
            "audit_intact": problems == [],
            "rotated_entries": sum(e.action == "server_keys_rotated" for e in log),
            "moves_finished": sum(e.action == "suite_move_finished" for e in log),
            "server_keys_messages": len(messages),
            "leftovers": [p.name for p in (data / "keys").rglob("*") if "pending" in str(p)
                          or p.suffix == ".tmp"] + [JOURNAL.name] * (data / JOURNAL).exists(),
        }  # fmt: skip
    finally:
        server.store.close()


FINISHED = {
    "signing": "gm",
    "sealing": "gm",
    "retired": ["intl", "intl"],
    "keyring": ("gm", "gm"),
    "config": "gm",
    "values": [resident_id(i) for i in range(3)],
    "in_use": True,
    "index_sm3": True,
    "audit_intact": True,
    "rotated_entries": 1,
    "moves_finished": 1,
    "server_keys_messages": 1,
    "leftovers": [],
}


@pytest.mark.parametrize(
    "step",
    ["prepared", "switched-signing", "switched-hpke", "keyring", "database",
     "database-committed"],
)  # fmt: skip
def test_a_move_killed_at_any_step_is_finished_by_running_rotate_key_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], step: str
) -> None:
    data = _county(tmp_path)
    _with_members(data, 3).store.close()
    kill_rotate_key_at(data, step)
    # the server does not start half-moved; it says what to run
    code = server_main(["serve", "--data", str(data)])
    assert code == 2 and "rotate-key --data" in capsys.readouterr().err
    # the values open whatever step the process died at (nothing was left unreadable)
    mid = Server(load_data_dir(data))
    assert [mid.sealer.open_content(r.content)["data"]["id_number"]
            for r in mid.store.record_rows()] == [resident_id(i) for i in range(3)]  # fmt: skip
    mid.store.close()
    code, out = _run(capsys, "rotate-key", "--data", str(data))  # no flag: the move resumes
    assert code == 0 and "resuming the move to the gm suite" in out, out
    assert _state(data) == FINISHED
    assert not (data / PENDING).exists()
    # and a second run is an ordinary rotation, not a second move
    code, out = _run(capsys, "rotate-key", "--data", str(data), "--crypto-suite", "gm")
    assert code == 0 and "moved to the gm suite" not in out
    assert _state(data)["server_keys_messages"] == 1
