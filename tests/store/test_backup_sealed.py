"""Sealed backups of a gm workspace (backup manifest version 2, issue 16): the database member
SM4-GCM-sealed in 1 MiB chunks under HKDF-SM3 of the field key, restored elsewhere with a
password or the recovery key; a chunk altered, moved, dropped or cut, an edited manifest, or a
cut file restores nothing and says what is wrong; version-1 backups restore as before."""

from __future__ import annotations

import filecmp
import io
import json
import os
import tracemalloc
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from desktop.store import Workspace, backup_seal, errors
from desktop.store.backup import MANIFEST
from desktop.store.backup_seal import CHUNK
from desktop.store.workspace import DB_NAME, SLOTS_NAME
from tests.store import helpers as h
from tests.store.conftest import ADMIN_PW, FAST_KDF
from tests.store.test_backup_snapshot import old_style_backup, tables

MEMBERS = 1500  # about 4.6 MB of database: five chunks
RECORD = 12 + CHUNK + 16  # nonce, a whole chunk's ciphertext, tag


@dataclass
class GmBackup:
    folder: Path
    file: Path
    recovery_key: str
    tables: dict[str, list[str]]


@pytest.fixture(scope="module")
def gm_backup(tmp_path_factory: pytest.TempPathFactory) -> GmBackup:
    root = tmp_path_factory.mktemp("gm-backup")
    ws, rk = Workspace.create(
        root / "ws",
        org_unit_code="330106001",
        admin_password=ADMIN_PW,
        kdf=FAST_KDF,
        crypto_suite="gm",
    )
    try:
        u = ws.records.save("union", h.union()).uuid
        ws.records.save_many("member", [h.member(i, u) for i in range(1, MEMBERS + 1)])
        ws.users.add("clerk1", "clerk-pass-1", "clerk")
        snapshot = tables(ws)  # (the backup adds its own audit entry after the copy)
        bak = ws.backup(root / "usb")
    finally:
        ws.close(backup=False)
    return GmBackup(root / "ws", bak, rk, snapshot)


def _members(bak: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(bak) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _write(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _restore(bak: Path, target: Path, **kwargs: str) -> Workspace:
    if not kwargs:
        kwargs = {"user": "admin", "password": ADMIN_PW}
    return Workspace.restore(bak, target, kdf=FAST_KDF, **kwargs)  # type: ignore[arg-type]


def test_a_gm_backup_is_sealed_and_restores_elsewhere(gm_backup, tmp_path):
    members = _members(gm_backup.file)
    assert set(members) == {MANIFEST, DB_NAME, SLOTS_NAME}
    manifest = json.loads(members[MANIFEST])
    assert manifest["version"] == 2 and manifest["crypto_suite"] == "gm"
    assert manifest["database"]["cipher"] == "sm4-gcm" and manifest["database"]["kdf"] == "hkdf-sm3"
    sealed = members[DB_NAME]
    chunks = -(-(len(sealed)) // RECORD)
    assert chunks >= 4 and len(sealed) == sum(
        min(RECORD, len(sealed) - i * RECORD) for i in range(chunks)
    )
    for target, kwargs in [
        (tmp_path / "pc2", {"user": "clerk1", "password": "clerk-pass-1"}),
        (tmp_path / "pc3", {"recovery_key": gm_backup.recovery_key}),
        (tmp_path / "pc4", {}),
    ]:
        w = _restore(gm_backup.file, target, **kwargs)
        try:
            assert w.crypto_suite == "gm" and tables(w) == gm_backup.tables
            assert w.records.count("member", search=h.resident_id(77)) == 1
            assert w.check().ok
        finally:
            w.close(backup=False)
    # the SQLCipher file is not in the backup as it is: no page of it appears in the member
    plain = (gm_backup.folder / DB_NAME).read_bytes()
    assert all(plain[i : i + 4096] not in sealed for i in range(4096, len(plain), 64 * 4096))
    # two backups of the same workspace: other salt, other key, other bytes
    w = Workspace.open(gm_backup.folder, user="admin", password=ADMIN_PW, kdf=FAST_KDF)
    try:
        again = _members(w.backup(tmp_path / "again.udbak"))
    finally:
        w.close(backup=False)
    assert json.loads(again[MANIFEST])["database"]["salt"] != manifest["database"]["salt"]
    assert again[DB_NAME][:4096] != sealed[:4096]


def _part(sealed: bytes, i: int) -> bytes:
    return sealed[i * RECORD : (i + 1) * RECORD]


def _flip(sealed: bytes, at: int) -> bytes:
    out = bytearray(sealed)
    out[at] ^= 0x01
    return bytes(out)


def _swap(sealed: bytes) -> bytes:
    return _part(sealed, 1) + _part(sealed, 0) + sealed[2 * RECORD :]


def _drop_last(sealed: bytes) -> bytes:
    n = -(-len(sealed) // RECORD)
    return sealed[: (n - 1) * RECORD]


def _edit_manifest(m: dict[str, bytes]) -> dict[str, bytes]:
    doc = json.loads(m[MANIFEST])
    doc["created_at"] = "2020-01-01T00:00:00+00:00"
    return {**m, MANIFEST: json.dumps(doc).encode()}


def _other_workspace(m: dict[str, bytes]) -> dict[str, bytes]:
    doc = json.loads(m[MANIFEST])
    doc["workspace_id"] = "00000000-0000-4000-8000-000000000000"
    return {**m, MANIFEST: json.dumps(doc).encode()}


def _db(change: Callable[[bytes], bytes]) -> Callable[[dict[str, bytes]], dict[str, bytes]]:
    return lambda m: {**m, DB_NAME: change(m[DB_NAME])}


TAMPERING: dict[str, tuple[Callable[[dict[str, bytes]], dict[str, bytes]], str]] = {
    "a byte of part 3 flipped": (
        _db(lambda s: _flip(s, 2 * RECORD + 5000)),
        "part 3 of its database does not authenticate",
    ),
    "a nonce flipped": (
        _db(lambda s: _flip(s, RECORD + 3)),
        "part 2 of its database does not authenticate",
    ),
    "parts 1 and 2 swapped": (_db(_swap), "first part does not authenticate"),
    "the last part dropped": (_db(_drop_last), "it is truncated"),
    "cut inside a part": (
        _db(lambda s: s[: 2 * RECORD + 1000]),
        "part 3 of its database does not authenticate",
    ),
    "cut after a nonce": (_db(lambda s: s[: 2 * RECORD + 10]), "cut off in part 3"),
    "data after the final part": (
        _db(lambda s: s + s[:RECORD]),
        "part 5 of its database does not authenticate",
    ),
    "the manifest edited": (_edit_manifest, "first part does not authenticate"),
    "the manifest of another workspace": (_other_workspace, "names another workspace"),
}


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_a_tampered_sealed_backup_restores_nothing_and_says_why(gm_backup, tmp_path, case):
    change, says = TAMPERING[case]
    bad = _write(tmp_path / "bad.udbak", change(_members(gm_backup.file)))
    target = tmp_path / "pc2"
    with pytest.raises(errors.DamagedBackup) as caught:
        _restore(bad, target, recovery_key=gm_backup.recovery_key)
    message = str(caught.value)
    assert "bad.udbak" in message and says in message and "Nothing was restored" in message
    assert not target.exists()
    # into a folder that holds other things: only those stay
    target.mkdir()
    (target / "notes.txt").write_text("keep me", "utf-8")
    with pytest.raises(errors.DamagedBackup):
        _restore(bad, target)
    assert [p.name for p in target.iterdir()] == ["notes.txt"]


def test_a_cut_sealed_backup_file_is_damaged(gm_backup, tmp_path):
    cut = tmp_path / "cut.udbak"
    cut.write_bytes(gm_backup.file.read_bytes()[: gm_backup.file.stat().st_size // 2])
    with pytest.raises(errors.DamagedBackup, match="cut.udbak"):
        _restore(cut, tmp_path / "pc2", recovery_key=gm_backup.recovery_key)
    assert not (tmp_path / "pc2").exists()


def test_a_version_1_backup_of_a_gm_workspace_still_restores(gm_backup, tmp_path):
    w = Workspace.open(gm_backup.folder, user="admin", password=ADMIN_PW, kdf=FAST_KDF)
    try:
        old = old_style_backup(w, tmp_path / "v1.udbak")
        before = tables(w)
    finally:
        w.close(backup=False)
    assert json.loads(_members(old)[MANIFEST])["version"] == 1
    r = _restore(old, tmp_path / "pc2", recovery_key=gm_backup.recovery_key)
    try:
        assert tables(r) == before and r.crypto_suite == "gm" and r.check().ok
    finally:
        r.close(backup=False)


def test_an_intl_backup_stays_version_1(created, tmp_path):
    ws, _ = created
    if ws.crypto_suite != "intl":
        pytest.skip("the workspace of this run is gm")
    ws.records.save("union", h.union())
    members = _members(ws.backup(tmp_path / "b.udbak"))
    assert json.loads(members[MANIFEST])["version"] == 1
    ws._connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert members[DB_NAME][:16] == (ws.path / DB_NAME).read_bytes()[:16]  # the file as it is


def test_sealing_and_opening_keep_memory_flat(tmp_path):
    """The seal holds a few chunks at a time, never the whole database (here 24 MiB)."""
    plain = tmp_path / "db"
    with open(plain, "wb") as fh:
        for i in range(24):
            fh.write(os.urandom(CHUNK // 2) + bytes([i]) * (CHUNK // 2))
    seal = backup_seal.Seal.new()
    key = seal.key(os.urandom(32), "ws-id")
    manifest = b'{"format":"uniondesk-backup","version":2}'
    tracemalloc.start()
    try:
        with open(plain, "rb") as src, open(tmp_path / "sealed", "wb") as out:
            assert backup_seal.seal_stream(key, manifest, seal, src, out) == 24
        _, seal_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        with open(tmp_path / "sealed", "rb") as src, open(tmp_path / "opened", "wb") as out:
            assert backup_seal.open_stream(key, manifest, seal, src, out) == 24
        _, open_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seal_peak < 8 * CHUNK and open_peak < 8 * CHUNK, (seal_peak, open_peak)  # 24 MiB
    assert (tmp_path / "sealed").stat().st_size == seal.sealed_size(24 * CHUNK)
    assert filecmp.cmp(plain, tmp_path / "opened", shallow=False)


def test_an_empty_stream_seals_to_one_final_chunk(tmp_path):
    seal = backup_seal.Seal.new()
    key = seal.key(os.urandom(32), "ws-id")
    sealed, opened = io.BytesIO(), io.BytesIO()
    assert backup_seal.seal_stream(key, b"m", seal, io.BytesIO(b""), sealed) == 1
    sealed.seek(0)
    assert backup_seal.open_stream(key, b"m", seal, sealed, opened) == 1
    assert opened.getvalue() == b""


def test_a_sealed_backup_relabelled_version_1_restores_nothing(gm_backup, tmp_path):
    members = _members(gm_backup.file)
    doc = json.loads(members[MANIFEST])
    doc["version"] = 1
    bad = _write(tmp_path / "v1.udbak", {**members, MANIFEST: json.dumps(doc).encode()})
    with pytest.raises(errors.DamagedBackup, match="v1.udbak"):
        _restore(bad, tmp_path / "pc2", recovery_key=gm_backup.recovery_key)
    assert not (tmp_path / "pc2").exists()
