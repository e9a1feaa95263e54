"""Protocol v1 of UnionDesk sync: the JSON documents on the wire and their canonical form.

Every document is a plain JSON object. Signatures are Ed25519 (suite ``intl``) or SM2 (suite
``gm``, named in the document as ``"suite": "gm"``) over the *canonical JSON* of the
document without its ``signature`` member (sorted keys, no whitespace, UTF-8, no NaN). Binary
values (keys, signatures, ciphertext) are standard base64 with padding. See ``sync/PROTOCOL.md``.

This module is pure data and the suite's hashes (``sync.suites.hash_hex``), no I/O;
``sync.crypto`` signs / seals / verifies these.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from forms.canonical import (
    canonical_json as canonical_json,  # the one rule, shared with forms (re-exported)
)
from sync.suites import INTL, SuiteError, check_suite, hash_hex

PROTOCOL_VERSION = 1
SUPPORTED_PROTOCOLS: tuple[int, ...] = (1,)
API_PREFIX = f"/v{PROTOCOL_VERSION}"

# HTTP headers of a signed request (inbox, ack, device status).
HEADER_DEVICE = "X-UnionDesk-Device"
HEADER_NONCE = "X-UnionDesk-Nonce"
HEADER_SIGNATURE = "X-UnionDesk-Signature"
HEADER_NEXT_NONCE = "X-UnionDesk-Next-Nonce"

MAX_INT = 2**63 - 1  # every integer on the wire fits a signed 64-bit column
MAX_VERSION = 2**31 - 1  # record and form versions fit a 32-bit column

RECORD_STATUSES = ("received", "duplicate", "rejected")
#: the inbox kind that carries all of one review request's decisions for a township
REVIEW_DECISIONS_KIND = "review_decisions"
INBOX_KINDS = (
    "receipt",
    "review_decision",
    "form_definition",
    "org_units",
    "transfer_offer",
    "transfer_answer",
    REVIEW_DECISIONS_KIND,
)
#: kinds a server sends only to a device that declared it applies them (``GET /v1/inbox?kinds=``,
#: PROTOCOL.md "Inbox"); a device that never declared gets what every release knows instead
DECLARED_INBOX_KINDS = (REVIEW_DECISIONS_KIND,)
MAX_DECLARED_KINDS = 32
_KIND_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

# Enrollment codes: 10 secret characters + 10 characters of the CA fingerprint, base32.
ENROLL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1
ENROLL_SECRET_LEN = 10
ENROLL_CHECK_LEN = 10


class ProtocolError(ValueError):
    """A document does not have the v1 shape. ``code`` is the wire error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def inbox_kinds_param(kinds: tuple[str, ...] | list[str]) -> str:
    """The ``kinds`` query value a device declares on ``GET /v1/inbox``: comma separated, sorted."""
    return ",".join(sorted(set(kinds)))


def parse_inbox_kinds(value: str) -> tuple[str, ...]:
    """The kinds in a ``kinds`` query value (sorted, each once); ProtocolError if malformed."""
    kinds = sorted({k for k in value.split(",") if k})
    if len(kinds) > MAX_DECLARED_KINDS or not all(_KIND_RE.match(k) for k in kinds):
        raise ProtocolError(
            "invalid_document",
            f"kinds: at most {MAX_DECLARED_KINDS} inbox kinds (a-z, 0-9, _), comma separated",
        )
    return tuple(kinds)


# --------------------------------------------------------------------------- canonical form


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def b64e(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64d(text: Any, what: str = "value") -> bytes:
    if not isinstance(text, str):
        raise ProtocolError("invalid_document", f"{what} must be a base64 string")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ProtocolError("invalid_document", f"{what} is not valid base64") from exc


def parse_json_object(body: bytes | str) -> dict[str, Any]:
    """Parse a request/response body; raises ProtocolError("malformed_json") if it is not a
    JSON object."""
    try:
        obj = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError("malformed_json", f"body is not valid JSON: {exc}") from exc
    if not isinstance(obj, dict):
        raise ProtocolError("malformed_json", "body must be a JSON object")
    return obj


def unsigned(doc: Mapping[str, Any]) -> bytes:
    """The bytes a signature covers: canonical JSON of the document without ``signature``."""
    return canonical_json({k: v for k, v in doc.items() if k != "signature"})


# --------------------------------------------------------------------------- field helpers

_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_HEX64_RE = re.compile(r"^[0-9a-f]{64}$")


def _get(doc: Mapping[str, Any], key: str, kind: type | tuple[type, ...], what: str) -> Any:
    if key not in doc:
        raise ProtocolError("invalid_document", f"{what}: missing '{key}'")
    value = doc[key]
    if kind is int and isinstance(value, bool) or not isinstance(value, kind):
        raise ProtocolError("invalid_document", f"{what}: '{key}' has the wrong type")
    if isinstance(value, int) and not 0 <= value <= MAX_INT:
        raise ProtocolError("invalid_document", f"{what}: '{key}' is out of range")
    return value


def _uuid(doc: Mapping[str, Any], key: str, what: str) -> str:
    value: str = _get(doc, key, str, what)
    if not _UUID_RE.match(value):
        raise ProtocolError("invalid_document", f"{what}: '{key}' must be a lowercase UUID")
    return value


def _hex64(doc: Mapping[str, Any], key: str, what: str) -> str:
    value: str = _get(doc, key, str, what)
    if not _HEX64_RE.match(value):
        raise ProtocolError("invalid_document", f"{what}: '{key}' must be 64 lowercase hex")
    return value


def check_protocol(doc: Mapping[str, Any], what: str) -> None:
    version = doc.get("protocol")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ProtocolError("invalid_document", f"{what}: missing or non-integer 'protocol'")
    if version not in SUPPORTED_PROTOCOLS:
        raise ProtocolError(
            "unsupported_protocol",
            f"protocol version {version} is not accepted; supported: {list(SUPPORTED_PROTOCOLS)}",
        )


def _type(doc: Mapping[str, Any], expected: str, what: str) -> None:
    if doc.get("type") != expected:
        raise ProtocolError("invalid_document", f"{what}: 'type' must be '{expected}'")


# --------------------------------------------------------------------------- enrollment codes


def normalise_enroll_code(code: str) -> str:
    """Upper-case, drop spaces and dashes (what a clerk types is forgiving)."""
    return re.sub(r"[\s\-]", "", code).upper()


def format_enroll_code(raw: str) -> str:
    return "-".join(raw[i : i + 5] for i in range(0, len(raw), 5))


def ca_check(ca_cert_pem: str | bytes) -> str:
    """The 10 characters of an enrollment code that name the server's CA certificate.

    ``ENROLL_ALPHABET`` digits of SHA-256 over the PEM text with line endings normalised.
    A client fetching the CA before enrolling compares this to the code's last 10 characters.
    """
    text = ca_cert_pem.decode("ascii") if isinstance(ca_cert_pem, bytes) else ca_cert_pem
    digest = hashlib.sha256(text.replace("\r\n", "\n").strip().encode("ascii")).digest()
    number = int.from_bytes(digest, "big")
    out = []
    for _ in range(ENROLL_CHECK_LEN):
        number, rem = divmod(number, len(ENROLL_ALPHABET))
        out.append(ENROLL_ALPHABET[rem])
    return "".join(out)


def split_enroll_code(code: str) -> tuple[str, str]:
    """(secret, ca_check) of a typed code; ProtocolError("enroll_code_invalid") if malformed."""
    raw = normalise_enroll_code(code)
    if len(raw) != ENROLL_SECRET_LEN + ENROLL_CHECK_LEN or any(
        c not in ENROLL_ALPHABET for c in raw
    ):
        raise ProtocolError(
            "enroll_code_invalid",
            f"an enrollment code has {ENROLL_SECRET_LEN + ENROLL_CHECK_LEN} characters "
            f"from {ENROLL_ALPHABET}",
        )
    return raw[:ENROLL_SECRET_LEN], raw[ENROLL_SECRET_LEN:]


# --------------------------------------------------------------------------- documents


@dataclass(frozen=True)
class OrgUnit:
    code: str
    name: str
    parent: str | None = None
    kind: str = "township"  # "province" | "city" | "county" | "township" | "grassroots"

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "parent": self.parent, "kind": self.kind}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> OrgUnit:
        parent = d.get("parent")
        if parent is not None and not isinstance(parent, str):
            raise ProtocolError("invalid_document", "org unit: 'parent' must be a string or null")
        return cls(
            code=_get(d, "code", str, "org unit"),
            name=_get(d, "name", str, "org unit"),
            parent=parent,
            kind=str(d.get("kind", "township")),
        )


@dataclass(frozen=True)
class EnrollRequest:
    code: str
    device_public_key: bytes  # raw Ed25519, 32 bytes
    label: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "protocol": PROTOCOL_VERSION,
            "type": "enroll_request",
            "code": self.code,
            "device_public_key": b64e(self.device_public_key),
            "label": self.label,
        }

    def to_json(self) -> bytes:
        return canonical_json(self.to_dict())

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> EnrollRequest:
        check_protocol(d, "enroll request")
        _type(d, "enroll_request", "enroll request")
        key = b64d(_get(d, "device_public_key", str, "enroll request"), "device_public_key")
        if len(key) not in (32, 64):
            raise ProtocolError(
                "invalid_document",
                "device_public_key must be 32 bytes (Ed25519) or 64 bytes (SM2 x || y)",
            )
        label = d.get("label", "")
        if not isinstance(label, str) or len(label) > 200:
            raise ProtocolError("invalid_document", "label must be a string of <= 200 chars")
        return cls(code=_get(d, "code", str, "enroll request"), device_public_key=key, label=label)


@dataclass(frozen=True)
class ServerKeys:
    """What a device pins at enrollment."""

    server_id: str
    name: str
    level: str  # "county" | "province"
    signing_key: bytes  # raw Ed25519 public key
    hpke_public_key: bytes  # raw X25519 public key (SM2 x || y on gm)
    hpke_key_id: str
    suite: str = INTL  # the server's crypto suite (what a new device key is made for)

    def to_dict(self) -> dict[str, Any]:
        d = {
            "server_id": self.server_id,
            "name": self.name,
            "level": self.level,
            "signing_key": b64e(self.signing_key),
            "hpke_public_key": b64e(self.hpke_public_key),
            "hpke_key_id": self.hpke_key_id,
        }
        return _put_suite(d, self.suite)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ServerKeys:
        return cls(
            server_id=_get(d, "server_id", str, "server"),
            name=_get(d, "name", str, "server"),
            level=_get(d, "level", str, "server"),
            signing_key=b64d(d.get("signing_key"), "signing_key"),
            hpke_public_key=b64d(d.get("hpke_public_key"), "hpke_public_key"),
            hpke_key_id=_get(d, "hpke_key_id", str, "server"),
            suite=_suite(d, "server"),
        )


@dataclass(frozen=True)
class EnrollResponse:
    device_id: str
    org_unit: OrgUnit
    server: ServerKeys
    ca_cert_pem: str
    forms: tuple[Mapping[str, Any], ...]  # raw form definitions (forms.load_form_dict input)
    org_units: tuple[OrgUnit, ...]  # the device's ancestors, itself and its subtree
    next_device_seq: int = 1
    max_batch_records: int = 1000
    max_batch_bytes: int = 8 * 1024 * 1024

    def to_dict(self) -> dict[str, Any]:
        return {
            "protocol": PROTOCOL_VERSION,
            "type": "enroll_response",
            "device_id": self.device_id,
            "org_unit": self.org_unit.to_dict(),
            "server": self.server.to_dict(),
            "ca_cert_pem": self.ca_cert_pem,
            "forms": list(self.forms),
            "org_units": [u.to_dict() for u in self.org_units],
            "next_device_seq": self.next_device_seq,
            "limits": {
                "max_batch_records": self.max_batch_records,
                "max_batch_bytes": self.max_batch_bytes,
            },
        }

    def to_json(self) -> bytes:
        return canonical_json(self.to_dict())

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> EnrollResponse:
        check_protocol(d, "enroll response")
        _type(d, "enroll_response", "enroll response")
        limits = d.get("limits") or {}
        return cls(
            device_id=_uuid(d, "device_id", "enroll response"),
            org_unit=OrgUnit.from_dict(_get(d, "org_unit", dict, "enroll response")),
            server=ServerKeys.from_dict(_get(d, "server", dict, "enroll response")),
            ca_cert_pem=_get(d, "ca_cert_pem", str, "enroll response"),
            forms=tuple(_get(d, "forms", list, "enroll response")),
            org_units=tuple(
                OrgUnit.from_dict(u) for u in _get(d, "org_units", list, "enroll response")
            ),
            next_device_seq=int(d.get("next_device_seq", 1)),
            max_batch_records=int(limits.get("max_batch_records", 1000)),
            max_batch_bytes=int(limits.get("max_batch_bytes", 8 * 1024 * 1024)),
        )

    @classmethod
    def from_json(cls, body: bytes | str) -> EnrollResponse:
        return cls.from_dict(parse_json_object(body))


@dataclass(frozen=True)
class BatchPayload:
    """The plaintext of a batch (canonical JSON, then gzip, then HPKE)."""

    batch_id: str
    device_id: str
    device_seq: int
    audit_head: str
    records: tuple[Mapping[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "protocol": PROTOCOL_VERSION,
            "type": "batch_payload",
            "batch_id": self.batch_id,
            "device_id": self.device_id,
            "device_seq": self.device_seq,
            "audit_head": self.audit_head,
            "records": [dict(r) for r in self.records],
        }

    def to_json(self) -> bytes:
        return canonical_json(self.to_dict())

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> BatchPayload:
        check_protocol(d, "batch payload")
        _type(d, "batch_payload", "batch payload")
        records = _get(d, "records", list, "batch payload")
        if not all(isinstance(r, dict) for r in records):
            raise ProtocolError("invalid_document", "batch payload: records must be objects")
        return cls(
            batch_id=_uuid(d, "batch_id", "batch payload"),
            device_id=_uuid(d, "device_id", "batch payload"),
            device_seq=_get(d, "device_seq", int, "batch payload"),
            audit_head=_get(d, "audit_head", str, "batch payload"),
            records=tuple(records),
        )


def record_hash(record: Mapping[str, Any], suite: str = INTL) -> str:
    """Hash (SHA-256, or SM3 on ``gm``) hex of one record's canonical JSON: the manifest entry
    that proves authorship."""
    return hash_hex(suite, canonical_json(record))


def _suite(d: Mapping[str, Any], what: str) -> str:
    try:
        return check_suite(d.get("suite", INTL))
    except SuiteError as exc:
        raise ProtocolError("invalid_document", f"{what}: {exc}") from exc


def _put_suite(d: dict[str, Any], suite: str) -> dict[str, Any]:
    """Name a non-default suite in a document (an intl document stays as it always was)."""
    if suite != INTL:
        d["suite"] = suite
    return d


@dataclass(frozen=True)
class Envelope:
    """A sealed, signed batch: what ``POST /v1/batches`` receives (``SealedBatch.envelope``)."""

    batch_id: str
    device_id: str
    device_seq: int
    recipient_key_id: str
    payload_sha256: str  # of the ciphertext bytes
    content_sha256: str  # of the plaintext canonical JSON (before gzip)
    manifest: tuple[str, ...]  # record_hash() of each record, in payload order
    sealed_at: str  # client clock, informational only (never used for ordering)
    payload: bytes  # HPKE ciphertext (enc || ct)
    signature: bytes = b""
    protocol: int = PROTOCOL_VERSION
    suite: str = INTL  # signature and hashes (manifest, payload, content) of this suite

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "protocol": self.protocol,
            "type": "batch",
            "batch_id": self.batch_id,
            "device_id": self.device_id,
            "device_seq": self.device_seq,
            "recipient_key_id": self.recipient_key_id,
            "payload_sha256": self.payload_sha256,
            "content_sha256": self.content_sha256,
            "manifest": list(self.manifest),
            "sealed_at": self.sealed_at,
            "payload": b64e(self.payload),
        }
        _put_suite(d, self.suite)
        if self.signature:
            d["signature"] = b64e(self.signature)
        return d

    def signed_bytes(self) -> bytes:
        """The header: every member except ``signature`` and ``payload`` (the ciphertext is
        covered by ``payload_sha256``), so a relay can prove authorship without the payload."""
        return canonical_json(
            {k: v for k, v in self.to_dict().items() if k not in ("signature", "payload")}
        )

    def to_json(self) -> bytes:
        return canonical_json(self.to_dict())

    def envelope_sha256(self) -> str:
        """Identity of the envelope (used to tell a retry from a conflicting body)."""
        return hash_hex(self.suite, self.to_json())

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Envelope:
        check_protocol(d, "batch")
        _type(d, "batch", "batch")
        manifest = _get(d, "manifest", list, "batch")
        if not all(isinstance(h, str) and _HEX64_RE.match(h) for h in manifest):
            raise ProtocolError("invalid_document", "batch: manifest must list 64-hex hashes")
        seq = _get(d, "device_seq", int, "batch")
        if seq < 1:
            raise ProtocolError("invalid_document", "batch: device_seq must be >= 1")
        return cls(
            protocol=d["protocol"],
            batch_id=_uuid(d, "batch_id", "batch"),
            device_id=_uuid(d, "device_id", "batch"),
            device_seq=seq,
            recipient_key_id=_get(d, "recipient_key_id", str, "batch"),
            payload_sha256=_hex64(d, "payload_sha256", "batch"),
            content_sha256=_hex64(d, "content_sha256", "batch"),
            manifest=tuple(manifest),
            sealed_at=_get(d, "sealed_at", str, "batch"),
            payload=b64d(_get(d, "payload", str, "batch"), "payload"),
            signature=b64d(_get(d, "signature", str, "batch"), "signature"),
            suite=_suite(d, "batch"),
        )

    @classmethod
    def from_json(cls, body: bytes | str) -> Envelope:
        return cls.from_dict(parse_json_object(body))


def envelope_digest(envelope_json: bytes) -> str:
    """``Envelope.envelope_sha256()`` of stored envelope bytes (canonical JSON), in the suite the
    envelope names: what a receipt and a ``stale_sequence`` refusal must quote."""
    try:
        suite = check_suite(parse_json_object(envelope_json).get("suite", INTL))
    except (ProtocolError, SuiteError):
        suite = INTL
    return hash_hex(suite, envelope_json)


@dataclass(frozen=True)
class RecordStatus:
    record_uuid: str
    version: int
    status: str  # one of RECORD_STATUSES
    errors: tuple[Mapping[str, Any], ...] = ()  # {"code", "field", "params"}

    def to_dict(self) -> dict[str, Any]:
        return {
            "record_uuid": self.record_uuid,
            "version": self.version,
            "status": self.status,
            "errors": [dict(e) for e in self.errors],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> RecordStatus:
        status = _get(d, "status", str, "record status")
        if status not in RECORD_STATUSES:
            raise ProtocolError("invalid_document", f"unknown record status {status!r}")
        return cls(
            record_uuid=_get(d, "record_uuid", str, "record status"),
            version=_get(d, "version", int, "record status"),
            status=status,
            errors=tuple(d.get("errors") or ()),
        )


@dataclass(frozen=True)
class Receipt:
    """The server's signed verdict on a batch (identical bytes on every repeat)."""

    batch_id: str
    device_id: str
    device_seq: int
    envelope_sha256: str
    server_id: str
    received_at: str  # server clock, ISO 8601 UTC
    records: tuple[RecordStatus, ...]
    signature: bytes = b""
    suite: str = INTL

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "protocol": PROTOCOL_VERSION,
            "type": "receipt",
            "batch_id": self.batch_id,
            "device_id": self.device_id,
            "device_seq": self.device_seq,
            "envelope_sha256": self.envelope_sha256,
            "server_id": self.server_id,
            "received_at": self.received_at,
            "records": [r.to_dict() for r in self.records],
        }
        _put_suite(d, self.suite)
        if self.signature:
            d["signature"] = b64e(self.signature)
        return d

    def signed_bytes(self) -> bytes:
        return unsigned(self.to_dict())

    def to_json(self) -> bytes:
        return canonical_json(self.to_dict())

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Receipt:
        check_protocol(d, "receipt")
        _type(d, "receipt", "receipt")
        return cls(
            batch_id=_uuid(d, "batch_id", "receipt"),
            device_id=_uuid(d, "device_id", "receipt"),
            device_seq=_get(d, "device_seq", int, "receipt"),
            envelope_sha256=_hex64(d, "envelope_sha256", "receipt"),
            server_id=_get(d, "server_id", str, "receipt"),
            received_at=_get(d, "received_at", str, "receipt"),
            records=tuple(RecordStatus.from_dict(r) for r in _get(d, "records", list, "receipt")),
            signature=b64d(_get(d, "signature", str, "receipt"), "signature"),
            suite=_suite(d, "receipt"),
        )

    @classmethod
    def from_json(cls, body: bytes | str) -> Receipt:
        return cls.from_dict(parse_json_object(body))


@dataclass(frozen=True)
class StaleSequence:
    """The server's signed word that it never stored this batch and has accepted sequence
    numbers up to ``last_device_seq`` from the device (carried by a ``stale_sequence`` refusal
    as ``"refusal"``). A client may re-seal the batch's records above that mark."""

    batch_id: str
    device_id: str
    device_seq: int
    envelope_sha256: str
    last_device_seq: int
    server_id: str
    signature: bytes = b""
    suite: str = INTL

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "protocol": PROTOCOL_VERSION,
            "type": "stale_sequence",
            "batch_id": self.batch_id,
            "device_id": self.device_id,
            "device_seq": self.device_seq,
            "envelope_sha256": self.envelope_sha256,
            "last_device_seq": self.last_device_seq,
            "server_id": self.server_id,
        }
        _put_suite(d, self.suite)
        if self.signature:
            d["signature"] = b64e(self.signature)
        return d

    def signed_bytes(self) -> bytes:
        return unsigned(self.to_dict())

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> StaleSequence:
        check_protocol(d, "stale sequence")
        _type(d, "stale_sequence", "stale sequence")
        return cls(
            batch_id=_uuid(d, "batch_id", "stale sequence"),
            device_id=_uuid(d, "device_id", "stale sequence"),
            device_seq=_get(d, "device_seq", int, "stale sequence"),
            envelope_sha256=_hex64(d, "envelope_sha256", "stale sequence"),
            last_device_seq=_get(d, "last_device_seq", int, "stale sequence"),
            server_id=_get(d, "server_id", str, "stale sequence"),
            signature=b64d(_get(d, "signature", str, "stale sequence"), "signature"),
            suite=_suite(d, "stale sequence"),
        )


@dataclass(frozen=True)
class InboxMessage:
    """One signed downward message for one device."""

    device_id: str
    msg_seq: int  # increasing per server; a device sees its own in increasing order
    msg_id: str
    kind: str  # INBOX_KINDS; clients ignore (but acknowledge) kinds they do not know
    created_at: str  # server clock
    server_id: str
    body: Mapping[str, Any] = field(default_factory=dict)
    signature: bytes = b""
    suite: str = INTL

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "protocol": PROTOCOL_VERSION,
            "type": "inbox_message",
            "device_id": self.device_id,
            "msg_seq": self.msg_seq,
            "msg_id": self.msg_id,
            "kind": self.kind,
            "created_at": self.created_at,
            "server_id": self.server_id,
            "body": dict(self.body),
        }
        _put_suite(d, self.suite)
        if self.signature:
            d["signature"] = b64e(self.signature)
        return d

    def signed_bytes(self) -> bytes:
        return unsigned(self.to_dict())

    def to_json(self) -> bytes:
        return canonical_json(self.to_dict())

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> InboxMessage:
        check_protocol(d, "inbox message")
        _type(d, "inbox_message", "inbox message")
        return cls(
            device_id=_uuid(d, "device_id", "inbox message"),
            msg_seq=_get(d, "msg_seq", int, "inbox message"),
            msg_id=_uuid(d, "msg_id", "inbox message"),
            kind=_get(d, "kind", str, "inbox message"),
            created_at=_get(d, "created_at", str, "inbox message"),
            server_id=_get(d, "server_id", str, "inbox message"),
            body=_get(d, "body", dict, "inbox message"),
            signature=b64d(_get(d, "signature", str, "inbox message"), "signature"),
            suite=_suite(d, "inbox message"),
        )


@dataclass(frozen=True)
class InboxPage:
    messages: tuple[InboxMessage, ...]
    more: bool

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> InboxPage:
        check_protocol(d, "inbox page")
        return cls(
            messages=tuple(
                InboxMessage.from_dict(m) for m in _get(d, "messages", list, "inbox page")
            ),
            more=bool(d.get("more", False)),
        )

    @classmethod
    def from_json(cls, body: bytes | str) -> InboxPage:
        return cls.from_dict(parse_json_object(body))


def request_signing_bytes(
    method: str, target: str, nonce: str, device_id: str, body: bytes, suite: str = INTL
) -> bytes:
    """What a device signs for an authenticated request (see PROTOCOL.md, "Signed requests").

    ``target`` is the path plus ``?query`` exactly as sent (requests: ``PreparedRequest.path_url``).
    On ``gm`` the document names its suite and the body hash is SM3 (``body_sm3``).
    """
    doc: dict[str, Any] = {
        "protocol": PROTOCOL_VERSION,
        "type": "request",
        "method": method.upper(),
        "target": target,
        "nonce": nonce,
        "device_id": device_id,
    }
    if suite == INTL:
        doc["body_sha256"] = sha256_hex(body)
    else:
        doc["body_sm3"] = hash_hex(suite, body)
    return canonical_json(_put_suite(doc, suite))


def device_key_proof_bytes(device_id: str, public_key: bytes) -> bytes:
    """What a device's new key signs when it is registered (``POST /v1/device/key``): proof
    that the holder of the new key asked for it (PROTOCOL.md, "Re-keying")."""
    return canonical_json(
        {"type": "device_key_proof", "device_id": device_id, "public_key": public_key.hex()}
    )


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    """The JSON of every refusal: ``{"error": code, "message": text, ...}``."""
    return {"error": code, "message": message, **extra}
