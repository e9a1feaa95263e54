"""Acceptance: after a scripted session no ID number or phone appears in plaintext on disk."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.store import helpers as h
from tests.store.session_script import N

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def _needles() -> list[bytes]:
    out = []
    for i in range(N + 2):
        for s in (h.resident_id(i), h.mobile(i)):
            out.append(s.encode("ascii"))
            out.append(s.encode("utf-16-le"))
    out.append(h.mobile(999).encode())
    out.append(b"12999999999")
    # tails that masking keeps would be fine; the middle digits must never appear
    out.append(h.resident_id(5)[3:14].encode())
    return out


def test_no_id_number_or_phone_in_any_file(tmp_path):
    ws_dir, snap, temp = tmp_path / "ws", tmp_path / "snap", tmp_path / "tmp"
    log_file, backup_file = tmp_path / "session.log", tmp_path / "manual.udbak"
    temp.mkdir()
    env = dict(os.environ, TMPDIR=str(temp), TEMP=str(temp), TMP=str(temp), SQLITE_TMPDIR=str(temp))
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.store.session_script",
            str(ws_dir),
            str(snap),
            str(log_file),
            str(backup_file),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr.decode()
    files = [p for root in (ws_dir, snap, temp) for p in root.rglob("*") if p.is_file()]
    files += [log_file, backup_file]
    names = {p.name for p in files}
    assert {"workspace.db", "keyslots.json", "session.log", "manual.udbak"} <= names
    assert "workspace.db-wal" in names  # the open state was captured
    assert any(p.suffix == ".udbak" and p.parent.name == "backups" for p in files)
    assert b"save refused: Validation failed for 'member': mobile" in log_file.read_bytes()
    needles = _needles()
    for p in files:
        data = p.read_bytes()
        for needle in needles:
            assert needle not in data, f"plaintext personal data in {p.relative_to(tmp_path)}"
    # and the output streams of the process
    for needle in needles:
        assert needle not in r.stdout and needle not in r.stderr
