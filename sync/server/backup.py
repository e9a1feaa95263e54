"""Sealed backups of a server's SQLite database (``backup``, ``restore``, and ``upgrade``'s copy).

A backup file is ``UDBACKUP1\\n``, one line of JSON (server id, level, time, and a random file
key wrapped by the server's master key), then the sealed content in chunks of at most 1 MiB,
each ``length (4 bytes) ‖ nonce ‖ AEAD ciphertext`` with ``backup|ID|INDEX|LAST`` as
associated data, so a chunk moved, dropped or cut off fails to open. The snapshot is taken
online with SQLite's serialisation (no plaintext copy is written to disk). The master key never
goes into the file: a backup is restored with the same master key (key file or passphrase).

The AEAD is the server's suite's: AES-256-GCM (``intl``) or SM4-GCM under a 16-byte file key
(``gm``, 国密); the header names it (``"cipher"``; none: AES-256-GCM, every earlier backup).

``--with-keys`` and a passphrase: the file key is wrapped by that passphrase (Argon2id) instead,
and the sealed content also holds the configuration and key files, the keyring re-wrapped by
the passphrase: the backup alone, with its passphrase, brings the server back on a new machine.

PostgreSQL databases are backed up with ``pg_dump``; that is safe, since the values a dump
holds are already sealed (README "Personal data at rest").
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import sqlite3
import struct
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sync.server import keyring
from sync.server.config import DataDir
from sync.server.errors import ServerSetupError
from sync.server.permissions import make_private
from sync.server.sensitive import Aead, Sm4Gcm

# the chunk cipher per suite: (name in the header, file-key length, AEAD of a key)
CIPHERS: dict[str, tuple[int, Any]] = {"aes-256-gcm": (32, AESGCM), "sm4-gcm": (16, Sm4Gcm)}


def cipher_of(suite: str) -> str:
    return "sm4-gcm" if suite == "gm" else "aes-256-gcm"


def _aead(cipher: str, key: bytes) -> Aead:
    if cipher not in CIPHERS or len(key) != CIPHERS[cipher][0]:
        raise ServerSetupError(f"the backup names an unknown cipher {cipher!r}")
    aead: Aead = CIPHERS[cipher][1](key)
    return aead


MAGIC = b"UDBACKUP1\n"
CHUNK = 1 << 20
KEY_FILES = (
    "config.json",
    "relay.json",
    "keys/signing.key",
    "keys/hpke.key",
    "keys/nonce.key",
    "tls/ca.pem",
    "tls/ca.key",
    "tls/server.pem",
    "tls/server.key",
)


def sqlite_path(data: DataDir) -> Path:
    url = data.db_url
    if not url.startswith("sqlite:///"):
        raise ServerSetupError(
            "this server's database is PostgreSQL: back it up with pg_dump (its personal values "
            "are sealed, so a dump holds none in plaintext); see sync/server/README.md"
        )
    return Path(url.removeprefix("sqlite:///"))


def _private(path: Path) -> BinaryIO:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "wb")


def _snapshot(data: DataDir) -> bytes:
    source = sqlite_path(data)
    if not source.is_file():
        raise ServerSetupError(f"there is no database to back up at {source}")
    with sqlite3.connect(source) as conn:
        image = bytearray(conn.serialize())
    conn.close()
    # a WAL database's image says so (file format bytes 18-19 = 2); as a standalone file it is
    # a rollback-journal one (1), and the server turns WAL on again when it opens it
    image[18:20] = b"\x01\x01"
    return bytes(image)


def _key_files(data: DataDir, provider: keyring.KeyProvider) -> bytes:
    """The configuration and key files, the keyring re-wrapped by ``provider``, as JSON."""
    retired = sorted(  # keys kept after a move to another crypto suite (domain/rekey.py)
        p.relative_to(data.path).as_posix() for p in (data.path / "keys" / "retired").glob("*.key")
    )
    files = {
        name: base64.b64encode((data.path / name).read_bytes()).decode("ascii")
        for name in (*KEY_FILES, *retired)
        if (data.path / name).is_file()
    }
    ring = json.dumps(data.keys.document(provider), indent=2) + "\n"
    files[keyring.KEYRING.as_posix()] = base64.b64encode(ring.encode("utf-8")).decode("ascii")
    return json.dumps(files).encode("utf-8")


def write_backup(
    data: DataDir, target: Path, with_keys_passphrase: str | None = None
) -> dict[str, Any]:
    """Seal an online snapshot of the SQLite database into ``target`` (a new, private file);
    with ``with_keys_passphrase`` the configuration and keys too (see the module doc)."""
    snapshot = _snapshot(data)
    backup_id = str(uuid.uuid4())
    cipher = cipher_of(data.keys.suite)
    key = secrets.token_bytes(CIPHERS[cipher][0])
    provider: keyring.KeyProvider = data.keys.provider
    if with_keys_passphrase is not None:
        provider = keyring.PassphraseProvider.create(
            with_keys_passphrase, keyring.wrap_of(data.keys.suite)
        )
    header: dict[str, Any] = {
        "format": 1,
        "backup_id": backup_id,
        "server_id": data.config.server_id,
        "level": data.config.level,
        "name": data.config.name,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "bytes": len(snapshot),
        "cipher": cipher,
        "with_keys": with_keys_passphrase is not None,
        "master": provider.describe(),
        "file_key": provider.wrap(f"backup:{backup_id}", key),
    }
    sections = [snapshot]
    if with_keys_passphrase is not None:
        sections.append(_key_files(data, provider))
    chunks = [s[i : i + CHUNK] for s in sections for i in range(0, max(len(s), 1), CHUNK)]
    aead = _aead(cipher, key)
    tmp = target.with_name(target.name + ".part")
    with _private(tmp) as fh:
        fh.write(MAGIC + json.dumps(header).encode("utf-8") + b"\n")
        for i, part in enumerate(chunks):
            nonce = os.urandom(12)
            aad = f"backup|{backup_id}|{i}|{int(i == len(chunks) - 1)}".encode()
            sealed = aead.encrypt(nonce, part, aad)
            fh.write(struct.pack(">I", len(sealed)) + nonce + sealed)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    return header


def _chunks(fh: BinaryIO) -> Iterator[tuple[bytes, bytes]]:
    while True:
        size = fh.read(4)
        if not size:
            return
        if len(size) < 4:
            raise ValueError("cut off")
        (n,) = struct.unpack(">I", size)
        nonce, ct = fh.read(12), fh.read(n)
        if len(nonce) < 12 or len(ct) < n:
            raise ValueError("cut off")
        yield nonce, ct


def _provider(header: dict[str, Any], data: DataDir | None, passphrase: str | None) -> Any:
    master = dict(header.get("master") or {})
    if header.get("with_keys"):
        if passphrase is None:
            raise ServerSetupError(
                "this backup carries its keys and opens with the passphrase given when it was "
                "made: add --backup-passphrase-file FILE"
            )
        params = {k: v for k, v in master.items() if k not in ("kind", "kdf")}
        return keyring.PassphraseProvider(passphrase, params)
    if data is None:
        raise ServerSetupError(
            "this backup holds the database only: restore it into the server's own data "
            "directory (it opens with that server's master key)"
        )
    return data.keys.provider


def _read(
    data: DataDir | None, source: Path, passphrase: str | None
) -> tuple[dict[str, Any], list[bytes]]:
    try:
        fh = source.open("rb")
    except OSError as exc:
        raise ServerSetupError(f"cannot read the backup {source} ({exc.strerror})") from exc
    with fh:
        if fh.read(len(MAGIC)) != MAGIC:
            raise ServerSetupError(f"{source} is not a UnionDesk server backup")
        try:
            header = json.loads(fh.readline())
        except ValueError as exc:
            raise ServerSetupError(f"{source}: the backup header is damaged") from exc
        if data is not None and header.get("server_id") != data.config.server_id:
            raise ServerSetupError(
                f"{source} is a backup of another server ({header.get('name')!r}, "
                f"{header.get('server_id')}), not of {data.config.name!r}"
            )
        provider = _provider(header, data, passphrase)
        key = provider.unwrap(f"backup:{header['backup_id']}", header["file_key"])
        aead = _aead(str(header.get("cipher", "aes-256-gcm")), key)
        parts: list[bytes] = []
        last = False
        try:
            chunks = list(_chunks(fh))
            for i, (nonce, ct) in enumerate(chunks):
                last = i == len(chunks) - 1
                aad = f"backup|{header['backup_id']}|{i}|{int(last)}".encode()
                parts.append(aead.decrypt(nonce, ct, aad))
        except (InvalidTag, ValueError) as exc:
            raise ServerSetupError(
                f"{source} is damaged or cut off (chunk {len(parts) + 1} does not open)"
            ) from exc
        if not last:
            raise ServerSetupError(f"{source} is cut off (no last chunk)")
    blob = b"".join(parts)
    size = int(header["bytes"])
    sections = [blob[:size]] + ([blob[size:]] if header.get("with_keys") else [])
    return header, sections


def read_backup(
    data: DataDir | None, source: Path, passphrase: str | None = None
) -> tuple[dict[str, Any], bytes]:
    """The header and the database of a sealed backup (of ``data``'s server, when given)."""
    header, sections = _read(data, source, passphrase)
    return header, sections[0]


def _write_database(target: Path, snapshot: bytes, source: Path) -> None:
    tmp = target.with_name(target.name + ".restoring")
    tmp.unlink(missing_ok=True)
    with _private(tmp) as fh:
        fh.write(snapshot)
        fh.flush()
        os.fsync(fh.fileno())
    try:
        with sqlite3.connect(tmp) as check:
            ok = check.execute("PRAGMA integrity_check").fetchone()
        check.close()
    except sqlite3.DatabaseError as exc:
        tmp.unlink()
        raise ServerSetupError(f"{source} does not hold a SQLite database") from exc
    if ok != ("ok",):
        tmp.unlink()
        raise ServerSetupError(f"{source}: the database in it fails SQLite's integrity check")
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    os.replace(tmp, target)


def restore_backup(data: DataDir, source: Path, passphrase: str | None = None) -> dict[str, Any]:
    """Replace the SQLite database by the one in ``source`` (serve must be stopped)."""
    header, sections = _read(data, source, passphrase)
    _write_database(sqlite_path(data), sections[0], source)
    return header


def restore_new(path: Path, source: Path, passphrase: str | None) -> dict[str, Any]:
    """A new data directory from a backup made ``--with-keys`` (a server moved to a new machine,
    or its disk lost): configuration, keys and database. Its keyring opens with the backup's
    passphrase (``rotate-key`` moves it to a key file or another passphrase)."""
    if (path / "config.json").exists():
        raise ServerSetupError(f"{path} already holds a server; restore into a new directory")
    header, sections = _read(None, source, passphrase)
    files = json.loads(sections[1])
    config = json.loads(base64.b64decode(files["config.json"]))
    if config.get("db_url"):
        raise ServerSetupError("the backed-up server used PostgreSQL; restore that with pg_restore")
    for sub in ("keys", "tls", "logs"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        with _private(path / name) as fh:
            fh.write(base64.b64decode(content))
    _write_database(path / "server.db", sections[0], source)
    make_private(path)
    return header
