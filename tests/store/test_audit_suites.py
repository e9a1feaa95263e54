"""The township audit chain per crypto suite (issue 16): SM3 entries on a gm workspace,
SHA-256 ones on intl, an old workspace moved forward (schema step 8) and then to gm keeping its
SHA-256 entries verifiable, and a changed ``hash_alg`` reported."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest

from desktop.store import Workspace, migrations
from sync import crypto_gm
from tests.store import helpers as h
from tests.store.conftest import ADMIN_PW, FAST_KDF, reopen

OLD = Path(__file__).with_name("old_workspace") / "intl_step5"
COLS = "seq, at, actor, action, target, detail, before_hash, after_hash, prev_hash, hash, hash_alg"


def _rows(ws: Workspace) -> list[dict[str, Any]]:
    names = [c.strip() for c in COLS.split(",")]
    cur = ws._connection().execute(f"SELECT {COLS} FROM audit_log ORDER BY seq")
    return [dict(zip(names, r, strict=True)) for r in cur]


def _body(r: dict[str, Any]) -> list[str]:
    fields = ("prev_hash", "at", "actor", "action", "target", "detail", "before_hash", "after_hash")
    return [r[f] or "" for f in fields]


def _independent_hash(r: dict[str, Any]) -> str:
    """The entry's hash recomputed here: SHA-256 for entries without an SM3 mark, else sync's
    SM3 over the fields and the ``sm3`` name."""
    if (r["hash_alg"] or "sha256") == "sha256":
        return hashlib.sha256("\x1f".join(_body(r)).encode()).hexdigest()
    assert r["hash_alg"] == "sm3"
    return crypto_gm.sm3_hex("\x1f".join([*_body(r), "sm3"]).encode())


def _gm(path: Path) -> Workspace:
    ws, _ = Workspace.create(
        path, org_unit_code="330106001", admin_password=ADMIN_PW, kdf=FAST_KDF, crypto_suite="gm"
    )
    return ws


def test_a_gm_workspace_chains_its_audit_entries_with_sm3(tmp_path):
    ws = _gm(tmp_path / "ws")
    try:
        u = ws.records.save("union", h.union()).uuid
        ws.records.save_many("member", [h.member(i, u) for i in range(1, 21)])  # one batch
        ws.records.save("member", h.member(30, u))
        rows = _rows(ws)
        assert len(rows) >= 23 and {r["hash_alg"] for r in rows} == {"sm3"}
        for r in rows:
            assert r["hash"] == _independent_hash(r)
            assert r["hash"] != hashlib.sha256("\x1f".join(_body(r)).encode()).hexdigest()
        assert ws.verify_audit_chain().ok and ws.check().ok
    finally:
        ws.close(backup=False)


def test_an_intl_workspace_keeps_sha256_entries(tmp_path):
    ws, _ = Workspace.create(
        tmp_path / "ws", org_unit_code="330106001", admin_password=ADMIN_PW, kdf=FAST_KDF
    )
    try:
        ws.records.save("union", h.union())
        rows = _rows(ws)
        assert {r["hash_alg"] for r in rows} == {"sha256"}
        assert all(r["hash"] == _independent_hash(r) for r in rows)
    finally:
        ws.close(backup=False)


def _moved_old_workspace(tmp_path: Path) -> tuple[Path, int]:
    """The committed pre-suite workspace, opened (steps 6.. run) and moved to gm; returns the
    folder and the seq of the move entry."""
    folder = tmp_path / "old"
    shutil.copytree(OLD, folder)
    ws = reopen(folder)
    try:
        assert 8 in migrations.applied(ws._connection())
        old = _rows(ws)
        assert old and {r["hash_alg"] for r in old} == {None}  # written before step 8
        assert all(r["hash"] == _independent_hash(r) for r in old)
        assert ws.verify_audit_chain().ok
        u = ws.records.save("union", h.union(5)).uuid  # still intl: SHA-256, named
        assert _rows(ws)[-1]["hash_alg"] == "sha256"
        assert ws.adopt_crypto_suite("gm")
        ws.records.save("member", h.member(40, u))
        rows = _rows(ws)
        move = next(r for r in rows if r["action"] == "workspace.crypto_suite")
        assert move["hash_alg"] == "sm3"  # the move entry is the first SM3 one
        assert [r["hash_alg"] or "sha256" for r in rows] == [
            "sha256" if r["seq"] < move["seq"] else "sm3" for r in rows
        ]
        assert all(r["hash"] == _independent_hash(r) for r in rows)
        assert ws.verify_audit_chain().ok
    finally:
        ws.close(backup=False)
    return folder, int(move["seq"])


def test_an_old_workspace_moved_to_gm_verifies_its_sha256_and_sm3_entries(tmp_path):
    folder, _ = _moved_old_workspace(tmp_path)
    ws = reopen(folder)
    try:
        res = ws.verify_audit_chain()
        assert res.ok and res.entries == len(_rows(ws))
        assert ws.check().ok
    finally:
        ws.close(backup=False)


@pytest.mark.parametrize(
    "where, alg, says",
    [
        ("old", "sm3", "hashed with SM3 before the move to gm"),
        ("new", "sha256", "hashed with SHA-256 after SM3 entries"),
        ("new", "", "hashed with SHA-256 after SM3 entries"),
        ("old", "md5", "unknown hash"),
    ],
)
def test_a_changed_hash_alg_is_reported(tmp_path, where, alg, says):
    folder, move = _moved_old_workspace(tmp_path)
    ws = reopen(folder)
    try:
        seq = 2 if where == "old" else move + 1
        assert seq < move or where == "new"
        ws._connection().execute("UPDATE audit_log SET hash_alg = ? WHERE seq = ?", (alg, seq))
        res = ws.verify_audit_chain()
        assert not res.ok and res.first_broken == seq and says in res.message, res.message
        report = ws.check()
        assert not report.ok and any(says in p for p in report.problems)
    finally:
        ws.close(backup=False)


def test_an_sm3_entry_rehashed_with_sha256_is_reported(tmp_path):
    """Even with a matching SHA-256 hash written in, an entry after the move cannot go back."""
    folder, move = _moved_old_workspace(tmp_path)
    ws = reopen(folder)
    try:
        last = _rows(ws)[-1]
        assert last["seq"] > move
        forged = hashlib.sha256("\x1f".join(_body(last)).encode()).hexdigest()
        ws._connection().execute(
            "UPDATE audit_log SET hash_alg = 'sha256', hash = ? WHERE seq = ?",
            (forged, last["seq"]),
        )
        res = ws.verify_audit_chain()
        assert not res.ok and res.first_broken == last["seq"] and "SHA-256 after SM3" in res.message
    finally:
        ws.close(backup=False)


def test_a_gm_workspace_from_before_step_8_goes_on_with_sm3(tmp_path, monkeypatch):
    monkeypatch.delitem(migrations.STEPS, 8)
    ws = _gm(tmp_path / "ws")
    u = ws.records.save("union", h.union()).uuid
    ws.close(backup=False)
    monkeypatch.undo()
    ws = reopen(tmp_path / "ws")
    try:
        ws.records.save("member", h.member(1, u))
        rows = _rows(ws)
        moved = [r for r in rows if r["action"] == "audit.hash_moved"]
        assert len(moved) == 1 and moved[0]["actor"] == migrations.MIGRATION_ACTOR
        before = [r for r in rows if r["seq"] < moved[0]["seq"]]
        assert before and {r["hash_alg"] for r in before} == {None}
        assert {r["hash_alg"] for r in rows if r["seq"] >= moved[0]["seq"]} == {"sm3"}
        assert all(r["hash"] == _independent_hash(r) for r in rows)
        assert ws.verify_audit_chain().ok and ws.check().ok
    finally:
        ws.close(backup=False)
