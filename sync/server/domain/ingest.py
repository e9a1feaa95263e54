"""Batch ingest: verify, deduplicate, decrypt, re-validate, store, and sign the receipt.

Order of checks and their error codes: sync/PROTOCOL.md, "Batches". A batch-level refusal stores
nothing; a record-level rejection only marks that record ``rejected`` in the receipt.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from sync import crypto
from sync.protocol import (
    MAX_VERSION,
    BatchPayload,
    Envelope,
    ProtocolError,
    Receipt,
    RecordStatus,
    StaleSequence,
    parse_json_object,
)
from sync.server.domain.formset import validation_errors
from sync.server.domain.province import judge_relayed
from sync.server.domain.record_rows import RecordRow, insert_records, record_row
from sync.server.domain.rekey import known_keys
from sync.server.domain.service import Server, _protocol_status
from sync.server.domain.transfers import FORMS as TRANSFER_FORMS
from sync.server.domain.transfers import TransferJudge
from sync.server.errors import SyncError
from sync.server.store import now_iso
from sync.server.tables import batches, devices, records

_CRYPTO_STATUS = {
    "bad_signature": 401,
    "payload_hash_mismatch": 400,
    "wrong_recipient": 400,
    "decrypt_failed": 400,
    "bad_payload": 400,
    "manifest_mismatch": 400,
}


def _record_error(code: str, message: str, **params: Any) -> dict[str, Any]:
    return {"code": code, "field": None, "params": {"message": message, **params}}


def _status(record: Mapping[str, Any], status: str, errors: list[dict[str, Any]]) -> RecordStatus:
    uuid_ = record.get("uuid")
    version = record.get("version")
    return RecordStatus(
        record_uuid=uuid_ if isinstance(uuid_, str) else "",
        version=version if isinstance(version, int) and not isinstance(version, bool) else 0,
        status=status,
        errors=tuple(errors),
    )


def _shape_errors(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    problems = []
    for key, kind in (
        ("uuid", str),
        ("version", int),
        ("form_id", str),
        ("form_version", int),
        ("org_unit", str),
        ("data", dict),
    ):
        value = record.get(key)
        if (
            not isinstance(value, kind)
            or (kind is int and isinstance(value, bool))
            or (kind is int and isinstance(value, int) and not 1 <= value <= MAX_VERSION)
        ):
            problems.append(key)
    if problems:
        return [_record_error("sync.bad_record", "missing or mistyped members", members=problems)]
    return []


def parse_envelope(server: Server, body: bytes) -> Envelope:
    if len(body) > server.config.max_batch_bytes:
        raise SyncError(
            413,
            "batch_too_large",
            f"the batch is {len(body)} bytes; this server accepts at most "
            f"{server.config.max_batch_bytes}",
            max_batch_bytes=server.config.max_batch_bytes,
        )
    try:
        envelope = Envelope.from_dict(parse_json_object(body))
    except ProtocolError as exc:
        raise SyncError(_protocol_status(exc.code), exc.code, exc.message) from exc
    if len(envelope.manifest) > server.config.max_batch_records:
        raise SyncError(
            413,
            "too_many_records",
            f"the batch has {len(envelope.manifest)} records; this server accepts at most "
            f"{server.config.max_batch_records}",
            max_batch_records=server.config.max_batch_records,
        )
    return envelope


def ingest(server: Server, body: bytes) -> bytes:
    """Handle one ``POST /v1/batches`` body; returns the signed receipt bytes."""
    envelope = parse_envelope(server, body)
    ctx = f"device={envelope.device_id} seq={envelope.device_seq} batch={envelope.batch_id}"
    try:
        return _ingest(server, envelope, ctx)
    except SyncError as err:
        err.context = ctx
        raise


class _Race(Exception):
    """Another request stored this batch or used this sequence number meanwhile."""


def _ingest(server: Server, envelope: Envelope, ctx: str) -> bytes:
    device = server.active_device(envelope.device_id)
    try:  # signature, then the ciphertext against its signed hash (transport damage)
        signer = _signer(server, device, envelope)
    except crypto.CryptoError as exc:
        raise SyncError(_CRYPTO_STATUS.get(exc.code, 400), exc.code, exc.message) from exc
    env_hash = envelope.envelope_sha256()
    try:
        return _store_batch(server, envelope, device, env_hash, ctx, signer)
    except _Race as race:
        # e.g. the same batch sent twice at once (PostgreSQL has no in-process write lock):
        # the loser answers like a retry, or refuses like a conflicting body
        row = server.store.batch(envelope.batch_id)
        if (
            row is not None
            and row.envelope_sha256 == env_hash
            and row.device_id == device.device_id
        ):
            server.log.info("batch stored by a concurrent request, same receipt returned %s", ctx)
            return server.sealer.open_doc("receipt", envelope.batch_id, row.receipt)
        if row is not None:
            raise SyncError(
                409, "batch_conflict", "this batch id was already used for a different batch"
            ) from race
        raise SyncError(
            409, "stale_sequence", "the sequence number was used concurrently"
        ) from race


def _store_batch(
    server: Server, envelope: Envelope, device: Any, env_hash: str, ctx: str, signer: bytes
) -> bytes:
    with server.store.write() as conn:
        # the device's mark is read BEFORE looking for the batch: under PostgreSQL's read
        # committed, a concurrent copy of this batch that commits in between is then found
        # below (same receipt) instead of looking like a replayed sequence number
        last_seq: int = conn.execute(
            select(devices.c.last_seq).where(devices.c.device_id == device.device_id)
        ).scalar_one()
        existing = conn.execute(
            select(batches.c.envelope_sha256, batches.c.receipt, batches.c.device_id).where(
                batches.c.batch_id == envelope.batch_id
            )
        ).first()
        if existing is not None:
            if existing.envelope_sha256 == env_hash and existing.device_id == device.device_id:
                server.log.info("batch repeated, same receipt returned %s", ctx)
                return server.sealer.open_doc("receipt", envelope.batch_id, existing.receipt)
            raise SyncError(
                409, "batch_conflict", "this batch id was already used for a different batch"
            )
        if envelope.device_seq <= last_seq:
            raise SyncError(
                409,
                "stale_sequence",
                f"sequence number {envelope.device_seq} is not above the last accepted "
                f"{last_seq} (replayed or out of order)",
                last_device_seq=int(last_seq),
                refusal=_stale_refusal(server, envelope, env_hash, int(last_seq)),
            )
        try:
            payload = crypto.open_batch(
                envelope,
                hpke_key=server.hpke_key_for(envelope.recipient_key_id),
                device_public=signer,
                max_plain_bytes=max(64 * server.config.max_batch_bytes, 1 << 20),
            )
        except crypto.CryptoError as exc:
            raise SyncError(_CRYPTO_STATUS.get(exc.code, 400), exc.code, exc.message) from exc

        if device.role == "county":  # a county relaying accepted records
            statuses, rows, after_insert = judge_relayed(
                server, conn, device, payload, envelope.manifest
            )
        else:
            statuses, rows, after_insert = _judge(server, conn, device, payload, envelope.manifest)
        received_at = now_iso()
        receipt = crypto.sign_document(
            server.signing_key_for(bytes(device.public_key), device.server_key_id),
            Receipt(
                batch_id=envelope.batch_id,
                device_id=envelope.device_id,
                device_seq=envelope.device_seq,
                envelope_sha256=env_hash,
                server_id=server.config.server_id,
                received_at=received_at,
                records=tuple(statuses),
            ),
        )
        receipt_bytes = receipt.to_json()
        moved = conn.execute(
            update(devices)
            .where(
                devices.c.device_id == device.device_id, devices.c.last_seq < envelope.device_seq
            )
            .values(last_seq=envelope.device_seq)
        )
        if moved.rowcount != 1:  # a concurrent request of this device won the race
            raise _Race()
        try:
            conn.execute(
                batches.insert().values(
                    batch_id=envelope.batch_id,
                    device_id=device.device_id,
                    device_seq=envelope.device_seq,
                    envelope_sha256=env_hash,
                    envelope=envelope.to_json(),
                    receipt=server.sealer.seal_doc(
                        "receipt", envelope.batch_id, receipt_bytes
                    ).encode("utf-8"),
                    record_count=len(statuses),
                    received_count=sum(s.status == "received" for s in statuses),
                    rejected_count=sum(s.status == "rejected" for s in statuses),
                    received_at=received_at,
                )
            )
            insert_records(conn, server.sealer, rows, received_at)
            after_insert(conn, received_at)  # transfers / provenance, same transaction
        except IntegrityError as exc:  # a concurrent request stored the same batch / record
            raise _Race() from exc
        server.enqueue(
            conn, device.device_id, "receipt", {"receipt": parse_json_object(receipt_bytes)}
        )
    counts = {
        k: sum(s.status == k for s in statuses) for k in ("received", "duplicate", "rejected")
    }
    server.log.info(
        "batch accepted %s records=%d received=%d duplicate=%d rejected=%d",
        ctx,
        len(statuses),
        counts["received"],
        counts["duplicate"],
        counts["rejected"],
    )
    for status in statuses:
        if status.status == "rejected":
            server.log.info(
                "record rejected %s record=%s version=%s codes=%s",
                ctx,
                status.record_uuid,
                status.version,
                ",".join(sorted({str(e.get("code")) for e in status.errors})),
            )
    return receipt_bytes


def _stale_refusal(server: Server, envelope: Envelope, env_hash: str, last_seq: int) -> Any:
    """The signed part of a ``stale_sequence`` refusal: this batch was not stored, and the
    device's highest accepted sequence (the client re-seals above it; PROTOCOL.md)."""
    mark = StaleSequence(
        batch_id=envelope.batch_id,
        device_id=envelope.device_id,
        device_seq=envelope.device_seq,
        envelope_sha256=env_hash,
        last_device_seq=last_seq,
        server_id=server.config.server_id,
    )
    device = server.store.device(envelope.device_id)
    key = (
        server.signing_key_for(bytes(device.public_key), device.server_key_id)
        if device is not None
        else server.data.signing_key
    )
    return crypto.sign_document(key, mark).to_dict()


def _signer(server: Server, device: Any, envelope: Envelope) -> bytes:
    """The device key the envelope verifies with: its current one, or (a batch sealed before
    the device was re-keyed, domain/rekey.py) one it had before. Raises CryptoError."""
    current = bytes(device.public_key)
    try:
        crypto.verify_envelope(envelope, current)
        return current
    except crypto.CryptoError as exc:
        if exc.code != "bad_signature":
            raise
        for key in known_keys(server, device)[1:]:
            if crypto.verify_document(key, envelope):
                crypto.verify_envelope(envelope, key)
                return key
        raise


def _judge(
    server: Server, conn: Any, device: Any, payload: BatchPayload, manifest: tuple[str, ...]
) -> tuple[list[RecordStatus], list[RecordRow], Callable[[Any, str], None]]:
    """Per-record verdicts, the rows to insert for the received ones, and what to do after
    inserting them (transfers: sync/server/transfers.py).

    ``manifest[i]`` is ``record_hash(payload.records[i])`` (checked by ``open_batch``)."""
    keys = [(r["uuid"], r["version"]) for r in payload.records if not _shape_errors(r)]
    stored: dict[tuple[str, int], str] = {}
    newest: dict[str, int] = {}  # highest stored version per uuid (for conflict reports)
    for start in range(0, len(keys), 400):
        chunk = keys[start : start + 400]
        wanted = set(chunk)
        # by uuid (the unique index's leading column); row-value IN would scan on SQLite
        for row in conn.execute(
            select(records.c.record_uuid, records.c.version, records.c.record_sha256).where(
                records.c.record_uuid.in_({u for u, _ in chunk})
            )
        ):
            newest[row.record_uuid] = max(newest.get(row.record_uuid, 0), row.version)
            if (row.record_uuid, row.version) in wanted:
                stored[(row.record_uuid, row.version)] = row.record_sha256
    allowed = server.store.subtree_codes(device.org_unit)
    transfer_judge = TransferJudge(server, conn)
    statuses: list[RecordStatus] = []
    rows: list[RecordRow] = []
    seen: set[tuple[str, int]] = set()
    conflicted: set[str] = set()  # uuids with a version_conflict earlier in this batch
    for record, digest in zip(payload.records, manifest, strict=True):
        errors = _shape_errors(record)
        if errors:
            statuses.append(_status(record, "rejected", errors))
            continue
        key = (record["uuid"], record["version"])
        if key in seen:
            statuses.append(
                _status(record, "rejected", [_record_error("sync.duplicate_in_batch", "twice")])
            )
            continue
        seen.add(key)
        if record["org_unit"] not in allowed:
            statuses.append(
                _status(
                    record,
                    "rejected",
                    [
                        _record_error(
                            "sync.wrong_org_unit",
                            "record belongs to another org unit",
                            org_unit=record["org_unit"],
                            device_org_unit=device.org_unit,
                        )
                    ],
                )
            )
            continue
        if key in stored and stored[key] == digest:
            statuses.append(_status(record, "duplicate", []))
            continue
        if key in stored or record["uuid"] in conflicted:
            # edited on two copies (e.g. before and after a backup was restored): never overwrite
            conflicted.add(record["uuid"])
            message = "other content stored" if key in stored else "follows a conflicting version"
            statuses.append(
                _status(
                    record,
                    "rejected",
                    [
                        _record_error(
                            "sync.version_conflict",
                            message,
                            stored_version=newest.get(record["uuid"], 0),
                        )
                    ],
                )
            )
            continue
        form = server.forms.get(record["form_id"], record["form_version"])
        if form is None:
            statuses.append(
                _status(
                    record,
                    "rejected",
                    [
                        _record_error(
                            "sync.unknown_form",
                            "form id / version not known to the server",
                            form_id=record["form_id"],
                            form_version=record["form_version"],
                        )
                    ],
                )
            )
            continue
        try:
            errors = validation_errors(form, record["data"], record.get("status"))
        except Exception as exc:  # a defect in validation must not lose the whole batch
            server.log.error("validation crashed record=%s: %s", record["uuid"], type(exc).__name__)
            errors = [_record_error("sync.bad_record", "the record could not be validated")]
        if not errors and record["form_id"] in TRANSFER_FORMS:
            errors = transfer_judge.check(record)
        if errors:
            statuses.append(_status(record, "rejected", errors))
            continue
        statuses.append(_status(record, "received", []))
        rows.append(record_row(record, device.device_id, payload.batch_id, digest))
    return statuses, rows, transfer_judge.after_insert
