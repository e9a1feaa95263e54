"""The SM4-GCM seal of a gm workspace's backup (backup manifest version 2, issue 16).

The database member of a version-2 backup is the SQLCipher file (already encrypted under the
data key) sealed once more, in chunks of ``chunk_bytes`` (1 MiB), each stored as
``nonce (12 random bytes) ‖ SM4-GCM ciphertext ‖ tag (16 bytes)``:

    key  = HKDF-SM3(field key, salt = manifest salt (16 random bytes per backup),
                    info = "uniondesk backup" ‖ workspace id)          16 bytes (SM4)
    AD_i = manifest bytes ‖ u64(i) ‖ u8(last)

so a chunk that was altered, moved to another place, dropped from the end (the new last one
was not sealed as last), or a manifest that was edited fails to open, and nothing is
restored. The field key is the workspace's generation-0 key in the key slots
(:mod:`desktop.store.field_cipher`), which a restore opens with a user's password or the
recovery key from the slots stored in the backup. Streams are read and written chunk by chunk:
memory stays a few MiB whatever the database's size. Primitives: ``sync.crypto_gm``
(SM4-GCM) and ``cryptography``'s HKDF with SM3.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from typing import Any, BinaryIO

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from sync import crypto_gm

VERSION = 2  # the manifest version of a sealed backup
CHUNK = 1 << 20
SALT_BYTES = 16
INFO = b"uniondesk backup"
CIPHER = "sm4-gcm"
KDF = "hkdf-sm3"
_NONCE, _TAG = crypto_gm.GCM_NONCE_BYTES, crypto_gm.GCM_TAG_BYTES
_MIN_CHUNK, _MAX_CHUNK = 1 << 12, 1 << 24


class SealError(ValueError):
    """The sealed database does not open; the text says what is wrong with it."""


@dataclass(frozen=True)
class Seal:
    """What a version-2 manifest says about its database member."""

    salt: bytes
    chunk_bytes: int = CHUNK

    @classmethod
    def new(cls) -> Seal:
        return cls(os.urandom(SALT_BYTES))

    def to_manifest(self) -> dict[str, Any]:
        return {
            "cipher": CIPHER,
            "kdf": KDF,
            "key": "field key",
            "salt": self.salt.hex(),
            "chunk_bytes": self.chunk_bytes,
        }

    @classmethod
    def from_manifest(cls, doc: Any) -> Seal:
        """SealError when the manifest's ``database`` entry is not one this program writes."""
        try:
            salt = bytes.fromhex(doc["salt"])
            chunk = int(doc["chunk_bytes"])
            known = doc["cipher"] == CIPHER and doc["kdf"] == KDF
        except (KeyError, TypeError, ValueError):
            raise SealError("its manifest does not say how the database is sealed") from None
        if not known or len(salt) != SALT_BYTES or not _MIN_CHUNK <= chunk <= _MAX_CHUNK:
            raise SealError("its manifest names a database seal this program does not know")
        return cls(salt, chunk)

    def key(self, field_key: bytes, workspace_id: str) -> bytes:
        hkdf = HKDF(
            algorithm=hashes.SM3(),
            length=crypto_gm.SM4_KEY_BYTES,
            salt=self.salt,
            info=INFO + workspace_id.encode("utf-8"),
        )
        return hkdf.derive(field_key)

    def sealed_size(self, size: int) -> int:
        """The sealed member's size for a database of ``size`` bytes."""
        chunks = max(1, -(-size // self.chunk_bytes))
        return size + chunks * (_NONCE + _TAG)


def _ad(manifest: bytes, index: int, last: bool) -> bytes:
    return manifest + struct.pack(">QB", index, int(last))


def _read_full(src: BinaryIO, n: int) -> bytes:
    """``n`` bytes, fewer only at the end of ``src``."""
    parts: list[bytes] = []
    got = 0
    while got < n:
        part = src.read(n - got)
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def seal_stream(key: bytes, manifest: bytes, seal: Seal, src: BinaryIO, out: BinaryIO) -> int:
    """Write ``src`` sealed to ``out``; returns the number of chunks (at least one)."""
    index = 0
    chunk = _read_full(src, seal.chunk_bytes)
    while True:
        after = _read_full(src, seal.chunk_bytes) if len(chunk) == seal.chunk_bytes else b""
        last = not after
        nonce = os.urandom(_NONCE)
        out.write(nonce)
        out.write(crypto_gm.sm4_gcm_encrypt(key, nonce, chunk, _ad(manifest, index, last)))
        index += 1
        if last:
            return index
        chunk = after


def open_stream(key: bytes, manifest: bytes, seal: Seal, src: BinaryIO, out: BinaryIO) -> int:
    """Write the opened ``src`` to ``out``; returns the number of chunks. SealError (saying
    which part, and what is wrong) at the first chunk that does not open — ``out`` then holds
    a partial copy the caller throws away."""
    whole = _NONCE + seal.chunk_bytes + _TAG
    index = 0
    record = _read_full(src, whole)
    while True:
        if len(record) < _NONCE + _TAG:
            if index == 0 and not record:
                raise SealError("its database is empty")
            raise SealError(f"its database is cut off in part {index + 1}")
        after = _read_full(src, whole) if len(record) == whole else b""
        last = not after
        nonce, body = record[:_NONCE], record[_NONCE:]
        try:
            plain = crypto_gm.sm4_gcm_decrypt(key, nonce, body, _ad(manifest, index, last))
        except crypto_gm.GmCryptoError:
            raise SealError(_why(key, manifest, index, last, nonce, body)) from None
        out.write(plain)
        index += 1
        if last:
            return index
        record = after


def _why(key: bytes, manifest: bytes, index: int, last: bool, nonce: bytes, body: bytes) -> str:
    """What is wrong with chunk ``index``, which did not open (tells a cut-off file from an
    altered one by trying the other last-chunk flag)."""
    try:
        crypto_gm.sm4_gcm_decrypt(key, nonce, body, _ad(manifest, index, not last))
    except crypto_gm.GmCryptoError:
        if index == 0:
            return "its database's first part does not authenticate (the database or the manifest was altered)"
        return f"part {index + 1} of its database does not authenticate (altered or moved)"
    if last:
        return f"it is truncated: its database ends after part {index + 1}, before its final part"
    return f"its database has data after its final part (part {index + 1})"
