"""Sync crypto: signatures, sealing batches to a server, and checking what was signed.

Two suites (``sync.suites``), chosen by the key, so call sites keep one shape:

- ``intl``: Ed25519 signatures; HPKE (RFC 9180) DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
  AES-256-GCM, single-shot base mode via ``cryptography.hazmat.primitives.hpke``; SHA-256.
- ``gm``: SM2 signatures with the GM/T 0009 default signer ID; ``crypto_gm.sm2_seal`` (SM2
  key encapsulation + SM4-GCM); SM3.

The seal's ``info`` binds a ciphertext to its batch (``batch_info``) in both suites. Keys travel
as raw bytes in base64 (Ed25519 / X25519: 32 bytes; SM2 public: 64 bytes x || y); servers keep
theirs as PEM files (SM2: an armoured, SM4-GCM-encrypted key pair, ``private_key_pem``).
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
from cryptography.hazmat.primitives import hashes, hpke, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from sync import crypto_gm
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
from sync.suites import GM, INTL, SUITES, Sm2PrivateKey, SuiteError, hash_hex, suite_of_public

SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
DEFAULT_MAX_PLAIN_BYTES = 256 * 1024 * 1024  # gzip-bomb guard when opening a batch

_Raw = serialization.Encoding.Raw
_RawPub = serialization.PublicFormat.Raw
_RawPriv = serialization.PrivateFormat.Raw
_NoEnc = serialization.NoEncryption()

__all__ = ["GM", "INTL", "SUITES", "Sm2PrivateKey", "hash_hex", "sha256_hex"]


class CryptoError(ValueError):
    """Verification or decryption failed. ``code`` is the wire error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --------------------------------------------------------------------------- keys

SigningKey = Ed25519PrivateKey | Sm2PrivateKey
SealingKey = X25519PrivateKey | Sm2PrivateKey
PrivateKey = Ed25519PrivateKey | X25519PrivateKey | Sm2PrivateKey
PublicKeyLike = bytes | Ed25519PublicKey | Ed25519PrivateKey | Sm2PrivateKey


def new_signing_key(suite: str = INTL) -> SigningKey:
    """A device or server signing key of ``suite`` (Ed25519, or SM2 on gm)."""
    return Sm2PrivateKey.generate() if _suite(suite) == GM else Ed25519PrivateKey.generate()


def new_hpke_key(suite: str = INTL) -> SealingKey:
    """A server's batch-opening key of ``suite`` (X25519 for HPKE, or SM2 on gm)."""
    return Sm2PrivateKey.generate() if _suite(suite) == GM else X25519PrivateKey.generate()


def _suite(suite: str) -> str:
    if suite not in SUITES:
        raise CryptoError("bad_suite", f"unknown crypto suite {suite!r}; known: {SUITES}")
    return suite


def suite_of_key(key: PrivateKey | PublicKeyLike | X25519PublicKey) -> str:
    """The suite a private or public key belongs to."""
    if isinstance(key, Sm2PrivateKey):
        return GM
    if isinstance(key, bytes):
        return suite_of_public(key)
    return INTL


def private_bytes(key: PrivateKey) -> bytes:
    """Raw private key (what the desktop keeps inside its encrypted workspace): the 32-byte
    Ed25519 / X25519 seed, or the 96-byte SM2 key pair d || x || y."""
    if isinstance(key, Sm2PrivateKey):
        return key.to_bytes()
    return key.private_bytes(_Raw, _RawPriv, _NoEnc)


def public_bytes(
    key: Ed25519PrivateKey | Ed25519PublicKey | X25519PrivateKey | X25519PublicKey | Sm2PrivateKey,
) -> bytes:
    """Raw public key of a private or public key (32 bytes, or 64 for SM2)."""
    if isinstance(key, Sm2PrivateKey):
        return key.public
    if isinstance(key, Ed25519PrivateKey | X25519PrivateKey):
        key = key.public_key()
    return key.public_bytes(_Raw, _RawPub)


def signing_key_from_bytes(raw: bytes) -> SigningKey:
    """The signing key ``private_bytes`` gave: 32 bytes Ed25519, 96 bytes SM2."""
    if len(raw) == 32:
        return Ed25519PrivateKey.from_private_bytes(raw)
    try:
        return Sm2PrivateKey.from_bytes(raw)
    except (SuiteError, crypto_gm.GmCryptoError) as exc:
        raise CryptoError("bad_key", f"not an Ed25519 or SM2 private key: {exc}") from exc


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
    """Short identifier of a public key: first 16 hex of its SHA-256 (SM3 for an SM2 key)."""
    return hash_hex(suite_of_public(public_raw), public_raw)[:16]


def _pem_encryption(password: bytes | None) -> serialization.KeySerializationEncryption:
    return serialization.BestAvailableEncryption(password) if password else _NoEnc


_SM2_PEM_BEGIN = b"-----BEGIN UNIONDESK SM2 KEY PAIR-----"
_SM2_PEM_END = b"-----END UNIONDESK SM2 KEY PAIR-----"
_SM2_FILE_PLAIN = b"UDSM2\x00"
_SM2_FILE_SEALED = b"UDSM2\x01"
_SM2_FILE_AAD = b"uniondesk-sm2-key-file-v1"


def _sm2_file_key(password: bytes, salt: bytes) -> bytes:
    # The servers' PEM password is 32 random bytes from the keyring (not a person's password),
    # so HKDF-SM3 is the right derivation; SM4-GCM seals the key pair under it.
    return HKDF(hashes.SM3(), 16, salt, _SM2_FILE_AAD).derive(password)


def private_key_pem(key: PrivateKey, password: bytes | None = None) -> bytes:
    """PKCS#8 PEM; encrypted (PBES2, AES-256) when a ``password`` is given. An SM2 key pair
    (which PKCS#8 in ``cryptography`` cannot carry) is an armoured block of its 96 bytes,
    SM4-GCM-encrypted under HKDF-SM3(password) when a ``password`` is given."""
    if not isinstance(key, Sm2PrivateKey):
        return key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, _pem_encryption(password)
        )
    if password:
        salt, nonce = os.urandom(16), os.urandom(crypto_gm.GCM_NONCE_BYTES)
        body = crypto_gm.sm4_gcm_encrypt(
            _sm2_file_key(password, salt), nonce, key.to_bytes(), _SM2_FILE_AAD
        )
        blob = _SM2_FILE_SEALED + salt + nonce + body
    else:
        blob = _SM2_FILE_PLAIN + key.to_bytes()
    text = b64e(blob).encode("ascii")
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    return b"\n".join([_SM2_PEM_BEGIN, *lines, _SM2_PEM_END]) + b"\n"


def _load_sm2_pem(data: bytes, password: bytes | None) -> Sm2PrivateKey:
    inner = data.strip()[len(_SM2_PEM_BEGIN) : -len(_SM2_PEM_END)]
    try:
        blob = b64d(b"".join(inner.split()).decode("ascii"), "SM2 key file")
    except (ProtocolError, UnicodeDecodeError) as exc:
        raise CryptoError("bad_key", "the SM2 key file is damaged") from exc
    try:
        if blob.startswith(_SM2_FILE_PLAIN):
            return Sm2PrivateKey.from_bytes(blob[len(_SM2_FILE_PLAIN) :])
        if not blob.startswith(_SM2_FILE_SEALED):
            raise CryptoError("bad_key", "the SM2 key file has an unknown format")
        if not password:
            raise CryptoError("bad_key", "the SM2 key file is encrypted; a password is needed")
        rest = blob[len(_SM2_FILE_SEALED) :]
        salt, nonce, body = rest[:16], rest[16:28], rest[28:]
        raw = crypto_gm.sm4_gcm_decrypt(_sm2_file_key(password, salt), nonce, body, _SM2_FILE_AAD)
        return Sm2PrivateKey.from_bytes(raw)
    except (crypto_gm.GmCryptoError, SuiteError) as exc:
        raise CryptoError("bad_key", f"the SM2 key file does not open: {exc}") from exc


def load_private_pem(data: bytes, password: bytes | None = None) -> PrivateKey:
    if data.lstrip().startswith(_SM2_PEM_BEGIN):
        return _load_sm2_pem(data, password)
    key = serialization.load_pem_private_key(data, password=password)
    if not isinstance(key, Ed25519PrivateKey | X25519PrivateKey):
        raise CryptoError("bad_key", "expected an Ed25519, X25519 or SM2 private key")
    return key


def write_private_pem(path: Path, key: PrivateKey, password: bytes | None = None) -> None:
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
    if isinstance(key, Sm2PrivateKey):
        raise CryptoError("bad_key", "not an Ed25519 key")
    return key


def sign(key: SigningKey, data: bytes) -> bytes:
    """Ed25519 or SM2 (default signer ID) signature of ``data``."""
    return key.sign(data)


def verify(key: PublicKeyLike, signature: bytes, data: bytes) -> bool:
    """True when ``signature`` is a valid signature of ``data`` by ``key`` (Ed25519 for an
    Ed25519 key, SM2 with the default signer ID for a 64-byte SM2 key)."""
    if isinstance(key, Sm2PrivateKey):
        key = key.public
    if isinstance(key, bytes) and suite_of_public(key) == GM:
        return crypto_gm.sm2_verify(key, data, signature)
    try:
        _verify_key(key).verify(signature, data)
    except (InvalidSignature, CryptoError):
        return False
    return True


_Doc = TypeVar("_Doc", Receipt, InboxMessage, Envelope, StaleSequence)


def sign_document(key: SigningKey, doc: _Doc) -> _Doc:
    """Return ``doc`` naming the key's suite, with its ``signature`` set (over canonical JSON
    without the signature)."""
    doc = replace(doc, suite=suite_of_key(key), signature=b"")
    return replace(doc, signature=key.sign(doc.signed_bytes()))


def verify_document(key: PublicKeyLike, doc: Receipt | InboxMessage | Envelope) -> bool:
    return (
        bool(doc.signature)
        and doc.suite == suite_of_key(key)
        and verify(key, doc.signature, doc.signed_bytes())
    )


def sign_dict(key: SigningKey, doc: Mapping[str, Any]) -> dict[str, Any]:
    """A signed copy of a JSON document (acceptance, org-unit tree): names the key's suite
    (``gm`` only; an intl document keeps its old bytes) and carries ``signature``."""
    out = {k: v for k, v in doc.items() if k not in ("signature", "suite")}
    if suite_of_key(key) != INTL:
        out["suite"] = suite_of_key(key)
    out["signature"] = b64e(key.sign(unsigned(out)))
    return out


def sign_dict_json(key: SigningKey, doc: Mapping[str, Any]) -> tuple[dict[str, Any], bytes]:
    """:func:`sign_dict` and the canonical JSON of the signed document, with one encoding of
    its members: canonical JSON is the members in key order, so the members sorting before
    ``signature`` and those after it are encoded once each, joined around the signature for
    the signed bytes and without it for the bytes the signature covers."""
    out = {k: v for k, v in doc.items() if k not in ("signature", "suite")}
    if suite_of_key(key) != INTL:
        out["suite"] = suite_of_key(key)
    before = canonical_json({k: v for k, v in out.items() if k < "signature"})[1:-1]
    after = canonical_json({k: v for k, v in out.items() if k > "signature"})[1:-1]
    covered = b"{" + b",".join(p for p in (before, after) if p) + b"}"
    out["signature"] = b64e(key.sign(covered))
    member = b'"signature":' + canonical_json(out["signature"])
    return out, b"{" + b",".join(p for p in (before, member, after) if p) + b"}"


def verify_dict(key: PublicKeyLike, doc: Mapping[str, Any]) -> bool:
    """True when a signed JSON document names the key's suite and its signature verifies."""
    try:
        signature = b64d(doc.get("signature"), "signature")
    except ProtocolError:
        return False
    return doc.get("suite", INTL) == suite_of_key(key) and verify(key, signature, unsigned(doc))


def verify_signed_json(key: PublicKeyLike, body: bytes | str) -> dict[str, Any]:
    """Parse a signed JSON document and check its signature over the document *as received*
    (so members added by a newer server stay covered), and that it names the key's suite.
    Raises CryptoError("bad_signature")."""
    try:
        doc = parse_json_object(body)
        signature = b64d(doc.get("signature"), "signature")
    except ProtocolError as exc:
        raise CryptoError("bad_signature", f"not a signed document: {exc.message}") from exc
    if doc.get("suite", INTL) != suite_of_key(key):
        raise CryptoError(
            "bad_signature",
            f"the document names suite {doc.get('suite', INTL)!r}, "
            f"the key is {suite_of_key(key)!r}",
        )
    if not verify(key, signature, unsigned(doc)):
        raise CryptoError("bad_signature", "signature does not verify")
    return doc


# --------------------------------------------------------------------------- HPKE


def hpke_seal(public: bytes | X25519PublicKey, plaintext: bytes, info: bytes) -> bytes:
    """Seal to a server key: HPKE to an X25519 key, ``crypto_gm.sm2_seal`` to an SM2 key."""
    if isinstance(public, bytes) and suite_of_public(public) == GM:
        try:
            return crypto_gm.sm2_seal(public, plaintext, info)
        except crypto_gm.GmCryptoError as exc:
            raise CryptoError("bad_key", f"cannot seal to this SM2 key: {exc}") from exc
    pub = hpke_public_from_bytes(public) if isinstance(public, bytes) else public
    return SUITE.encrypt(plaintext, pub, info=info)


def hpke_open(private: SealingKey, ciphertext: bytes, info: bytes) -> bytes:
    """Open what ``hpke_seal`` made for this key and ``info``; CryptoError("decrypt_failed")."""
    if isinstance(private, Sm2PrivateKey):
        try:
            return crypto_gm.sm2_open(private.private, ciphertext, info)
        except crypto_gm.GmCryptoError as exc:
            raise CryptoError(
                "decrypt_failed", "the payload cannot be decrypted with this key"
            ) from exc
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
    device_key: SigningKey,
    device_id: str,
    batch_id: str,
    device_seq: int,
    records: Sequence[Mapping[str, Any]],
    audit_head: str,
    recipient_public: bytes,
    sealed_at: str | None = None,
) -> Envelope:
    """Seal records into a signed envelope: canonical JSON -> gzip -> seal -> sign.

    The envelope's suite (signature, hashes) is the device key's; the seal follows the
    recipient's key (HPKE to X25519, SM2 KEM/DEM to SM2). ``Envelope.to_json()`` gives the
    exact bytes to store in the outbox and upload.
    """
    suite = suite_of_key(device_key)
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
        payload_sha256=hash_hex(suite, ciphertext),
        content_sha256=hash_hex(suite, plain),
        manifest=tuple(record_hash(r, suite) for r in records),
        sealed_at=sealed_at or utc_now_iso(),
        payload=ciphertext,
        suite=suite,
    )
    return sign_document(device_key, envelope)


def verify_envelope(envelope: Envelope, device_public: PublicKeyLike) -> None:
    """Check the device signature and the ciphertext hash; raises CryptoError."""
    if not verify_document(device_public, envelope):
        raise CryptoError("bad_signature", "the batch signature does not verify for this device")
    if hash_hex(envelope.suite, envelope.payload) != envelope.payload_sha256:
        raise CryptoError("payload_hash_mismatch", "the payload does not match its signed hash")


def open_batch(
    envelope: Envelope,
    *,
    hpke_key: SealingKey,
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
    if hash_hex(envelope.suite, plain) != envelope.content_sha256:
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
    if tuple(record_hash(r, envelope.suite) for r in payload.records) != envelope.manifest:
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
    suite = header.get("suite", INTL)
    return (
        isinstance(manifest, list)
        and suite == suite_of_key(device_public)
        and verify(device_public, signature, canonical_json(header))
        and record_hash(record, suite) in manifest
    )


# --------------------------------------------------------------------------- signed requests


def sign_request(
    device_key: SigningKey,
    device_id: str,
    method: str,
    target: str,
    nonce: str,
    body: bytes = b"",
) -> dict[str, str]:
    """Headers authenticating one request (see PROTOCOL.md, "Signed requests")."""
    data = request_signing_bytes(method, target, nonce, device_id, body, suite_of_key(device_key))
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
    data = request_signing_bytes(
        method, target, nonce, device_id, body, suite_of_key(device_public)
    )
    return verify(device_public, signature, data)
