"""The server's behaviour without HTTP: enrollment, nonces, signed requests and the inbox.

Batch ingest lives in ``sync.server.ingest``; the FastAPI app (``sync.server.app``) only maps
HTTP to these methods. Every refusal raises ``SyncError``; the app logs and answers it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
import struct
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.engine import Connection, Row

from sync import crypto, crypto_gm, suites
from sync.protocol import (
    ENROLL_ALPHABET,
    ENROLL_SECRET_LEN,
    HEADER_DEVICE,
    HEADER_NONCE,
    HEADER_SIGNATURE,
    PROTOCOL_VERSION,
    SUPPORTED_PROTOCOLS,
    EnrollRequest,
    EnrollResponse,
    InboxMessage,
    OrgUnit,
    ProtocolError,
    ServerKeys,
    ca_check,
    format_enroll_code,
    sha256_hex,
    split_enroll_code,
)
from sync.server.config import DataDir, ServerSetupError
from sync.server.domain import audit_log
from sync.server.domain.formset import FormSet
from sync.server.domain.personal import Sealer, sensitive_paths
from sync.server.errors import SyncError
from sync.server.keyring import KeyringWatcher
from sync.server.store import Store, now_iso, revoke_device, upsert_org_unit
from sync.server.tables import devices, enroll_codes, inbox

ROLES = ("township", "reviewer", "county")


def handles(device: Any, kind: str) -> bool:
    """Whether ``device`` (a devices row) declared it applies inbox messages of ``kind``
    (``GET /v1/inbox?kinds=``; revision 0009)."""
    return kind in (getattr(device, "inbox_kinds", None) or "").split()


def org_unit_of(row: Row[Any]) -> OrgUnit:
    return OrgUnit(code=row.code, name=row.name, parent=row.parent, kind=row.kind)


class Server:
    """One county / provincial server: its data directory, database and form set."""

    def __init__(self, data: DataDir, store: Store | None = None) -> None:
        self.data = data
        self.config = data.config
        self.store = store or Store(data.db_url)
        # one child logger per server, so several servers in one process keep separate files
        self.log = logging.getLogger(f"uniondesk.server.{self.config.server_id[:8]}")
        self.forms = FormSet(self.store)
        self._sensitive: dict[tuple[str, int], frozenset[str]] = {}
        self.sealer = Sealer(KeyringWatcher(data.path, data.keys), self.sensitive_fields)
        self.signing_public = crypto.public_bytes(data.signing_key)
        self.hpke_public = crypto.public_bytes(data.hpke_key)
        self.hpke_key_id = crypto.key_id(self.hpke_public)
        # every key this server may have been sealed to, by key id (retired ones after a move
        # to another suite: townships not yet re-keyed seal to the key they know)
        self.hpke_keys = {
            crypto.key_id(crypto.public_bytes(k)): k for k in (*data.retired_hpke, data.hpke_key)
        }
        self.ca_pem = data.ca_pem()
        self._ca_check = ca_check(self.ca_pem)
        self._audit_hash_follows_suite()
        if self.store.org_unit(self.config.org_unit_code) is None:
            self.add_org_unit(
                self.config.org_unit_code, self.config.name, None, self.config.level, actor="init"
            )

    def _audit_hash_follows_suite(self) -> None:
        """The audit chain goes on with the hash of the server's suite (SM3 on gm): on a new
        server from its first entry, on one moved to another suite from the move (done by
        ``rotate-key --crypto-suite``; here too, for a move interrupted before it)."""
        suite = self.data.signing_suite
        with self.store.read() as conn:
            same = audit_log.chain_alg(conn) == audit_log.alg_of_suite(suite)
        if not same:
            with self.store.write() as conn:
                audit_log.move_chain(conn, suite)

    def signing_key_for(
        self, device_public: bytes | None, known_key_id: str | None = None
    ) -> crypto.SigningKey:
        """The key to sign what goes to a device: the one it knows (``devices.server_key_id``:
        given at enrollment, or by a ``server_keys`` message it acknowledged, domain/rekey.py),
        when that is the server's or a retired one; for a device from before that was
        recorded, the retired key of the device's suite when that is not the server's."""
        if known_key_id is not None:
            for key in (self.data.signing_key, *self.data.retired_signing):
                if crypto.key_id(crypto.public_bytes(key)) == known_key_id:
                    return key
        elif device_public is not None:
            suite = crypto.suite_of_key(bytes(device_public))
            if suite != self.data.signing_suite:
                for key in reversed(self.data.retired_signing):
                    if crypto.suite_of_key(key) == suite:
                        return key
        return self.data.signing_key

    def hpke_key_for(self, key_id: str) -> crypto.SealingKey:
        """The sealing key a batch names (``recipient_key_id``); the current one when unknown
        (the batch is then refused ``wrong_recipient``)."""
        return self.hpke_keys.get(key_id, self.data.hpke_key)

    def sensitive_fields(self, form_id: str, version: int) -> frozenset[str]:
        """The field paths the form definition marks ``sensitive`` (sealed at rest)."""
        key = (form_id, version)
        found = self._sensitive.get(key)
        if found is None:
            form = self.forms.get(form_id, version)
            found = sensitive_paths(form) if form is not None else frozenset()
            if form is not None:
                self._sensitive[key] = found
        return found

    # ------------------------------------------------------------------ public info

    def server_keys(self) -> ServerKeys:
        return ServerKeys(
            server_id=self.config.server_id,
            name=self.config.name,
            level=self.config.level,
            signing_key=self.signing_public,
            hpke_public_key=self.hpke_public,
            hpke_key_id=self.hpke_key_id,
            suite=self.data.signing_suite,
        )

    def info(self) -> dict[str, Any]:
        root = self.store.org_unit(self.config.org_unit_code)
        return {
            "protocol": PROTOCOL_VERSION,
            "supported": list(SUPPORTED_PROTOCOLS),
            **self.server_keys().to_dict(),
            "org_unit": org_unit_of(root).to_dict() if root else None,
            "limits": {
                "max_batch_records": self.config.max_batch_records,
                "max_batch_bytes": self.config.max_batch_bytes,
            },
            "time": now_iso(),
        }

    # ------------------------------------------------------------------ org units

    def add_org_unit(
        self, code: str, name: str, parent: str | None, kind: str, *, actor: str = "admin"
    ) -> bool:
        """Add or change an org unit, with its audit-log entry; True when it is new."""
        with self.store.write() as conn:
            added = upsert_org_unit(conn, code, name, parent, kind)
            audit_log.append(
                conn, "org_unit_changed", actor, code,
                {"change": "added" if added else "changed", "kind": kind},
            )  # fmt: skip
        return added

    # ------------------------------------------------------------------ enrollment

    def make_enroll_code(
        self,
        org_unit: str,
        *,
        role: str = "township",
        ttl_hours: float | None = None,
        actor: str = "admin",
    ) -> str:
        """A one-time code for a device of ``org_unit`` (which must exist)."""
        if role not in ROLES:
            raise ServerSetupError(f"role must be one of {', '.join(ROLES)}")
        if self.store.org_unit(org_unit) is None:
            raise ServerSetupError(
                f"unknown org unit {org_unit}; add it first (add-org-unit, or --org-unit-name)"
            )
        secret = "".join(secrets.choice(ENROLL_ALPHABET) for _ in range(ENROLL_SECRET_LEN))
        ttl = self.config.enroll_code_ttl_hours if ttl_hours is None else ttl_hours
        with self.store.write() as conn:
            conn.execute(
                enroll_codes.insert().values(
                    secret_hash=self._code_hashes(secret)[0],
                    org_unit=org_unit,
                    role=role,
                    created_at=now_iso(),
                    expires_at=time.time() + ttl * 3600,
                )
            )
            audit_log.append(
                conn,
                "enroll_code_issued",
                actor,
                org_unit,
                {"role": role, "ttl_hours": round(float(ttl), 2)},
            )
        self.log.info("enroll code created org_unit=%s role=%s ttl_h=%s", org_unit, role, ttl)
        return format_enroll_code(secret + self._ca_check)

    def _code_hashes(self, secret: str) -> tuple[str, ...]:
        """What ``enroll_codes.secret_hash`` holds for ``secret``: its SM3 on a gm server,
        SHA-256 on intl; first the one new codes get, then the other suite's, so a code issued
        before the server moved to gm (``rotate-key --crypto-suite gm``) still enrolls."""
        raw = secret.encode("ascii")
        gm, intl = suites.hash_hex(suites.GM, raw), sha256_hex(raw)
        return (gm, intl) if self.data.signing_suite == suites.GM else (intl, gm)

    def enroll(self, doc: Mapping[str, Any]) -> EnrollResponse:
        try:
            request = EnrollRequest.from_dict(doc)
            secret, check = split_enroll_code(request.code)
        except ProtocolError as exc:
            status = 403 if exc.code == "enroll_code_invalid" else _protocol_status(exc.code)
            raise SyncError(status, exc.code, exc.message) from exc
        if check != self._ca_check:
            raise SyncError(403, "enroll_code_invalid", "the code was made for another server")
        key_suite = crypto.suite_of_key(request.device_public_key)
        device_id = str(uuid.uuid4())
        with self.store.write() as conn:
            row = conn.execute(
                select(enroll_codes).where(
                    enroll_codes.c.secret_hash.in_(self._code_hashes(secret))
                )
            ).first()
            if row is None:
                raise SyncError(403, "enroll_code_invalid", "unknown enrollment code")
            if row.used_at is not None:
                raise SyncError(403, "enroll_code_used", "this enrollment code was already used")
            if row.expires_at < time.time():
                raise SyncError(403, "enroll_code_expired", "this enrollment code has expired")
            if key_suite != self.data.signing_suite and row.role != "county":
                # a province verifies counties of either suite; a county's own devices use its
                raise SyncError(
                    422,
                    "invalid_document",
                    f"this server uses the {self.data.signing_suite} crypto suite: the device "
                    f"key must be {_KEY_OF[self.data.signing_suite]}, not {_KEY_OF[key_suite]}",
                )
            claimed = conn.execute(
                update(enroll_codes)
                .where(enroll_codes.c.id == row.id, enroll_codes.c.used_at.is_(None))
                .values(used_at=now_iso(), device_id=device_id)
            )
            if claimed.rowcount != 1:
                raise SyncError(403, "enroll_code_used", "this enrollment code was already used")
            conn.execute(
                devices.insert().values(
                    device_id=device_id,
                    public_key=request.device_public_key,
                    org_unit=row.org_unit,
                    role=row.role,
                    label=request.label,
                    enrolled_at=now_iso(),
                    last_seq=0,
                    server_key_id=crypto.key_id(self.signing_public),
                )
            )
            org_unit_code, role = row.org_unit, row.role
            audit_log.append(conn, "device_enrolled", device_id, org_unit_code, {"role": role})
            if role == "township":  # offers sent to its unit before it was enrolled
                from sync.server.domain.transfers import open_offers

                open_offers(self, conn, device_id, org_unit_code)
        self.log.info(
            "device enrolled device=%s org_unit=%s role=%s", device_id, org_unit_code, role
        )
        view = self.store.org_unit_view(org_unit_code)
        own = next(u for u in view if u.code == org_unit_code)
        return EnrollResponse(
            device_id=device_id,
            org_unit=org_unit_of(own),
            server=self.server_keys(),
            ca_cert_pem=self.ca_pem,
            forms=tuple(self.forms.latest_definitions()),
            org_units=tuple(org_unit_of(u) for u in view),
            next_device_seq=1,
            max_batch_records=self.config.max_batch_records,
            max_batch_bytes=self.config.max_batch_bytes,
        )

    # ------------------------------------------------------------------ devices

    def revoke_device(self, device_id: str, *, actor: str = "admin") -> bool:
        """Cut a device off, with its audit-log entry; False when it was revoked before."""
        with self.store.write() as conn:
            revoked = revoke_device(conn, device_id)
            if revoked:
                audit_log.append(conn, "device_revoked", actor, device_id)
        return revoked

    def active_device(self, device_id: str) -> Row[Any]:
        row = self.store.device(device_id)
        if row is None:
            raise SyncError(403, "unknown_device", "this device is not enrolled here")
        if row.revoked_at is not None:
            raise SyncError(403, "device_revoked", "this device has been revoked")
        return row

    # ------------------------------------------------------------------ nonces and auth

    def issue_nonce(self) -> str:
        issued = struct.pack(">Q", int(time.time() * 1000))
        body = issued + os.urandom(16)
        mac = self._nonce_mac(body)
        return base64.urlsafe_b64encode(body + mac).decode("ascii").rstrip("=")

    def _nonce_mac(self, body: bytes, suite: str | None = None) -> bytes:
        """The nonce's 128-bit MAC: HMAC-SHA256, or HMAC-SM3 on a gm server."""
        if (suite or self.data.signing_suite) == suites.GM:
            return crypto_gm.hmac_sm3(self.data.nonce_secret, body)[:16]
        return hmac.new(self.data.nonce_secret, body, hashlib.sha256).digest()[:16]

    def _nonce_macs(self) -> tuple[str, ...]:
        """The suites whose nonce MAC is accepted: the server's, and for the few minutes a
        nonce lives after a move to another suite, the one it had (a serve restarted by
        ``rotate-key --crypto-suite`` still takes a nonce it issued just before)."""
        moved = {crypto.suite_of_key(k) for k in self.data.retired_signing}
        return (self.data.signing_suite, *sorted(moved - {self.data.signing_suite}))

    def _check_nonce(self, nonce: str) -> None:
        try:
            raw = base64.urlsafe_b64decode(nonce + "=" * (-len(nonce) % 4))
        except (ValueError, TypeError):
            raw = b""
        if len(raw) != 40:
            raise SyncError(401, "bad_nonce", "the nonce is not one this server issued")
        body, mac = raw[:24], raw[24:]
        if not any(hmac.compare_digest(mac, self._nonce_mac(body, s)) for s in self._nonce_macs()):
            raise SyncError(401, "bad_nonce", "the nonce is not one this server issued")
        issued_ms = struct.unpack(">Q", body[:8])[0]
        if time.time() * 1000 - issued_ms > self.config.nonce_ttl_seconds * 1000:
            raise SyncError(401, "bad_nonce", "the nonce has expired; ask for a new one")
        if not self.store.use_nonce(nonce, self.config.nonce_ttl_seconds):
            raise SyncError(401, "bad_nonce", "the nonce was already used; ask for a new one")

    def authenticate(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> Row[Any]:
        """Check a signed request (PROTOCOL.md, "Signed requests"); returns the device row."""
        device_id = headers.get(HEADER_DEVICE.lower()) or headers.get(HEADER_DEVICE)
        nonce = headers.get(HEADER_NONCE.lower()) or headers.get(HEADER_NONCE)
        signature = headers.get(HEADER_SIGNATURE.lower()) or headers.get(HEADER_SIGNATURE)
        if not (device_id and nonce and signature):
            raise SyncError(
                401,
                "auth_required",
                f"signed request headers {HEADER_DEVICE}, {HEADER_NONCE}, {HEADER_SIGNATURE} "
                "are required",
            )
        device = self.active_device(device_id)
        if not crypto.verify_request(
            device.public_key,
            signature,
            method=method,
            target=target,
            nonce=nonce,
            device_id=device_id,
            body=body,
        ):
            raise SyncError(401, "bad_signature", "the request signature does not verify")
        self._check_nonce(nonce)
        return device

    # ------------------------------------------------------------------ inbox

    def enqueue(self, conn: Connection, device_id: str, kind: str, body: Mapping[str, Any]) -> int:
        """Add a signed message for one device inside the caller's transaction."""
        return self.enqueue_many(conn, [(device_id, kind, body)])[0]

    def enqueue_many(
        self, conn: Connection, messages: Sequence[tuple[str, str, Mapping[str, Any]]]
    ) -> list[int]:
        """Add signed messages ``(device_id, kind, body)`` inside the caller's transaction, in
        sets: the rows first (their ``msg_seq`` is in the signed message), then the sealed
        messages. Returns the ``msg_seq`` of each, in order."""
        if not messages:
            return []
        created = now_iso()
        ids = [str(uuid.uuid4()) for _ in messages]
        conn.execute(
            inbox.insert(),
            [
                {"msg_id": i, "device_id": d, "kind": k, "message": b"", "created_at": created}
                for i, (d, k, _b) in zip(ids, messages, strict=True)
            ],
        )
        seqs: dict[str, int] = {}
        for start in range(0, len(ids), 400):
            part = ids[start : start + 400]
            query = select(inbox.c.msg_id, inbox.c.msg_seq).where(inbox.c.msg_id.in_(part))
            seqs.update({r.msg_id: int(r.msg_seq) for r in conn.execute(query)})
        keys: dict[str, tuple[bytes, str | None]] = {}
        if self.data.retired_signing:  # a device not told of the new key gets the one it knows
            wanted = list({d for d, _k, _b in messages})
            for start in range(0, len(wanted), 400):
                query = select(
                    devices.c.device_id, devices.c.public_key, devices.c.server_key_id
                ).where(devices.c.device_id.in_(wanted[start : start + 400]))
                keys.update(
                    {r.device_id: (bytes(r.public_key), r.server_key_id)
                     for r in conn.execute(query)}
                )  # fmt: skip
        sealed = []
        for msg_id, (device_id, kind, body) in zip(ids, messages, strict=True):
            message = crypto.sign_document(
                self.signing_key_for(*keys.get(device_id, (None, None))),
                InboxMessage(
                    device_id=device_id,
                    msg_seq=seqs[msg_id],
                    msg_id=msg_id,
                    kind=kind,
                    created_at=created,
                    server_id=self.config.server_id,
                    body=dict(body),
                ),
            )
            doc = self.sealer.seal_doc("inbox", msg_id, message.to_json())
            sealed.append({"seq": seqs[msg_id], "m": doc.encode("utf-8")})
        conn.execute(
            update(inbox).where(inbox.c.msg_seq == bindparam("seq")).values(message=bindparam("m")),
            sealed,
        )
        return [seqs[i] for i in ids]

    def broadcast(self, kind: str, body: Mapping[str, Any], org_unit: str | None = None) -> int:
        """Queue one message for every active device (optionally only those within a unit)."""
        count = 0
        targets = [
            d
            for d in self.store.list_devices()
            if d.revoked_at is None
            and (org_unit is None or self.store.is_within(d.org_unit, org_unit))
        ]
        with self.store.write() as conn:
            for device in targets:
                self.enqueue(conn, device.device_id, kind, body)
                count += 1
        return count

    def publish_org_units(self) -> int:
        """Send every active device its current view of the org-unit tree (``org_units``)."""
        views = [
            (d.device_id, [org_unit_of(u).to_dict() for u in self.store.org_unit_view(d.org_unit)])
            for d in self.store.list_devices()
            if d.revoked_at is None
        ]
        with self.store.write() as conn:
            for device_id, view in views:
                self.enqueue(conn, device_id, "org_units", {"org_units": view})
        return len(views)

    def note_inbox_kinds(self, device: Any, kinds: tuple[str, ...] | None) -> None:
        """Remember the inbox kinds ``device`` declared reading its inbox (None: it declared
        none, e.g. a release from before the declaration; it then gets only what every release
        knows). Written only when it changed: a device declares on every read."""
        value = " ".join(sorted(set(kinds))) if kinds else None
        if getattr(device, "inbox_kinds", None) == value:
            return
        with self.store.write() as conn:
            conn.execute(
                update(devices)
                .where(devices.c.device_id == device.device_id)
                .values(inbox_kinds=value)
            )

    def inbox_page(self, device_id: str, after: int, limit: int) -> tuple[list[bytes], bool]:
        with self.store.read() as conn:
            rows = list(
                conn.execute(
                    select(inbox.c.msg_id, inbox.c.message)
                    .where(
                        inbox.c.device_id == device_id,
                        inbox.c.msg_seq > after,
                        inbox.c.acked_at.is_(None),
                    )
                    .order_by(inbox.c.msg_seq)
                    .limit(limit + 1)
                )
            )
        opened = [self.sealer.open_doc("inbox", r.msg_id, r.message) for r in rows[:limit]]
        return opened, len(rows) > limit

    def ack(self, device_id: str, up_to: int | None, msg_seqs: list[int] | None = None) -> int:
        """Acknowledge this device's messages with ``msg_seq <= up_to`` and / or those listed."""
        chosen = []
        if up_to is not None:
            chosen.append(inbox.c.msg_seq <= up_to)
        if msg_seqs:
            chosen.append(inbox.c.msg_seq.in_(msg_seqs))
        if not chosen:
            return 0
        with self.store.write() as conn:
            told = conn.execute(
                select(inbox.c.msg_seq).where(
                    inbox.c.device_id == device_id, inbox.c.acked_at.is_(None),
                    inbox.c.kind == "server_keys", or_(*chosen),
                ).limit(1)
            ).first()  # fmt: skip
            result = conn.execute(
                update(inbox)
                .where(inbox.c.device_id == device_id, inbox.c.acked_at.is_(None), or_(*chosen))
                .values(acked_at=now_iso())
            )
            if told is not None:  # it has the server's new keys: what it gets is signed so
                conn.execute(
                    update(devices)
                    .where(devices.c.device_id == device_id)
                    .values(server_key_id=crypto.key_id(self.signing_public))
                )
        return int(result.rowcount)


_KEY_OF = {"intl": "an Ed25519 key (32 bytes)", "gm": "an SM2 key (64 bytes)"}


def _protocol_status(code: str) -> int:
    return {"malformed_json": 400, "unsupported_protocol": 400}.get(code, 422)
