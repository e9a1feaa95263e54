"""Sync crypto: Ed25519 signatures, HPKE sealing (RFC 9180), and sealing / opening batches.

HPKE suite: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM, single-shot base mode via
``cryptography.hazmat.primitives.hpke``. The HPKE ``info`` binds a ciphertext to its batch
(``batch_info``). Keys travel as raw 32-byte values in base64; servers keep theirs as PEM files.
"""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hpke, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from sync.protocol import (
    HEADER_DEVICE,
    HEADER_NONCE,
    HEADER_SIGNATURE,
    BatchPayload,
    Envelope,
    InboxMessage,
    ProtocolError,
    Receipt,
    StaleSequence,
    b64d,
    b64e,
    canonical_json,
    parse_json_object,
    record_hash,
    request_signing_bytes,
    sha256_hex,
    unsigned,
)

SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
DEFAULT_MAX_PLAIN_BYTES = 256 * 1024 * 1024  # gzip-bomb guard when opening a batch

_Raw = serialization.Encoding.Raw
_RawPub = serialization.PublicFormat.Raw
_RawPriv = serialization.PrivateFormat.Raw
_NoEnc = serialization.NoEncryption()


class CryptoError(ValueError):
    """Verification or decryption failed. ``code`` is the wire error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --------------------------------------------------------------------------- keys

PublicKeyLike = bytes | Ed25519PublicKey | Ed25519PrivateKey


def new_signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def new_hpke_key() -> X25519PrivateKey:
    return X25519PrivateKey.generate()


def private_bytes(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    """Raw 32-byte private key (what the desktop keeps inside its encrypted workspace)."""
    return key.private_bytes(_Raw, _RawPriv, _NoEnc)


def public_bytes(
    key: Ed25519PrivateKey | Ed25519PublicKey | X25519PrivateKey | X25519PublicKey,
) -> bytes:
    """Raw 32-byte public key of a private or public key."""
    if isinstance(key, Ed25519PrivateKey | X25519PrivateKey):
        key = key.public_key()
    return key.public_bytes(_Raw, _RawPub)


def signing_key_from_bytes(raw: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(raw)


def verify_key_from_bytes(raw: bytes) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise CryptoError("bad_key", "not a 32-byte Ed25519 public key") from exc


def hpke_public_from_bytes(raw: bytes) -> X25519PublicKey:
    try:
        return X25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise CryptoError("bad_key", "not a 32-byte X25519 public key") from exc


def key_id(public_raw: bytes) -> str:
    """Short identifier of a public key: first 16 hex of its SHA-256."""
    return sha256_hex(public_raw)[:16]


def _pem_encryption(password: bytes | None) -> serialization.KeySerializationEncryption:
    return serialization.BestAvailableEncryption(password) if password else _NoEnc


def private_key_pem(
    key: Ed25519PrivateKey | X25519PrivateKey, password: bytes | None = None
) -> bytes:
    """PKCS#8 PEM; encrypted (PBES2, AES-256) when a ``password`` is given."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, _pem_encryption(password)
    )


def load_private_pem(
    data: bytes, password: bytes | None = None
) -> Ed25519PrivateKey | X25519PrivateKey:
    key = serialization.load_pem_private_key(data, password=password)
    if not isinstance(key, Ed25519PrivateKey | X25519PrivateKey):
        raise CryptoError("bad_key", "expected an Ed25519 or X25519 private key")
    return key


def write_private_pem(
    path: Path, key: Ed25519PrivateKey | X25519PrivateKey, password: bytes | None = None
) -> None:
    """Write a private key readable by the owner only (encrypted when ``password`` is given)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(private_key_pem(key, password))


# --------------------------------------------------------------------------- sign / verify


def _verify_key(key: PublicKeyLike) -> Ed25519PublicKey:
    if isinstance(key, Ed25519PrivateKey):
        return key.public_key()
    if isinstance(key, bytes):
        return verify_key_from_bytes(key)
    return key


def sign(key: Ed25519PrivateKey, data: bytes) -> bytes:
    return key.sign(data)


def verify(key: PublicKeyLike, signature: bytes, data: bytes) -> bool:
    """True when ``signature`` is a valid Ed25519 signature of ``data`` by ``key``."""
    try:
        _verify_key(key).verify(signature, data)
    except (InvalidSignature, CryptoError):
        return False
    return True


_Doc = TypeVar("_Doc", Receipt, InboxMessage, Envelope, StaleSequence)


def sign_document(key: Ed25519PrivateKey, doc: _Doc) -> _Doc:
    """Return ``doc`` with its ``signature`` set (over canonical JSON without the signature)."""
    return replace(doc, signature=key.sign(doc.signed_bytes()))


def verify_document(key: PublicKeyLike, doc: Receipt | InboxMessage | Envelope) -> bool:
    return bool(doc.signature) and verify(key, doc.signature, doc.signed_bytes())


def verify_signed_json(key: PublicKeyLike, body: bytes | str) -> dict[str, Any]:
    """Parse a signed JSON document and check its signature over the document *as received*
    (so members added by a newer server stay covered). Raises CryptoError("bad_signature")."""
    try:
        doc = parse_json_object(body)
        signature = b64d(doc.get("signature"), "signature")
    except ProtocolError as exc:
        raise CryptoError("bad_signature", f"not a signed document: {exc.message}") from exc
    if not verify(key, signature, unsigned(doc)):
        raise CryptoError("bad_signature", "signature does not verify")
    return doc


# --------------------------------------------------------------------------- HPKE


def hpke_seal(public: bytes | X25519PublicKey, plaintext: bytes, info: bytes) -> bytes:
    pub = hpke_public_from_bytes(public) if isinstance(public, bytes) else public
    return SUITE.encrypt(plaintext, pub, info=info)


def hpke_open(private: X25519PrivateKey, ciphertext: bytes, info: bytes) -> bytes:
    try:
        return SUITE.decrypt(ciphertext, private, info=info)
    except (InvalidTag, ValueError) as exc:
        raise CryptoError(
            "decrypt_failed", "the payload cannot be decrypted with this key"
        ) from exc


def batch_info(batch_id: str, device_id: str, device_seq: int) -> bytes:
    """HPKE info string binding a ciphertext to its batch."""
    return f"uniondesk/v1/batch/{batch_id}/{device_id}/{device_seq}".encode("ascii")


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)


def gunzip_limited(data: bytes, max_bytes: int) -> bytes:
    """Decompress gzip, refusing output above ``max_bytes`` (CryptoError("bad_payload"))."""
    decomp = zlib.decompressobj(wbits=31)
    try:
        out = decomp.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise CryptoError("bad_payload", "payload is not valid gzip") from exc
    if len(out) > max_bytes or decomp.unconsumed_tail:
        raise CryptoError("bad_payload", f"payload expands beyond {max_bytes} bytes")
    if not decomp.eof:
        raise CryptoError("bad_payload", "payload gzip stream is truncated")
    return out


# --------------------------------------------------------------------------- batches


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def seal_batch(
    *,
    device_key: Ed25519PrivateKey,
    device_id: str,
    batch_id: str,
    device_seq: int,
    records: Sequence[Mapping[str, Any]],
    audit_head: str,
    recipient_public: bytes,
    sealed_at: str | None = None,
) -> Envelope:
    """Seal records into a signed envelope: canonical JSON -> gzip -> HPKE -> Ed25519.

    ``Envelope.to_json()`` gives the exact bytes to store in the outbox and upload.
    """
    payload = BatchPayload(batch_id, device_id, device_seq, audit_head, tuple(records))
    plain = payload.to_json()
    ciphertext = hpke_seal(
        recipient_public, gzip_bytes(plain), batch_info(batch_id, device_id, device_seq)
    )
    envelope = Envelope(
        batch_id=batch_id,
        device_id=device_id,
        device_seq=device_seq,
        recipient_key_id=key_id(recipient_public),
        payload_sha256=sha256_hex(ciphertext),
        content_sha256=sha256_hex(plain),
        manifest=tuple(record_hash(r) for r in records),
        sealed_at=sealed_at or utc_now_iso(),
        payload=ciphertext,
    )
    return sign_document(device_key, envelope)


def verify_envelope(envelope: Envelope, device_public: PublicKeyLike) -> None:
    """Check the device signature and the ciphertext hash; raises CryptoError."""
    if not verify_document(device_public, envelope):
        raise CryptoError("bad_signature", "the batch signature does not verify for this device")
    if sha256_hex(envelope.payload) != envelope.payload_sha256:
        raise CryptoError("payload_hash_mismatch", "the payload does not match its signed hash")


def open_batch(
    envelope: Envelope,
    *,
    hpke_key: X25519PrivateKey,
    device_public: PublicKeyLike,
    max_plain_bytes: int = DEFAULT_MAX_PLAIN_BYTES,
) -> BatchPayload:
    """Verify, decrypt, decompress and check a batch against its envelope. Raises CryptoError
    with one of: bad_signature, payload_hash_mismatch, wrong_recipient, decrypt_failed,
    bad_payload, manifest_mismatch."""
    verify_envelope(envelope, device_public)
    if envelope.recipient_key_id != key_id(public_bytes(hpke_key)):
        raise CryptoError("wrong_recipient", "the batch is sealed to another server's key")
    info = batch_info(envelope.batch_id, envelope.device_id, envelope.device_seq)
    plain = gunzip_limited(hpke_open(hpke_key, envelope.payload, info), max_plain_bytes)
    if sha256_hex(plain) != envelope.content_sha256:
        raise CryptoError("bad_payload", "the decrypted content does not match its signed hash")
    try:
        payload = BatchPayload.from_dict(parse_json_object(plain))
    except ProtocolError as exc:
        raise CryptoError("bad_payload", f"decrypted payload: {exc.message}") from exc
    if (payload.batch_id, payload.device_id, payload.device_seq) != (
        envelope.batch_id,
        envelope.device_id,
        envelope.device_seq,
    ):
        raise CryptoError("bad_payload", "the payload belongs to another batch")
    if tuple(record_hash(r) for r in payload.records) != envelope.manifest:
        raise CryptoError("manifest_mismatch", "the records do not match the signed manifest")
    return payload


def verify_record_provenance(
    envelope_doc: Mapping[str, Any], record: Mapping[str, Any], device_public: PublicKeyLike
) -> bool:
    """True when ``record`` was in a batch signed by ``device_public``.

    ``envelope_doc`` is the batch envelope as a dict, with or without its ``payload`` (a relay
    forwards the header only): its signature must verify and the record's hash be in its manifest.
    """
    try:
        signature = b64d(envelope_doc.get("signature"), "signature")
    except ProtocolError:
        return False
    header = {k: v for k, v in envelope_doc.items() if k not in ("signature", "payload")}
    manifest = envelope_doc.get("manifest")
    return (
        isinstance(manifest, list)
        and verify(device_public, signature, canonical_json(header))
        and record_hash(record) in manifest
    )


# --------------------------------------------------------------------------- signed requests


def sign_request(
    device_key: Ed25519PrivateKey,
    device_id: str,
    method: str,
    target: str,
    nonce: str,
    body: bytes = b"",
) -> dict[str, str]:
    """Headers authenticating one request (see PROTOCOL.md, "Signed requests")."""
    data = request_signing_bytes(method, target, nonce, device_id, body)
    return {
        HEADER_DEVICE: device_id,
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: b64e(device_key.sign(data)),
    }


def verify_request(
    device_public: PublicKeyLike,
    signature_b64: str,
    *,
    method: str,
    target: str,
    nonce: str,
    device_id: str,
    body: bytes,
) -> bool:
    try:
        signature = b64d(signature_b64, "signature")
    except ProtocolError:
        return False
    data = request_signing_bytes(method, target, nonce, device_id, body)
    return verify(device_public, signature, data)
