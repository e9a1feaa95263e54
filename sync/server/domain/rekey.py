"""Moving a server and its devices to another crypto suite (``rotate-key --crypto-suite gm``).

1. The server's signing and sealing keys move to the new suite (``config.rotate_server_keys``;
   the old ones are kept in ``keys/retired/``).
2. ``announce`` queues a ``server_keys`` message to every device whose key is of the old suite,
   signed with the key the device knows (the old one): the new server keys, and the suite the
   device's key must be of.
3. The device makes a key of that suite and registers it with ``POST /v1/device/key``, a request
   signed with its old key whose body carries a proof of possession of the new one
   (``register``). The old public key is kept in ``device_keys``, so what the device signed
   before stays verifiable (``known_keys``), here and, through the acceptances that name it,
   at the province.

Until a device has moved, the server signs what it sends that device with the retired key of the
device's suite (``signing_key_for``), and opens what it sealed to the old sealing key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from sync import crypto
from sync.protocol import (
    PROTOCOL_VERSION,
    ProtocolError,
    b64d,
    canonical_json,
    device_key_proof_bytes,
)
from sync.server import tables
from sync.server.domain import audit_log
from sync.server.domain.service import Server
from sync.server.errors import SyncError
from sync.server.store import now_iso

KIND = "server_keys"


def known_keys(server: Server, device: Any) -> list[bytes]:
    """The device's current public key, then the ones it was re-keyed from (newest first)."""
    return server.store.device_public_keys(device)


def batch_signer(server: Server, device: Any, envelope_header: Mapping[str, Any]) -> bytes:
    """The key of ``device`` that signed a batch: its current one unless the device was
    re-keyed since and an older key verifies the header (what an acceptance must name)."""
    keys = known_keys(server, device)
    for key in keys[1:] if len(keys) > 1 else ():
        signature = envelope_header.get("signature")
        body = {k: v for k, v in envelope_header.items() if k not in ("signature", "payload")}
        try:
            if crypto.verify(key, b64d(signature, "signature"), canonical_json(body)):
                return key
        except ProtocolError:
            break
    return keys[0]


def announce(server: Server) -> int:
    """Queue ``server_keys`` (see :func:`announce_in`) in a transaction of its own."""
    with server.store.write() as conn:
        return announce_in(server, conn)


def announce_in(server: Server, conn: Connection, previous_key_id: str | None = None) -> int:
    """Queue ``server_keys`` to every active device that does not know the server's signing
    key (``devices.server_key_id``; ``previous_key_id``: the key the devices recorded before
    revision 0008 knew) and has no such message waiting, inside the caller's transaction. A
    township or reviewer is asked to re-key to the server's suite; a county at a province keeps
    its own suite and only learns the new keys. Returns how many were queued."""
    suite = server.data.signing_suite
    current = crypto.key_id(server.signing_public)
    if previous_key_id is not None:  # devices from before 0008 knew the key just replaced
        conn.execute(
            update(tables.devices)
            .where(tables.devices.c.server_key_id.is_(None))
            .values(server_key_id=previous_key_id)
        )
    rows = conn.execute(
        select(
            tables.devices.c.device_id,
            tables.devices.c.public_key,
            tables.devices.c.role,
            tables.devices.c.server_key_id,
        ).where(tables.devices.c.revoked_at.is_(None))
    ).all()
    waiting: set[str] = set(
        conn.execute(
            select(tables.inbox.c.device_id).where(
                tables.inbox.c.kind == KIND, tables.inbox.c.acked_at.is_(None)
            )
        ).scalars()
    )
    keys = server.server_keys().to_dict()
    messages = []
    for r in rows:
        own = crypto.suite_of_key(bytes(r.public_key))
        told = r.server_key_id == current or (r.server_key_id is None and own == suite)
        if told or r.device_id in waiting:
            continue
        # a county at a province keeps its own suite: it only learns the new keys
        messages.append((r.device_id, KIND, {"server": keys,
                         "device_suite": own if r.role == "county" else suite}))  # fmt: skip
    moving = [d for d, _k, _b in messages]
    server.enqueue_many(conn, messages)
    if moving:
        audit_log.append(conn, "keys_announced", "admin", "devices", {"devices": len(moving),
                         "suite": suite})  # fmt: skip
    return len(moving)


def register(server: Server, device: Any, doc: Mapping[str, Any]) -> dict[str, Any]:
    """``POST /v1/device/key`` (signed with the device's current key): its new key."""
    try:
        if doc.get("type") != "device_key":
            raise ProtocolError("invalid_document", "device key: 'type' must be 'device_key'")
        new_key = b64d(doc.get("public_key"), "public_key")
        proof = b64d(doc.get("proof"), "proof")
    except ProtocolError as exc:
        raise SyncError(422, exc.code, exc.message) from exc
    if len(new_key) not in (32, 64):
        raise SyncError(
            422, "invalid_document", "public_key must be 32 (Ed25519) or 64 (SM2) bytes"
        )
    suite = crypto.suite_of_key(new_key)
    if device.role != "county" and suite != server.data.signing_suite:
        raise SyncError(422, "invalid_document",
                        f"this server uses the {server.data.signing_suite} crypto suite: the "
                        f"new device key must be of it, not {suite}")  # fmt: skip
    if not crypto.verify(new_key, proof, device_key_proof_bytes(device.device_id, new_key)):
        raise SyncError(401, "bad_signature", "the new key's proof of possession does not verify")
    old = bytes(device.public_key)
    if old != new_key:
        with server.store.write() as conn:
            conn.execute(tables.device_keys.insert().values(
                device_id=device.device_id, public_key=old, retired_at=now_iso()))  # fmt: skip
            conn.execute(
                update(tables.devices)
                .where(tables.devices.c.device_id == device.device_id)
                .values(public_key=new_key, server_key_id=crypto.key_id(server.signing_public))
            )
            # key ids are hex, which the audit log's personal-value guard may take for digits
            audit_log.append(conn, "device_rekeyed", device.device_id, device.org_unit,
                             {"suite": suite})  # fmt: skip
        server.log.info(
            "device re-keyed device=%s suite=%s key=%s",
            device.device_id, suite, crypto.key_id(new_key),
        )  # fmt: skip
    return {"protocol": PROTOCOL_VERSION, "type": "device_key_registered", "suite": suite,
            "key_id": crypto.key_id(new_key)}  # fmt: skip
