"""Sealed backups of a server's SQLite database (``backup``, ``restore``, and ``upgrade``'s copy).

A backup file is ``UDBACKUP1\\n``, one line of JSON (server id, level, time, and a random file
key wrapped by the server's master key), then the database in chunks of at most 1 MiB, each
``length (4 bytes) ‖ nonce ‖ AES-256-GCM ciphertext`` with ``backup|ID|INDEX|LAST`` as associated
data, so a chunk moved, dropped or cut off fails to open. The snapshot is taken online with
SQLite's serialisation (no plaintext copy is written to disk), the master key never goes into
the file: a backup is restored with the same master key (key file or passphrase).

PostgreSQL databases are backed up with ``pg_dump``; that is safe, since the values a dump
holds are already sealed (README "Backups").
"""

from __future__ import annotations

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

from sync.server.config import DataDir
from sync.server.errors import ServerSetupError

MAGIC = b"UDBACKUP1\n"
CHUNK = 1 << 20


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


def write_backup(data: DataDir, target: Path) -> dict[str, Any]:
    """Seal an online snapshot of the SQLite database into ``target`` (a new, private file)."""
    source = sqlite_path(data)
    if not source.is_file():
        raise ServerSetupError(f"there is no database to back up at {source}")
    with sqlite3.connect(source) as conn:
        image = bytearray(conn.serialize())
    conn.close()
    # a WAL database's image says so (file format bytes 18-19 = 2); as a standalone file it is
    # a rollback-journal one (1), and the server turns WAL on again when it opens it
    image[18:20] = b"\x01\x01"
    snapshot = bytes(image)
    backup_id = str(uuid.uuid4())
    key = secrets.token_bytes(32)
    header = {
        "format": 1,
        "backup_id": backup_id,
        "server_id": data.config.server_id,
        "level": data.config.level,
        "name": data.config.name,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "bytes": len(snapshot),
        "file_key": data.keys.provider.wrap(f"backup:{backup_id}", key),
    }
    aead = AESGCM(key)
    tmp = target.with_name(target.name + ".part")
    with _private(tmp) as fh:
        fh.write(MAGIC + json.dumps(header).encode("utf-8") + b"\n")
        count = max(1, -(-len(snapshot) // CHUNK))
        for i in range(count):
            nonce = os.urandom(12)
            aad = f"backup|{backup_id}|{i}|{int(i == count - 1)}".encode()
            ct = aead.encrypt(nonce, snapshot[i * CHUNK : (i + 1) * CHUNK], aad)
            fh.write(struct.pack(">I", len(ct)) + nonce + ct)
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


def read_backup(data: DataDir, source: Path) -> tuple[dict[str, Any], bytes]:
    """The header and the database of a sealed backup of this server."""
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
        if header.get("server_id") != data.config.server_id:
            raise ServerSetupError(
                f"{source} is a backup of another server ({header.get('name')!r}, "
                f"{header.get('server_id')}), not of {data.config.name!r}"
            )
        key = data.keys.provider.unwrap(f"backup:{header['backup_id']}", header["file_key"])
        aead = AESGCM(key)
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
    return header, b"".join(parts)


def restore_backup(data: DataDir, source: Path) -> dict[str, Any]:
    """Replace the SQLite database by the one in ``source`` (serve must be stopped)."""
    target = sqlite_path(data)
    header, snapshot = read_backup(data, source)
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
    return header
