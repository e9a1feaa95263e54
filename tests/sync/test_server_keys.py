"""The server's field encryption and key hierarchy: published test vectors for the primitives,
tokens bound to their place, the master key from a key file or a passphrase, rotation with
re-encryption, sealed backups, and the clear errors a county IT person meets."""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
from pathlib import Path

import pytest

from sync import crypto
from sync.server.backup import read_backup
from sync.server.cli import main as server_main
from sync.server.config import ServerSetupError, init_data_dir, load_data_dir
from sync.server.domain.reencrypt import keys_in_use
from sync.server.domain.service import Server
from sync.server.keyring import KeySource, default_key_file
from sync.server.sensitive import FieldCipher, SealError, _b64, key_id_of
from tests.rosters.conftest import resident_id

# AES-256-GCM: McGrew & Viega, "The Galois/Counter Mode of Operation", test case 15
GCM_KEY = bytes.fromhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
GCM_IV = bytes.fromhex("cafebabefacedbaddecaf888")
GCM_PLAIN = bytes.fromhex(
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255"
)
GCM_CIPHER = bytes.fromhex(
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
    "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad"
)
GCM_TAG = bytes.fromhex("b094dac5d93471bdec1a502270e3cc6c")


def test_sealed_documents_are_aes_256_gcm_as_published() -> None:
    cipher = FieldCipher({"k1": GCM_KEY}, "k1", bytes(32))
    framed = "UDENC1.k1." + _b64(GCM_IV + GCM_CIPHER + GCM_TAG)
    assert cipher.open_doc(framed, "") == GCM_PLAIN  # the spec's vector opens as the spec says
    tampered = "UDENC1.k1." + _b64(GCM_IV + GCM_CIPHER + bytes(16))
    with pytest.raises(SealError):
        cipher.open_doc(tampered, "")


def test_blind_index_is_hmac_sha256_as_published() -> None:
    # RFC 4231 test case 2 for the primitive; then the index is exactly HMAC(key, field 0 value)
    mac = hmac.new(b"Jefe", b"what do ya want for nothing?", hashlib.sha256).hexdigest()
    assert mac == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    key = bytes(range(32))
    cipher = FieldCipher({"k1": bytes(32)}, "k1", key)
    want = hmac.new(key, b"id_number\x00330106198701100017", hashlib.sha256).hexdigest()[:32]
    assert cipher.blind_index("id_number", "330106198701100017") == want
    assert cipher.blind_index("mobile", "330106198701100017") != want  # per field
    other = FieldCipher({"k1": bytes(32)}, "k1", bytes(32))
    assert other.blind_index("id_number", "330106198701100017") != want  # per server key


def test_a_token_opens_only_where_it_was_sealed() -> None:
    cipher = FieldCipher({"k1": bytes(range(32))}, "k1", bytes(32))
    token = cipher.seal_value("330106198701100017", "record|u1|1|id_number")
    assert key_id_of(token) == "k1" and "330106" not in json.dumps(token)
    assert cipher.open_value(token, "record|u1|1|id_number") == "330106198701100017"
    for elsewhere in ("record|u2|1|id_number", "record|u1|2|id_number", "record|u1|1|mobile"):
        with pytest.raises(SealError):
            cipher.open_value(token, elsewhere)
    assert cipher.open_value(cipher.seal_value(12, "x"), "x") == 12  # types come back


def _county(tmp_path: Path, **kw: object) -> Path:
    """A county of the intl suite unless ``crypto_suite`` says otherwise (these tests check
    intl specifics: AES-256-GCM wrapping, PKCS#8 key files, the move from intl to gm)."""
    kw.setdefault("crypto_suite", "intl")
    data = tmp_path / "county"
    init_data_dir(data, level="county", name="西湖区总工会", org_unit_code="330106", **kw)  # type: ignore[arg-type]
    return data


def test_key_file_lives_beside_the_data_directory_never_inside(tmp_path: Path) -> None:
    data = _county(tmp_path)
    assert default_key_file(data) == tmp_path / "county.master.key"
    assert default_key_file(data).stat().st_size == 32
    keyring = json.loads((data / "keys" / "keyring.json").read_text(encoding="utf-8"))
    assert keyring["master"] == {"kind": "key-file", "wrap": "aes-256-gcm"}
    assert b"ENCRYPTED" in (data / "keys" / "signing.key").read_bytes()
    assert b"ENCRYPTED" in (data / "tls" / "ca.key").read_bytes()
    with pytest.raises(ServerSetupError, match="must not be inside the data directory"):
        init_data_dir(
            tmp_path / "other",
            level="county",
            name="x",
            org_unit_code="330107",
            source=KeySource(key_file=tmp_path / "other" / "keys" / "master.key"),
        )


def test_passphrase_master_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "pass.txt"
    secret.write_text("correct horse battery staple\n", encoding="utf-8")
    data = tmp_path / "prov"
    argv = ["init", "--level", "province", "--name", "浙江省总工会", "--data", str(data)]
    assert server_main([*argv, "--passphrase-file", str(secret)]) == 0
    assert "passphrase (Argon2id)" in capsys.readouterr().out
    assert not default_key_file(data).exists()
    ring = json.loads((data / "keys" / "keyring.json").read_text(encoding="utf-8"))
    assert ring["master"]["kdf"] == "argon2id" and ring["master"]["memory_kib"] == 65536
    assert server_main(["status", "--data", str(data)]) == 2  # no passphrase given
    assert "locked by a passphrase" in capsys.readouterr().err
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("incorrect horse battery staple", encoding="utf-8")
    assert server_main(["devices", "--data", str(data), "--passphrase-file", str(wrong)]) == 2
    assert "wrong passphrase or key file" in capsys.readouterr().err
    assert server_main(["devices", "--data", str(data), "--passphrase-file", str(secret)]) == 0


def _with_members(data: Path, n: int) -> Server:
    """A county with ``n`` member records stored through the real ingest path's sealer."""
    from sync.server.domain.record_rows import RecordRow, insert_records

    server = Server(load_data_dir(data))
    server.store.add_org_unit("330106001", "留下街道", "330106", "township")
    with server.store.write() as conn:
        from sync.server.tables import batches, devices

        conn.execute(devices.insert().values(device_id="d1", public_key=b"k", org_unit="330106001",
                                             role="township", label="", enrolled_at="t", last_seq=1))  # fmt: skip
        conn.execute(batches.insert().values(batch_id="b1", device_id="d1", device_seq=1,
                     envelope_sha256="0" * 64, envelope=b"{}", receipt=b"", record_count=n,
                     received_count=n, rejected_count=0, received_at="t"))  # fmt: skip
        rows = [
            RecordRow(
                {
                    "uuid": f"u{i}",
                    "version": 1,
                    "form_id": "member",
                    "form_version": 1,
                    "org_unit": "330106001",
                    "data": {
                        "name": f"会员{i}",
                        "id_number": resident_id(i),
                        "mobile": f"1390000{i:04d}",
                    },
                },
                "d1",
                "b1",
                "0" * 64,
            )  # fmt: skip
            for i in range(n)
        ]
        insert_records(conn, server.sealer, rows, "t")
    return server


def test_rotate_key_and_reencrypt_keep_every_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _county(tmp_path)
    server = _with_members(data, 30)
    before = [server.sealer.open_content(r.content) for r in server.store.record_rows()]
    server.store.close()
    new_key = tmp_path / "elsewhere" / "new.master.key"
    assert (
        server_main(["rotate-key", "--data", str(data), "--new-master-key-file", str(new_key)]) == 0
    )
    assert "new data key k2" in capsys.readouterr().out
    # the old master key no longer opens the keyring; the new one does, old values still open
    assert server_main(["devices", "--data", str(data)]) == 2
    assert "does not open" in capsys.readouterr().err
    source = KeySource(key_file=new_key)
    server = Server(load_data_dir(data, source=source))
    assert keys_in_use(server.store) == {"k1"}
    assert [server.sealer.open_content(r.content) for r in server.store.record_rows()] == before
    server.store.close()
    argv = ["reencrypt", "--data", str(data), "--master-key-file", str(new_key)]
    assert server_main(argv) == 0
    out = capsys.readouterr().out
    assert "re-sealed 30 value(s) with data key k2" in out and "--drop-unused' removes" in out
    assert server_main([*argv, "--drop-unused"]) == 0
    assert (
        "re-sealed 0 value(s) with data key k2; dropped unused key(s) k1" in capsys.readouterr().out
    )
    server = Server(load_data_dir(data, source=source))
    assert keys_in_use(server.store) == {"k2"} and server.data.cipher.key_ids == ("k2",)
    assert [server.sealer.open_content(r.content) for r in server.store.record_rows()] == before
    assert server_main(argv) == 0 and "re-sealed 0 value(s)" in capsys.readouterr().out
    server.store.close()


@pytest.mark.parametrize("suite", ["intl", "gm"])
def test_sealed_backup_restores_and_refuses_tampering(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suite: str
) -> None:
    """Chunks AES-256-GCM on intl, SM4-GCM on gm (the header names the cipher)."""
    data = _county(tmp_path, crypto_suite=suite)
    server = _with_members(data, 5)
    ids = [resident_id(i) for i in range(5)]
    server.store.close()
    backup = tmp_path / "county.udbackup"
    assert server_main(["backup", "--data", str(data), "-o", str(backup)]) == 0
    blob = backup.read_bytes()
    assert not any(v.encode() in blob for v in ids) and b"SQLite format" not in blob
    # the database is lost; the backup brings it back
    (data / "server.db").unlink()
    assert server_main(["restore", "--data", str(data), str(backup)]) == 0
    server = Server(load_data_dir(data))
    assert len(server.store.record_rows()) == 5
    server.store.close()
    # a flipped byte, a cut-off file, a backup of another server: each named, nothing replaced
    db_before = (data / "server.db").read_bytes()
    flipped = tmp_path / "flipped.udbackup"
    flipped.write_bytes(blob[:-40] + bytes([blob[-40] ^ 1]) + blob[-39:])
    cut = tmp_path / "cut.udbackup"
    cut.write_bytes(blob[: len(blob) // 2])
    other = _county(tmp_path / "o", crypto_suite=suite)
    Server(load_data_dir(other)).store.close()  # its database
    foreign = tmp_path / "foreign.udbackup"
    assert server_main(["backup", "--data", str(other), "-o", str(foreign)]) == 0
    capsys.readouterr()
    for bad, words in ((flipped, "damaged or cut off"), (cut, "cut off"),
                       (foreign, "a backup of another server")):  # fmt: skip
        assert server_main(["restore", "--data", str(data), str(bad)]) == 2
        assert words in capsys.readouterr().err
    assert (data / "server.db").read_bytes() == db_before
    # without the master key the backup does not open
    with pytest.raises(ServerSetupError):
        read_backup(
            load_data_dir(data, source=KeySource(key_file=other.parent / "county.master.key")),
            backup,
        )
    header, snapshot = read_backup(load_data_dir(data), backup)
    assert header["cipher"] == {"intl": "aes-256-gcm", "gm": "sm4-gcm"}[suite]
    copy = sqlite3.connect(":memory:")
    copy.deserialize(snapshot)
    assert copy.execute("SELECT count(*) FROM records").fetchone() == (5,)
    copy.close()


def test_backup_with_keys_brings_the_server_back_on_a_new_machine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _county(tmp_path)
    server = _with_members(data, 4)
    before = [server.sealer.open_content(r.content) for r in server.store.record_rows()]
    server.store.close()
    secret = tmp_path / "backup-pass.txt"
    secret.write_text("a long backup passphrase\n", encoding="utf-8")
    backup = tmp_path / "full.udbackup"
    argv = ["backup", "--data", str(data), "-o", str(backup), "--with-keys"]
    assert server_main(argv) == 2 and "--backup-passphrase-file" in capsys.readouterr().err
    assert server_main([*argv, "--backup-passphrase-file", str(secret)]) == 0
    blob = backup.read_bytes()
    assert b"PRIVATE KEY" not in blob and not any(resident_id(i).encode() in blob for i in range(4))
    # a new machine: no data directory, no master key file; the backup and its passphrase only
    new = tmp_path / "new-machine" / "county"
    restore = ["restore", "--data", str(new), str(backup)]
    assert server_main(restore) == 2 and "--backup-passphrase-file" in capsys.readouterr().err
    assert server_main([*restore, "--backup-passphrase-file", str(secret)]) == 0
    opened = Server(load_data_dir(new, source=KeySource(passphrase_file=secret)))
    assert [opened.sealer.open_content(r.content) for r in opened.store.record_rows()] == before
    assert opened.config.server_id == load_data_dir(data).config.server_id
    opened.store.close()
    # a backup without its keys cannot make a new server
    plain = tmp_path / "db-only.udbackup"
    assert server_main(["backup", "--data", str(data), "-o", str(plain)]) == 0
    other = tmp_path / "elsewhere" / "county"
    assert server_main(["restore", "--data", str(other), str(plain)]) == 2
    assert "holds the database only" in capsys.readouterr().err


def test_a_running_server_follows_rotate_key_without_a_restart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import time

    from sync.server.sensitive import key_id_of

    data = _county(tmp_path)
    running = _with_members(data, 3)  # keeps running through the rotation
    assert server_main(["rotate-key", "--data", str(data), "--reencrypt"]) == 0
    capsys.readouterr()
    time.sleep(1.1)  # the watcher looks at keyring.json at most once a second
    rows = running.store.record_rows()
    assert all(running.sealer.open_content(r.content)["data"]["name"] for r in rows)
    sealed = running.sealer.seal_doc("inbox", "m1", b"{}")
    assert key_id_of(sealed) == "k2"  # new values use the new key
    running.store.close()


def test_gm_field_encryption_is_sm4_gcm_and_hmac_sm3_as_published() -> None:
    from sync import crypto_gm
    from sync.server.sensitive import Sm4Gcm
    from tests.sync.test_crypto_gm import (
        RFC8998_AAD,
        RFC8998_KEY,
        RFC8998_NONCE,
        RFC8998_PLAIN,
        RFC8998_SEALED,
    )

    # RFC 8998 A.1 (SM4-GCM) through the adapter FieldCipher uses on the gm suite
    key, nonce, aad = RFC8998_KEY, RFC8998_NONCE, RFC8998_AAD
    assert Sm4Gcm(key).encrypt(nonce, RFC8998_PLAIN, aad) == RFC8998_SEALED
    assert Sm4Gcm(key).decrypt(nonce, RFC8998_SEALED, aad) == RFC8998_PLAIN
    cipher = FieldCipher({"k1": key}, "k1", bytes(range(32)), suite="gm")
    token = cipher.seal_value("330106198701100017", "record|u1|1|id_number")
    assert cipher.open_value(token, "record|u1|1|id_number") == "330106198701100017"
    with pytest.raises(SealError):
        cipher.open_value(token, "record|u2|1|id_number")
    msg = b"id_number\x00330106198701100017"
    assert (
        cipher.blind_index("id_number", "330106198701100017")
        == (crypto_gm.hmac_sm3(bytes(range(32)), msg).hex()[:32])
    )
    with pytest.raises(ValueError):  # an AES-sized key is not an SM4 key
        FieldCipher({"k1": bytes(32)}, "k1", bytes(32), suite="gm")


def test_an_intl_county_moves_to_gm_and_keeps_every_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _county(tmp_path)
    server = _with_members(data, 10)
    before = [server.sealer.open_content(r.content) for r in server.store.record_rows()]
    old_signing = server.signing_public
    server.store.close()
    argv = [
        "rotate-key",
        "--data",
        str(data),
        "--crypto-suite",
        "gm",
        "--reencrypt",
        "--drop-unused",
    ]
    assert server_main(argv) == 0
    out = capsys.readouterr().out
    # its signing keys move to SM2 too, and its township device is sent the new keys in a
    # (sealed) inbox message; the move itself seals the 10 records' values again with SM4 and
    # rebuilds their blind index with HMAC-SM3, so --reencrypt has nothing left to do
    assert "signing and sealing keys moved to the gm suite" in out
    assert "10 record(s) and 0 document(s) sealed again with data key k2" in out
    assert "1 device(s) get the new keys" in out
    assert "re-sealed 0 value(s) with data key k2; dropped unused key(s) k1" in out
    ring = json.loads((data / "keys" / "keyring.json").read_text(encoding="utf-8"))
    assert ring["suite"] == "gm" and ring["key_suites"] == {} and list(ring["data_keys"]) == ["k2"]
    loaded = load_data_dir(data)
    assert loaded.config.crypto_suite == "gm"
    server = Server(loaded)
    assert [server.sealer.open_content(r.content) for r in server.store.record_rows()] == before
    assert keys_in_use(server.store) == {"k2"}
    server.store.close()
    # signatures: SM2 now, the Ed25519 key kept (retired) to verify what it signed, also in a
    # backup that carries the keys to a new machine
    assert loaded.signing_suite == "gm"
    assert [crypto.public_bytes(k) for k in loaded.retired_signing] == [old_signing]
    secret = tmp_path / "backup-pass.txt"
    secret.write_text("a long backup passphrase\n", encoding="utf-8")
    backup = tmp_path / "full.udbackup"
    assert server_main(["backup", "--data", str(data), "-o", str(backup), "--with-keys",
                        "--backup-passphrase-file", str(secret)]) == 0  # fmt: skip
    new = tmp_path / "new-machine" / "county"
    assert server_main(["restore", "--data", str(new), str(backup),
                        "--backup-passphrase-file", str(secret)]) == 0  # fmt: skip
    restored = load_data_dir(new, source=KeySource(passphrase_file=secret))
    header, _db = read_backup(None, backup, "a long backup passphrase")
    assert header["cipher"] == "sm4-gcm" and header["master"]["wrap"] == "sm4-gcm"
    assert [crypto.public_bytes(k) for k in restored.retired_signing] == [old_signing]
    assert restored.signing_suite == "gm"


def test_a_new_gm_server_wraps_its_keyring_with_sm4(tmp_path: Path) -> None:
    data = tmp_path / "county"
    init_data_dir(data, level="county", name="西湖区总工会", org_unit_code="330106",
                  crypto_suite="gm")  # fmt: skip
    ring = json.loads((data / "keys" / "keyring.json").read_text(encoding="utf-8"))
    assert ring["suite"] == "gm" and ring["master"] == {"kind": "key-file", "wrap": "sm4-gcm"}
    loaded = load_data_dir(data)
    assert loaded.cipher.suite == "gm" and len(loaded.keys.data_keys["k1"]) == 16
    with pytest.raises(ServerSetupError, match="--crypto-suite"):
        init_data_dir(tmp_path / "x", level="county", name="x", org_unit_code="1",
                      crypto_suite="rot13")  # fmt: skip
