"""Enrollment state and sync bookkeeping kept in the encrypted workspace settings.

Everything here lives in ``ws.settings`` (JSON values inside the SQLCipher database): the
device's Ed25519 private key never touches a plain file. Keys used:

- ``sync.enrollment``: server URL, device id, org unit, server keys, CA certificate, device key
- ``sync.auto``: automatic sync when the server is reachable (default on)
- ``sync.last_success``: ISO time of the last complete sync (the status bar shows it)
- ``sync.history``: the newest batches with their receipts (counts and ids, no personal data)
- ``sync.rejected``: records the county refused, with error codes, until sent again
- ``sync.org_units``: the org-unit tree received from the county
- ``sync.inbox_applied``: ids of inbox messages already applied (idempotent re-application)
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Protocol

ENROLLMENT_KEY = "sync.enrollment"
AUTO_KEY = "sync.auto"
LAST_SUCCESS_KEY = "sync.last_success"
HISTORY_KEY = "sync.history"
REJECTED_KEY = "sync.rejected"
ORG_UNITS_KEY = "sync.org_units"
APPLIED_KEY = "sync.inbox_applied"
HISTORY_LIMIT = 200
APPLIED_LIMIT = 2000


class Settings(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...
    def set(self, key: str, value: Any) -> None: ...


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


@dataclass(frozen=True)
class Enrollment:
    """What a device knows about the county it is enrolled with."""

    server_url: str
    device_id: str
    org_unit: str
    server_name: str
    server_signing_key: str  # base64 raw Ed25519 (intl) or SM2 (gm, 64 bytes) public key
    server_hpke_key: str  # base64 raw X25519 (intl) or SM2 (gm) public key
    ca_pem: str
    # base64 raw device private key, only ever inside the workspace: the 32-byte Ed25519 seed
    # (intl) or the 96-byte SM2 key pair (gm), made for the county's suite at enrollment
    device_private_key: str
    enrolled_at: str
    org_unit_name: str = ""
    server_id: str = ""
    max_batch_records: int = 1000
    max_batch_bytes: int = 8 * 1024 * 1024
    # space-separated base64 keys the county signed with before it moved to another suite
    server_previous_signing_keys: str = ""

    @property
    def crypto_suite(self) -> str:
        """The county's crypto suite, as learnt at enrollment: ``gm`` for an SM2 device key."""
        return "gm" if len(unb64(self.device_private_key)) == 96 else "intl"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Enrollment:
        values: dict[str, Any] = {}
        for name, f in cls.__dataclass_fields__.items():
            if name in raw:
                values[name] = int(raw[name]) if f.type == "int" else str(raw[name])
        return cls(**values)

    def ca_file(self) -> Path:
        """A file holding the pinned CA certificate (public data) for ``requests``' ``verify=``."""
        digest = hashlib.sha256(self.ca_pem.encode()).hexdigest()[:16]
        folder = (
            Path(tempfile.gettempdir())
            / f"uniondesk-ca-{os.getuid() if hasattr(os, 'getuid') else 0}"
        )
        folder.mkdir(mode=0o700, exist_ok=True)
        path = folder / f"{digest}.pem"
        if not path.exists() or path.read_text(encoding="ascii") != self.ca_pem:
            tmp = path.with_suffix(".tmp")
            tmp.write_text(self.ca_pem, encoding="ascii")
            tmp.replace(path)
        return path


def load_enrollment(settings: Settings) -> Enrollment | None:
    raw = settings.get(ENROLLMENT_KEY)
    return Enrollment.from_json(raw) if raw else None


def save_enrollment(settings: Settings, enrollment: Enrollment) -> None:
    settings.set(ENROLLMENT_KEY, enrollment.to_json())


def rekeyed(
    settings: Settings, device_key: bytes, signing_key: bytes, hpke_key: bytes,
    previous: tuple[bytes, ...],
) -> None:  # fmt: skip
    """The county moved to another crypto suite and this device registered a key of it: keep
    the new device key (inside the encrypted workspace) and the county's new public keys."""
    e = load_enrollment(settings)
    if e is None:
        return
    save_enrollment(settings, replace(
        e, device_private_key=b64(device_key), server_signing_key=b64(signing_key),
        server_hpke_key=b64(hpke_key),
        server_previous_signing_keys=" ".join(b64(k) for k in previous),
    ))  # fmt: skip


def auto_sync_enabled(settings: Settings) -> bool:
    return bool(settings.get(AUTO_KEY, True))


def set_auto_sync(settings: Settings, enabled: bool) -> None:
    settings.set(AUTO_KEY, bool(enabled))


def history(settings: Settings) -> list[dict[str, Any]]:
    """Batches sent, newest first: batch id, device seq, time, counts, receipt status."""
    return list(settings.get(HISTORY_KEY, []) or [])


def add_history(settings: Settings, entry: Mapping[str, Any]) -> None:
    items = [e for e in history(settings) if e.get("batch_id") != entry.get("batch_id")]
    items.insert(0, dict(entry))
    settings.set(HISTORY_KEY, items[:HISTORY_LIMIT])


def rejected(settings: Settings) -> list[dict[str, Any]]:
    """Records the county refused: uuid, version, form id, error codes (no field values)."""
    return list(settings.get(REJECTED_KEY, []) or [])


def update_rejected(
    settings: Settings, refused: list[Mapping[str, Any]], accepted_uuids: set[str]
) -> None:
    """Add newly refused records, drop those that later went through."""
    refused_uuids = {r["record_uuid"] for r in refused}
    keep = [
        r
        for r in rejected(settings)
        if r["record_uuid"] not in accepted_uuids and r["record_uuid"] not in refused_uuids
    ]
    settings.set(REJECTED_KEY, [dict(r) for r in refused] + keep)


def applied_ids(settings: Settings) -> list[str]:
    return list(settings.get(APPLIED_KEY, []) or [])


def mark_applied(settings: Settings, message_id: str) -> None:
    ids = applied_ids(settings)
    if message_id not in ids:
        ids.append(message_id)
        settings.set(APPLIED_KEY, ids[-APPLIED_LIMIT:])
