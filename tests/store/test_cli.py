"""The headless ``uniondesk`` workspace and records commands, run as a user would (subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.store import helpers as h

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


def ud(
    *args: str,
    password: str | None = "Chief-pass-1",
    stdin: str | None = None,
    env: dict | None = None,
):
    e = {k: v for k, v in os.environ.items() if not k.startswith("UNIONDESK_")}
    if password is not None:
        e["UNIONDESK_PASSWORD"] = password
    e.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "desktop.cli", *args],
        cwd=REPO,
        env=e,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_init_users_records_backup_restore_check_rotate(tmp_path):
    ws = str(tmp_path / "ws")
    r = ud(
        "init",
        "--workspace",
        ws,
        "--org-unit",
        "330106001",
        "--org-name",
        "西溪街道总工会",
        "--admin",
        "boss",
    )
    assert r.returncode == 0, r.stderr
    rk = r.stdout.split("RECOVERY KEY")[1].split("\n")[1].strip()
    assert len(rk.split("-")) == 8
    common = ["--workspace", ws, "--user", "boss"]
    r = ud(
        "user",
        "add",
        "clerk1",
        "--role",
        "clerk",
        *common,
        "--password-stdin",
        password=None,
        stdin="Chief-pass-1\nclerk-pass-1\n",
    )
    assert r.returncode == 0, r.stderr
    r = ud(
        "user",
        "add",
        "x",
        *common,
        password="wrong-password",
        env={"UNIONDESK_NEW_PASSWORD": "whatever1"},
    )
    assert r.returncode == 1 and "Wrong password" in r.stderr
    # records: a union, then members (one file all good, one file with a bad record)
    (tmp_path / "u.json").write_text(json.dumps(h.union()), "utf-8")
    r = ud("records", "add", "union", str(tmp_path / "u.json"), *common)
    assert r.returncode == 0, r.stderr
    union_uuid = r.stdout.strip()
    good = [h.member(i, union_uuid) for i in range(3)]
    (tmp_path / "m.json").write_text(json.dumps(good, ensure_ascii=False), "utf-8")
    bad = [h.member(10, union_uuid), h.member(11, union_uuid, mobile="12")]
    (tmp_path / "bad.json").write_text(json.dumps(bad, ensure_ascii=False), "utf-8")
    r = ud(
        "records",
        "add",
        "member",
        str(tmp_path / "bad.json"),
        "--workspace",
        ws,
        "--user",
        "clerk1",
        password="clerk-pass-1",
    )
    assert r.returncode == 2 and "record 2: mobile:" in r.stderr and "nothing was saved" in r.stderr
    assert "12" not in r.stderr.replace("record 2", "")
    r = ud(
        "records",
        "add",
        "member",
        str(tmp_path / "m.json"),
        "--workspace",
        ws,
        "--user",
        "clerk1",
        password="clerk-pass-1",
    )
    assert r.returncode == 0 and len(r.stdout.split()) == 3, r.stderr
    r = ud("records", "list", "member", "--search", h.name(1)[:2], *common)
    assert r.returncode == 0 and h.name(1) in r.stdout
    assert h.resident_id(1) not in r.stdout and "*" in r.stdout
    r = ud(
        "records",
        "list",
        "member",
        "--json",
        "--unmask",
        "--search",
        h.resident_id(2)[:14],
        *common,
    )
    rows = json.loads(r.stdout)
    assert [x["data"]["id_number"] for x in rows] == [h.resident_id(2)]
    r = ud("records", "list", "member", "--filter", f"union={union_uuid}", "--json", *common)
    assert len(json.loads(r.stdout)) == 3
    r = ud(
        "user",
        "add",
        "aud",
        "--role",
        "auditor",
        *common,
        env={"UNIONDESK_NEW_PASSWORD": "Ledger-pass-1"},
    )
    r = ud(
        "records",
        "list",
        "member",
        "--unmask",
        "--workspace",
        ws,
        "--user",
        "aud",
        password="Ledger-pass-1",
    )
    assert r.returncode == 1 and "may not" in r.stderr
    # backup, restore elsewhere with the recovery key, check, rotate, remove user
    r = ud("backup", "--output", str(tmp_path / "b.udbak"), *common)
    assert r.returncode == 0, r.stderr
    r = ud(
        "restore",
        str(tmp_path / "b.udbak"),
        "--workspace",
        str(tmp_path / "pc2"),
        "--recovery-key",
        password=None,
        env={"UNIONDESK_RECOVERY_KEY": rk.lower()},
    )
    assert r.returncode == 0 and "checks clean" in r.stdout, r.stderr
    r = ud("rotate-key", *common)
    assert r.returncode == 0, r.stderr
    r = ud("user", "remove", "clerk1", *common)
    assert r.returncode == 0
    r = ud("check", "--workspace", ws, "--user", "clerk1", password="clerk-pass-1")
    assert r.returncode == 1 and "No user" in r.stderr
    r = ud("check", *common)
    assert r.returncode == 0 and "Audit chain intact" in r.stdout, r.stdout + r.stderr
    r = ud("user", "passwd", *common, env={"UNIONDESK_NEW_PASSWORD": "New-chief-pass-2"})
    assert r.returncode == 0
    r = ud("user", "list", *common, password="New-chief-pass-2")
    assert r.stdout.split() == ["aud", "auditor", "boss", "admin"]
    # a flipped byte: check reports damage with exit code 3, no traceback
    db = tmp_path / "ws" / "workspace.db"
    data = bytearray(db.read_bytes())
    data[len(data) // 2] ^= 1
    db.write_bytes(bytes(data))
    r = ud("check", *common, password="New-chief-pass-2")
    assert r.returncode == 3 and "Traceback" not in r.stderr and "altered" in r.stderr


def test_init_crypto_suite_and_moving_to_gm(tmp_path):
    gm, intl = str(tmp_path / "gm"), str(tmp_path / "intl")
    r = ud("init", "--workspace", gm, "--org-unit", "330106001", "--crypto-suite", "gm")
    assert r.returncode == 0 and "crypto suite: gm" in r.stdout, r.stderr
    r = ud("crypto-suite", "--workspace", gm, "--user", "admin")
    assert r.returncode == 0 and "crypto suite: gm" in r.stdout and "2 of 2" in r.stdout
    r = ud("init", "--workspace", intl, "--org-unit", "330106001")
    assert r.returncode == 0 and "crypto suite: intl" in r.stdout
    common = ["--workspace", intl, "--user", "admin"]
    r = ud("user", "add", "clerk1", *common, env={"UNIONDESK_NEW_PASSWORD": "clerk-pass-1"})
    assert r.returncode == 0, r.stderr
    r = ud(
        "crypto-suite",
        "--set",
        "gm",
        "--workspace",
        intl,
        "--user",
        "clerk1",
        password="clerk-pass-1",
    )
    assert r.returncode == 1 and "may not" in r.stderr
    r = ud("crypto-suite", "--workspace", intl, "--user", "admin")
    assert "crypto suite: intl" in r.stdout
    r = ud("crypto-suite", "--set", "gm", *common)
    assert r.returncode == 0, r.stderr
    assert "moved to gm" in r.stdout and "crypto suite: gm" in r.stdout
    assert "user clerk1: still intl" in r.stdout
    r = ud("crypto-suite", "--set", "gm", *common)
    assert "already gm" in r.stdout and "user admin" not in r.stdout  # moved at sign-in
    r = ud("check", *common)
    assert r.returncode == 0, r.stdout + r.stderr
