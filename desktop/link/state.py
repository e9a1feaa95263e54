"""Enrollment state and sync bookkeeping kept in the encrypted workspace settings.

Everything here lives in ``ws.settings`` (JSON values inside the SQLCipher database): the
device's Ed25519 private key never touches a plain file. Keys used:

- ``sync.enrollment``: server URL, device id, org unit, server keys, CA certificate, device key
- ``sync.auto``: automatic sync when the server is reachable (default on)
- ``sync.last_success``: ISO time of the last complete sync (the status bar shows it)
- ``sync.org_units``: the org-unit tree received from the county
- ``sync.inbox_applied``: ids of inbox messages already applied (idempotent re-application)
- ``sync.inbox_held``: inbox messages that failed for a passing reason (a busy database, a record
  that cannot change now), kept whole and applied again at the start of the next sync
- ``sync.inbox_set_aside``: inbox messages that can never apply here (kind, reason, time; the
  record's uuid for one record of a ``review_decisions`` message), for the Sync page; they are
  not retried

The batch history and the refused records are not kept here: a receipt is stored once, with the
outbox update in one transaction (:meth:`desktop.store.outbox.StoreOutbox.acknowledge`), and
:func:`history` / :func:`rejected` read it from there for the Sync page and the CLI.
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Protocol, cast

ENROLLMENT_KEY = "sync.enrollment"
AUTO_KEY = "sync.auto"
LAST_SUCCESS_KEY = "sync.last_success"
HISTORY_KEY = "sync.history"  # up to issue 21: history and refusals are read from the outbox
REJECTED_KEY = "sync.rejected"
ORG_UNITS_KEY = "sync.org_units"
APPLIED_KEY = "sync.inbox_applied"
HELD_KEY = "sync.inbox_held"
SET_ASIDE_KEY = "sync.inbox_set_aside"
HISTORY_LIMIT = 200
APPLIED_LIMIT = 2000
SET_ASIDE_LIMIT = 200


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


def history(source: Any) -> list[dict[str, Any]]:
    """Batches acknowledged, newest first: batch id, device seq, counts, receipt time — read
    from the receipts stored in the outbox (``source``: the workspace or its settings)."""
    return _outbox(source).history(HISTORY_LIMIT)


def rejected(source: Any) -> list[dict[str, Any]]:
    """Records the county refused (latest verdict), with error codes (no field values), until
    sent again and received — read from the outbox (``source``: the workspace or its settings)."""
    return _outbox(source).rejected()


def _outbox(source: Any) -> Any:
    """The outbox of a workspace, or of the workspace a settings object belongs to."""
    outbox = getattr(source, "outbox", None)
    if outbox is None:
        raise TypeError("history and rejected records need the workspace (or ws.settings)")
    return outbox


def applied_ids(settings: Settings) -> list[str]:
    return list(settings.get(APPLIED_KEY, []) or [])


def mark_applied(settings: Settings, message_id: str) -> None:
    ids = applied_ids(settings)
    if message_id not in ids:
        ids.append(message_id)
        settings.set(APPLIED_KEY, ids[-APPLIED_LIMIT:])


def _settings(source: Any) -> Settings:
    """``ws.settings`` of a workspace, or the settings object itself."""
    return cast(Settings, getattr(source, "settings", source))


def held(source: Any) -> list[dict[str, Any]]:
    """Inbox messages kept for the next sync (id, kind, body, attempts, last reason)."""
    return list(_settings(source).get(HELD_KEY, []) or [])


def save_held(settings: Settings, entries: list[dict[str, Any]]) -> None:
    if entries or settings.get(HELD_KEY):
        settings.set(HELD_KEY, entries)


def set_aside(source: Any) -> list[dict[str, Any]]:
    """Inbox messages that cannot apply here, newest first: id, kind, reason, time (no body
    values: the Sync page shows these)."""
    return list(_settings(source).get(SET_ASIDE_KEY, []) or [])


def add_set_aside(settings: Settings, entry: Mapping[str, Any]) -> None:
    """Add (or replace) the entry of a message, or of one record of a ``review_decisions``
    message (``record_uuid``): one entry per message and record."""

    def key(e: Mapping[str, Any]) -> tuple[Any, Any]:
        return e.get("msg_id"), e.get("record_uuid")

    items = [e for e in set_aside(settings) if key(e) != key(entry)]
    items.insert(0, dict(entry))
    settings.set(SET_ASIDE_KEY, items[:SET_ASIDE_LIMIT])
