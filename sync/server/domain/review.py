"""County review: reviewers list incoming records, open one with its history, accept or return it.

Reviewer devices (enrolled with ``enroll-code --role reviewer``) use signed requests under
``/v1/review/…`` (PROTOCOL.md, "Review"). A decision is stored once per ``(record_uuid,
version)``; a returned record goes back to the township device that sent it as a signed
``review_decision`` inbox message; an accepted one gets the county's signed *acceptance* and a
row in the relay queue naming the record version (``sync.server.relay`` builds the item from
the stored version and the acceptance when it relays), all in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    and_,
    func,
    select,
)
from sqlalchemy.engine import Connection

from sync import crypto
from sync.protocol import (
    PROTOCOL_VERSION,
    REVIEW_DECISIONS_KIND,
    Envelope,
    b64e,
)
from sync.server.domain import audit_log, rekey, stats_facts
from sync.server.domain.access import permissions_of
from sync.server.domain.service import Server, handles
from sync.server.errors import SyncError
from sync.server.store import Store, bulk_insert, now_iso
from sync.server.tables import devices, org_units, records, relay_items, reviews

DECISIONS = ("accepted", "returned")
STATUSES = ("pending", "accepted", "returned")
MAX_DECISIONS = 500
MAX_COMMENT = 2000
BATCH_KIND = REVIEW_DECISIONS_KIND  # all of a request's decisions for a device
BATCH_BYTES = 256 * 1024  # a longer one (long return comments) is sent as several messages

# --------------------------------------------------------------------------- helpers


def _reviewer(server: Server, device: Any) -> None:
    if device.role != "reviewer":
        raise SyncError(403, "not_a_reviewer", "this device is not enrolled as a reviewer")


def _title(content: Mapping[str, Any]) -> str:
    data = content.get("data") or {}
    for key in ("full_name", "name", "union_name", "item_id"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def _latest_rows(conn: Connection, allowed: set[str]) -> list[Any]:
    """The newest stored version of every record in ``allowed`` org units."""
    newest = (
        select(records.c.record_uuid, func.max(records.c.version).label("v"))
        .group_by(records.c.record_uuid)
        .subquery()
    )
    query = (
        select(records, reviews.c.decision, reviews.c.comment, reviews.c.decided_at)
        .join(
            newest,
            and_(records.c.record_uuid == newest.c.record_uuid, records.c.version == newest.c.v),
        )
        .outerjoin(
            reviews,
            and_(
                reviews.c.record_uuid == records.c.record_uuid,
                reviews.c.version == records.c.version,
            ),
        )
        .order_by(records.c.id)
    )
    return [r for r in conn.execute(query) if r.org_unit in allowed]


def queue(
    server: Server,
    device: Any,
    *,
    status: str | None = None,
    org_unit: str | None = None,
    form_id: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> dict[str, Any]:
    """The review queue: newest version of each record, filtered; counts per status."""
    _reviewer(server, device)
    allowed = server.store.subtree_codes(device.org_unit)
    if org_unit:
        allowed &= server.store.subtree_codes(org_unit)
    names = {u.code: u.name for u in server.store.all_org_units()}
    with server.store.read() as conn:
        rows = _latest_rows(conn, allowed)
    if form_id:
        rows = [r for r in rows if r.form_id == form_id]
    counts = {s: 0 for s in STATUSES}
    for r in rows:
        counts[r.decision or "pending"] += 1
    if status:
        rows = [r for r in rows if (r.decision or "pending") == status]
    out = []
    for r in rows[offset : offset + limit]:
        content = json.loads(r.content)
        out.append(
            {
                "record_uuid": r.record_uuid,
                "version": r.version,
                "form_id": r.form_id,
                "form_version": r.form_version,
                "org_unit": r.org_unit,
                "org_unit_name": names.get(r.org_unit, ""),
                "title": _title(content),
                "received_at": r.received_at,
                "status": r.decision or "pending",
                "comment": r.comment or "",
            }
        )
    return {
        "protocol": PROTOCOL_VERSION,
        "type": "review_queue",
        "records": out,
        "total": len(rows),
        "counts": counts,
    }


def _audit_head(server: Server, batch_id: str, cache: dict[str, str]) -> str:
    """The township's audit-chain head sealed in the batch (decrypted from the stored envelope)."""
    if batch_id in cache:
        return cache[batch_id]
    head = ""
    row = server.store.batch(batch_id)
    device = server.store.device(row.device_id) if row is not None else None
    if row is not None and device is not None:
        try:
            envelope = Envelope.from_json(bytes(row.envelope))
            payload = crypto.open_batch(
                envelope,
                hpke_key=server.hpke_key_for(envelope.recipient_key_id),
                device_public=rekey.batch_signer(server, device, envelope.to_dict()),
            )
            head = payload.audit_head
        except (crypto.CryptoError, ValueError):
            head = ""
    cache[batch_id] = head
    return head


def _check_unmask(server: Server, device: Any, record_uuid: str) -> None:
    """An unmask request: logged whether allowed or not; refused (403) without the permission."""
    allowed = "unmask" in permissions_of(device)
    action = "unmask" if allowed else "unmask_refused"
    with server.store.write() as conn:
        audit_log.append(conn, action, device.device_id, record_uuid)
    server.log.info("review %s device=%s record=%s", action, device.device_id, record_uuid)
    if not allowed:
        raise SyncError(
            403,
            "review.unmask_forbidden",
            "this reviewer device may not see unmasked personal values (ask the county's "
            "administrator for the unmask permission)",
        )


def detail(server: Server, device: Any, record_uuid: str, unmask: bool = False) -> dict[str, Any]:
    """One record: every stored version (oldest first) with its decision and audit head.
    Sensitive values are masked unless ``unmask`` (the device's permission; audited)."""
    _reviewer(server, device)
    if unmask:
        _check_unmask(server, device, record_uuid)
    allowed = server.store.subtree_codes(device.org_unit)
    with server.store.read() as conn:
        rows = list(
            conn.execute(
                select(records, devices.c.label)
                .join(devices, devices.c.device_id == records.c.device_id)
                .where(records.c.record_uuid == record_uuid)
                .order_by(records.c.version)
            )
        )
        decided = {
            r.version: r
            for r in conn.execute(select(reviews).where(reviews.c.record_uuid == record_uuid))
        }
    rows = [r for r in rows if r.org_unit in allowed]
    if not rows:
        raise SyncError(404, "unknown_record", "no such record for this reviewer")
    heads: dict[str, str] = {}
    versions = []
    for r in rows:
        content = server.sealer.open_content(r.content)
        if not unmask:
            content = server.sealer.masked_record(content)
        d = decided.get(r.version)
        versions.append(
            {
                "version": r.version,
                "form_id": r.form_id,
                "form_version": r.form_version,
                "org_unit": r.org_unit,
                "data": content.get("data", {}),
                "updated_by": content.get("updated_by"),
                "updated_at": content.get("updated_at"),
                "received_at": r.received_at,
                "device_id": r.device_id,
                "device_label": r.label,
                "batch_id": r.batch_id,
                "audit_head": _audit_head(server, r.batch_id, heads),
                "decision": None
                if d is None
                else {
                    "decision": d.decision,
                    "comment": d.comment,
                    "reviewer": d.reviewer,
                    "decided_at": d.decided_at,
                },
            }
        )
    return {
        "protocol": PROTOCOL_VERSION,
        "type": "review_record",
        "record_uuid": record_uuid,
        "status": (versions[-1]["decision"] or {}).get("decision", "pending"),
        "masked": not unmask,
        "may_unmask": "unmask" in permissions_of(device),
        "versions": versions,
    }


def _township_key(
    server: Server, row: Any, township: Any, cache: dict[tuple[str, str], bytes] | None = None
) -> bytes:
    """The township key that signed the record's batch (an older one if it was re-keyed).
    ``cache``: keyed by (device, batch) and by (device, ""), for a request's many records: the
    device's keys are read once, a re-keyed device's batch header is checked once per batch."""
    cache = {} if cache is None else cache
    single = (township.device_id, "")
    if single not in cache:
        keys = rekey.known_keys(server, township)
        cache[single] = bytes(township.public_key) if len(keys) == 1 else b""
    if cache[single]:
        return cache[single]
    per_batch = (township.device_id, row.batch_id)
    if per_batch not in cache:
        batch = server.store.batch(row.batch_id)
        header = envelope_header(bytes(batch.envelope)) if batch is not None else {}
        cache[per_batch] = rekey.batch_signer(server, township, header)
    return cache[per_batch]


def make_acceptance_json(
    server: Server,
    row: Any,
    township: Any,
    *,
    reviewer: str,
    reviewer_device_id: str,
    decided_at: str,
    key_cache: dict[tuple[str, str], bytes] | None = None,
) -> tuple[dict[str, Any], bytes]:
    """The county's signed statement that a reviewer accepted this exact record version, and
    its canonical JSON (encoded once, ``crypto.sign_dict_json``)."""
    doc = {
        "protocol": PROTOCOL_VERSION,
        "type": "acceptance",
        "decision": "accepted",
        "county_server_id": server.config.server_id,
        "county_org_unit": server.config.org_unit_code,
        "record_uuid": row.record_uuid,
        "version": row.version,
        "form_id": row.form_id,
        "form_version": row.form_version,
        "org_unit": row.org_unit,
        "record_sha256": row.record_sha256,
        "batch_id": row.batch_id,
        "township_device_id": township.device_id,
        "township_public_key": b64e(_township_key(server, row, township, key_cache)),
        "township_org_unit": township.org_unit,
        "reviewer": reviewer,
        "reviewer_device_id": reviewer_device_id,
        "decided_at": decided_at,
    }
    # record_sha256 is the record's manifest entry (the hash of the township batch's suite);
    # the acceptance names the county's suite when it is not intl
    return crypto.sign_dict_json(server.data.signing_key, doc)


def relay_item(record: Mapping[str, Any], batch_id: str, acceptance: Any) -> dict[str, Any]:
    """The relay item of one accepted record, built when it is relayed from the stored record
    version, its township batch and the review's acceptance (``sync.server.relay``; a queue
    row before revision 0013 holds it sealed). The township's envelope header is added then,
    once per relay batch: a 1000-record township batch has a 66 KB manifest, not to be stored
    or sent per record."""
    return {
        "type": "relayed_record",
        "record": dict(record),
        "township_batch_id": batch_id,
        "acceptance": dict(acceptance),
    }


def envelope_header(envelope_bytes: bytes) -> dict[str, Any]:
    """A stored township envelope without its ciphertext: enough to check the signature."""
    doc: dict[str, Any] = json.loads(envelope_bytes)
    doc.pop("payload", None)
    return doc


def _check_decision(raw: Any) -> tuple[str, int, str, str]:
    if not isinstance(raw, dict):
        raise SyncError(422, "invalid_document", "each decision must be an object")
    uuid_, version = raw.get("record_uuid"), raw.get("version")
    decision, comment = raw.get("decision"), raw.get("comment", "")
    if (
        not isinstance(uuid_, str)
        or not isinstance(version, int)
        or isinstance(version, bool)
        or decision not in DECISIONS
        or not isinstance(comment, str)
        or len(comment) > MAX_COMMENT
    ):
        raise SyncError(
            422,
            "invalid_document",
            "a decision needs record_uuid, version, decision (accepted|returned), comment",
        )
    if decision == "returned" and not comment.strip():
        raise SyncError(422, "comment_required", "a returned record needs a comment")
    return uuid_, version, decision, comment


def decide(server: Server, device: Any, doc: Mapping[str, Any]) -> dict[str, Any]:
    """Apply decisions ``{"type": "review_decisions", "reviewer": NAME, "decisions": [...]}``.

    Each decision is judged on its own (result ``ok`` / ``already_decided`` / an error code);
    the stored ones are committed together.
    """
    _reviewer(server, device)
    raw_list, reviewer = doc.get("decisions"), doc.get("reviewer")
    if (
        doc.get("type") != "review_decisions"
        or not isinstance(raw_list, list)
        or not 1 <= len(raw_list) <= MAX_DECISIONS
        or not isinstance(reviewer, str)
        or not 1 <= len(reviewer) <= 200
    ):
        raise SyncError(
            422,
            "invalid_document",
            f"expected {{type: review_decisions, reviewer, decisions: [1..{MAX_DECISIONS}]}}",
        )
    wanted = [_check_decision(r) for r in raw_list]
    allowed = server.store.subtree_codes(device.org_unit)
    decided_at = now_iso()
    with server.store.write() as conn:
        results = _decide_all(server, conn, device, allowed, wanted, reviewer, decided_at)
    stored = {
        d: sum(r["result"] == "ok" and r["decision"] == d for r in results) for d in DECISIONS
    }
    server.log.info(
        "review decisions device=%s accepted=%d returned=%d refused=%d",
        device.device_id,
        stored["accepted"],
        stored["returned"],
        sum(r["result"] not in ("ok", "already_decided") for r in results),
    )
    return {"protocol": PROTOCOL_VERSION, "type": "review_result", "results": results}


def _in_chunks(values: set[str]) -> list[list[str]]:
    ordered = sorted(values)
    return [ordered[i : i + 400] for i in range(0, len(ordered), 400)]


def _decide_all(
    server: Server,
    conn: Connection,
    device: Any,
    allowed: set[str],
    wanted: list[tuple[str, int, str, str]],
    reviewer: str,
    decided_at: str,
) -> list[dict[str, Any]]:
    """Judge every decision against what is stored, then write the stored ones in sets: one
    query per table to read, one multi-row statement per table to write (reviews, relay queue,
    audit log, inbox), all in the caller's transaction."""
    uuids = {u for u, _v, _d, _c in wanted}
    versions: dict[str, list[Any]] = {}
    earlier: dict[tuple[str, int], str] = {}
    for part in _in_chunks(uuids):
        for stored_row in conn.execute(
            select(records).where(records.c.record_uuid.in_(part)).order_by(records.c.version)
        ):
            if stored_row.org_unit in allowed:
                versions.setdefault(stored_row.record_uuid, []).append(stored_row)
        for r in conn.execute(
            select(reviews.c.record_uuid, reviews.c.version, reviews.c.decision).where(
                reviews.c.record_uuid.in_(part)
            )
        ):
            earlier[(r.record_uuid, r.version)] = r.decision
    device_ids = {row.device_id for rows in versions.values() for row in rows}
    townships = {
        d.device_id: d
        for part in _in_chunks(device_ids)
        for d in conn.execute(select(devices).where(devices.c.device_id.in_(part)))
    }
    results: list[dict[str, Any]] = []
    review_rows: list[dict[str, Any]] = []
    relay_rows: list[dict[str, Any]] = []
    audit: list[tuple[str, str, str, dict[str, Any]]] = []
    told: dict[str, list[dict[str, Any]]] = {}  # township device -> its decisions, in order
    accepted_records: list[dict[str, Any]] = []
    key_cache: dict[tuple[str, str], bytes] = {}
    for uuid_, version, decision, comment in wanted:
        base = {"record_uuid": uuid_, "version": version, "decision": decision}
        stored = versions.get(uuid_, [])
        row: Any = next((r for r in stored if r.version == version), None)
        if not stored:
            results.append({**base, "result": "unknown_record"})
            continue
        if row is None:
            results.append({**base, "result": "unknown_version"})
            continue
        if stored[-1].version != version:
            latest = stored[-1].version
            results.append({**base, "result": "stale_version", "latest_version": latest})
            continue
        if (uuid_, version) in earlier:
            same = earlier[(uuid_, version)] == decision
            results.append({**base, "result": "already_decided" if same else "decided_otherwise"})
            continue
        earlier[(uuid_, version)] = decision  # the same record twice in one request
        township = townships[row.device_id]
        acceptance, acceptance_json = None, b""
        if decision == "accepted":
            acceptance, acceptance_json = make_acceptance_json(
                server, row, township, reviewer=reviewer, reviewer_device_id=device.device_id,
                decided_at=decided_at, key_cache=key_cache)  # fmt: skip
            accepted_records.append(server.sealer.open_content(row.content))  # the facts'
            # queued as (record_uuid, version) alone: the relay builds the item from the stored
            # version and this review's acceptance (``relay.RelayOutbox.pending``), not sealed
            # here to be opened there
            relay_rows.append({"record_uuid": uuid_, "version": version, "state": "pending",
                               "item": None, "queued_at": decided_at})  # fmt: skip
        review_rows.append({
            "record_uuid": uuid_, "version": version, "decision": decision, "comment": comment,
            "reviewer": reviewer, "reviewer_device_id": device.device_id,
            "decided_at": decided_at,
            "acceptance": acceptance_json.decode("utf-8") if acceptance else None,
        })  # fmt: skip
        audit.append((f"record_{decision}", reviewer, uuid_,
                      {"decision": decision, "version": version}))  # fmt: skip
        told.setdefault(township.device_id, []).append({
            "record_uuid": uuid_, "version": version, "decision": decision, "comment": comment,
        })  # fmt: skip
        results.append({**base, "result": "ok"})
    if relay_rows:
        bulk_insert(conn, relay_items, relay_rows)
        # a stored record passed the full validation at ingest (one that fails is refused and
        # never stored), so it has no "required" error: not validated again for completeness,
        # the way the province's ingest notes the same records (validated=True there too)
        stats_facts.note_records(
            server, conn, accepted_records, server.config.org_unit_code, validated=True
        )
    if review_rows:
        bulk_insert(conn, reviews, review_rows)
        audit_log.append_many(conn, audit)
        server.enqueue_many(conn, decision_messages(townships, told, reviewer, decided_at))
    return results


def _by_size(decisions: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """``decisions`` in parts of about :data:`BATCH_BYTES` at most (long return comments)."""
    parts: list[list[dict[str, Any]]] = [[]]
    size = 0
    for d in decisions:
        cost = 160 + 3 * len(d["comment"])  # a decision's JSON, a comment's UTF-8 at most
        if parts[-1] and size + cost > BATCH_BYTES:
            parts.append([])
            size = 0
        parts[-1].append(d)
        size += cost
    return parts


def decision_messages(
    townships: Mapping[str, Any],
    told: Mapping[str, list[dict[str, Any]]],
    reviewer: str,
    decided_at: str,
) -> list[tuple[str, str, dict[str, Any]]]:
    """The inbox messages telling each township device its decisions: one ``review_decisions``
    message with all of them to a device that declared it applies that kind, one
    ``review_decision`` message per record to any other (a release from before)."""
    out: list[tuple[str, str, dict[str, Any]]] = []
    for device_id, decisions in told.items():
        if handles(townships[device_id], BATCH_KIND):
            for part in _by_size(decisions):
                body = {"reviewer": reviewer, "decided_at": decided_at, "decisions": part}
                out.append((device_id, BATCH_KIND, body))
        else:
            out += [(device_id, "review_decision", {**d, "reviewer": reviewer,
                     "decided_at": decided_at}) for d in decisions]  # fmt: skip
    return out


def org_unit_names(store: Store) -> dict[str, str]:
    with store.read() as conn:
        return {r.code: r.name for r in conn.execute(select(org_units.c.code, org_units.c.name))}
