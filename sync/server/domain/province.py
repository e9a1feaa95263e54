"""The provincial side of the relay: verify what a county relays, store it with its provenance,
keep per-record facts for the dashboards' aggregate counts (and their totals per county,
township and form, :mod:`~sync.server.domain.province_totals`, which ``aggregates`` reads).

A county is a device of the province (role ``county``; its device key is the county server's own
signing key). Its batches use the ordinary envelope; each payload record is a *relayed record*
(``sync.server.review.relay_item``): the township's record, the township's signed envelope header
(without ciphertext) and the county's signed acceptance. Before storing, the province checks, per
record (a refused record is ``rejected`` in the receipt, logged, and not stored):

1. ``relay.bad_item``: the item has the wrong shape;
2. ``relay.unknown_county``: the acceptance is not signed by the key of the county sending it;
3. ``relay.foreign_township``: the record or the township is not within that county;
4. ``relay.acceptance_mismatch``: the acceptance is about another record, version or content,
   or is not an acceptance;
5. ``relay.bad_township_signature``: the township envelope's signature does not verify with the
   township key the county vouched for, or the record is not in its signed manifest;
6. then like any record: duplicates, version conflicts and re-validation with the form.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from forms import membership
from sync import crypto
from sync.protocol import (
    BatchPayload,
    ProtocolError,
    RecordStatus,
    b64d,
    canonical_json,
    sha256_hex,
)
from sync.protocol import record_hash as hash_of
from sync.server import tables
from sync.server.domain import province_members, province_totals, stats_facts
from sync.server.domain.formset import validation_errors
from sync.server.domain.record_rows import RecordRow, newest_versions, record_row
from sync.server.store import Store, bulk_insert
from sync.server.tables import FACT_COLUMNS, facts, provenance, records, township_headers


def _error(code: str, message: str) -> dict[str, Any]:
    return {"code": code, "field": None, "params": {"message": message}}


def _signed_manifest(
    header: dict[str, Any], township_key: bytes, cache: dict[Any, frozenset[str] | None]
) -> frozenset[str] | None:
    """The manifest of a township envelope header whose signature verifies with
    ``township_key``, else None. Cached per header object: a relay batch carries each header
    once and refers to it for every record of that township batch."""
    key = (id(header), township_key)
    if key not in cache:
        manifest = header.get("manifest")
        try:
            signature = b64d(header.get("signature"), "signature")
            body = {k: v for k, v in header.items() if k not in ("signature", "payload")}
            ok = (
                isinstance(manifest, list)
                and body.get("suite", "intl") == crypto.suite_of_key(township_key)
                and crypto.verify(township_key, signature, canonical_json(body))
            )
        except (ProtocolError, TypeError, ValueError):
            ok = False
        listed = manifest if ok and isinstance(manifest, list) else None
        cache[key] = None if listed is None else frozenset(m for m in listed if isinstance(m, str))
    return cache[key]


class _CountyView:
    """What every item of one relay batch is checked against, read once per batch: the
    county device's keys (current, then retired) and the province's units within it."""

    def __init__(self, store: Store, county_device: Any, known: set[str]) -> None:
        self.keys = store.device_public_keys(county_device)
        self.known = known
        self.below = store.subtree_codes(county_device.org_unit) if known else set()
        self._hashes: dict[tuple[int, str], str] = {}

    def record_hash(self, record: Mapping[str, Any], suite: str = "intl") -> str:
        """``record_hash`` of a record of the batch (kept alive by its payload), computed
        once per suite: the acceptance check and the store both need it."""
        key = (id(record), suite)
        if key not in self._hashes:
            self._hashes[key] = hash_of(record, suite)
        return self._hashes[key]

    def within(self, code: str, county: str) -> bool:
        """``code`` is the county or below it: by the province's tree when it knows the unit,
        else by the division-code prefix (GB/T 2260: a township's code starts with its
        county's)."""
        if code in self.known:
            return code in self.below
        return code.startswith(county) and len(code) > len(county)


def check_item(
    store: Store,
    county_device: Any,
    item: Any,
    known: set[str],
    cache: dict[Any, frozenset[str] | None] | None = None,
    view: _CountyView | None = None,
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """(township record, errors) of one relayed item; errors empty when it may be stored.
    ``view``: the county's keys and units read once for a batch (else read here)."""
    view = _CountyView(store, county_device, known) if view is None else view
    if not isinstance(item, Mapping) or item.get("type") != "relayed_record":
        return None, [_error("relay.bad_item", "not a relayed record")]
    record, header, acc = item.get("record"), item.get("township_envelope"), item.get("acceptance")
    if not (
        isinstance(record, dict) and isinstance(header, dict) and isinstance(acc, dict)
    ) or not isinstance(record.get("org_unit"), str):
        return None, [_error("relay.bad_item", "record, township_envelope and acceptance needed")]
    try:
        b64d(acc.get("signature"), "signature")
        township_key = b64d(acc.get("township_public_key"), "township_public_key")
    except ProtocolError:
        return record, [_error("relay.bad_item", "acceptance without signature or key")]
    if not any(crypto.verify_dict(k, acc) for k in view.keys):
        return record, [_error("relay.unknown_county", "acceptance not signed by this county")]
    county = county_device.org_unit
    if acc.get("county_org_unit") != county or not all(
        isinstance(c, str) and view.within(c, county)
        for c in (record["org_unit"], acc.get("township_org_unit"))
    ):
        return record, [_error("relay.foreign_township", "the record is not of this county")]
    # the acceptance and the manifest carry the record's hash in the township batch's suite
    digest = view.record_hash(record, str(header.get("suite", "intl")))
    if (
        acc.get("type") != "acceptance"
        or acc.get("decision") != "accepted"
        or acc.get("record_uuid") != record.get("uuid")
        or acc.get("version") != record.get("version")
        or acc.get("record_sha256") != digest
    ):
        return record, [_error("relay.acceptance_mismatch", "acceptance is for other content")]
    manifest = _signed_manifest(header, township_key, {} if cache is None else cache)
    if header.get("device_id") != acc.get("township_device_id") or (
        manifest is None or digest not in manifest
    ):
        return record, [_error("relay.bad_township_signature", "township signature invalid")]
    return record, []


def _resolve_header(item: Any, headers: dict[str, dict[str, Any]]) -> Any:
    """Replace a ``{"ref": sha256}`` township envelope by the header an earlier item of the same
    payload carried (unresolvable refs stay, and fail as ``relay.bad_item``)."""
    if not isinstance(item, Mapping):
        return item
    env = item.get("township_envelope")
    if isinstance(env, dict) and set(env) == {"ref"}:
        found = headers.get(env["ref"]) if isinstance(env["ref"], str) else None
        return (
            {**item, "township_envelope": found}
            if found is not None
            else {**item, "township_envelope": None}
        )
    if isinstance(env, dict):
        with contextlib.suppress(TypeError, ValueError):  # not JSON-able: fails check_item
            headers[sha256_hex(canonical_json(env))] = env
    return item


def facts_of(
    record: Mapping[str, Any], county: str, transfer_accepted: bool = False
) -> dict[str, Any]:
    """The countable facts of one record (for aggregates), by form.

    A member counts only while current (:func:`forms.membership.counts`); ``transfer_accepted``:
    the receiving township accepted the transfer out that is its latest change."""
    data = record.get("data") or {}
    row: dict[str, Any] = dict.fromkeys(FACT_COLUMNS, 0)
    form_id = record.get("form_id")
    if form_id == "member":
        # not after 退会 / 除名, nor a transfer out once accepted: a record, not a member
        if membership.counts(data.get("changes"), transfer_pending=not transfer_accepted):
            row["members"] = 1
            row["female_members"] = int(data.get("gender") == "female")
            row["migrant_members"] = int(data.get("migrant_worker") is True)
            row["new_form_members"] = int(data.get("employment_form") == "new_form")
    elif form_id == "union":
        row["unions"] = 1
        row["unions_with_congress"] = int(data.get("has_workers_congress") is True)
        row["unions_with_funds_committee"] = int(data.get("has_funds_committee") is True)
        row["unions_with_contract"] = int(data.get("has_collective_contract") is True)
    elif form_id == "assessment":
        row["assessments"] = 1
        for count in data.get("counts") or []:
            n = count.get("count") if isinstance(count, dict) else None
            if isinstance(n, int) and not isinstance(n, bool):
                row["assessment_votes"] += n
                if count.get("grade") in ("satisfied", "basic"):
                    row["assessment_satisfied"] += n
        row["rectifications_open"] = sum(
            1
            for r in data.get("rectifications") or []
            if isinstance(r, dict) and not r.get("done_date")
        )
    elif form_id == "audit_checklist":
        row["rectifications_open"] = sum(
            1 for i in data.get("items") or [] if isinstance(i, dict) and i.get("rectify") is True
        )
    elif form_id == "audit_checklist_rectification" and data.get("outcome") == "done":
        row["rectifications_open"] = -1  # closes one item of a checklist
    return {
        "record_uuid": record["uuid"],
        "version": record["version"],
        "county": county,
        "township": record["org_unit"],
        "form_id": form_id,
        **row,
    }


def judge_relayed(
    server: Any, conn: Connection, device: Any, payload: BatchPayload, manifest: tuple[str, ...]
) -> tuple[list[RecordStatus], list[RecordRow], Callable[[Connection, str], None]]:
    """Per-item verdicts for a county's relay batch, the record rows to insert, and a hook that
    stores provenance and facts in the same transaction (called by ``sync.server.ingest``)."""
    known = {u.code for u in server.store.all_org_units()}
    statuses: list[RecordStatus] = []
    rows: list[RecordRow] = []
    extra: list[tuple[dict[str, Any], dict[str, Any]]] = []
    seen: set[tuple[str, int]] = set()
    headers: dict[str, dict[str, Any]] = {}
    signed: dict[Any, frozenset[str] | None] = {}
    known_hashes = _stored_hashes(conn, payload.records)
    conflicted: set[str] = set()
    view = _CountyView(server.store, device, known)
    for raw_item in payload.records:
        item = _resolve_header(raw_item, headers)
        record, errors = check_item(server.store, device, item, known, signed, view)
        uuid_ = record.get("uuid") if record else None
        version = record.get("version") if record else None
        if not isinstance(uuid_, str) or not isinstance(version, int) or isinstance(version, bool):
            uuid_, version = (uuid_ if isinstance(uuid_, str) else ""), 0
            errors = errors or [_error("relay.bad_item", "record uuid / version missing")]
        key = (uuid_, version)
        if not errors and key in seen:
            errors = [_error("sync.duplicate_in_batch", "twice")]
        if errors:
            statuses.append(RecordStatus(uuid_, version, "rejected", tuple(errors)))
            continue
        seen.add(key)
        assert record is not None
        digest = view.record_hash(record)
        stored = known_hashes.get(key)
        if stored is not None and stored == digest:
            statuses.append(RecordStatus(uuid_, version, "duplicate"))
            continue
        if stored is not None or uuid_ in conflicted:
            # two histories of one record (a county restored from a backup): never overwrite,
            # and refuse what follows the conflicting version in the same batch too
            conflicted.add(uuid_)
            message = (
                "other content stored" if stored is not None else "follows a conflicting version"
            )
            err = _error("sync.version_conflict", message)
            err["params"]["stored_version"] = max(
                (v for (u, v) in known_hashes if u == uuid_), default=0
            )
            statuses.append(RecordStatus(uuid_, version, "rejected", (err,)))
            continue
        form = server.forms.get(record.get("form_id"), record.get("form_version"))
        if form is None:
            err = _error("sync.unknown_form", "form id / version not known to the province")
            statuses.append(RecordStatus(uuid_, version, "rejected", (err,)))
            continue
        errors = validation_errors(form, record.get("data") or {}, record.get("status"))
        if errors:
            statuses.append(RecordStatus(uuid_, version, "rejected", tuple(errors)))
            continue
        statuses.append(RecordStatus(uuid_, version, "received"))
        rows.append(record_row(record, device.device_id, payload.batch_id, digest))
        extra.append((item, record))

    def after_insert(c: Connection, received_at: str) -> None:
        digests: dict[int, str] = {}  # by header object: shared by the records of one batch
        new_headers: dict[str, dict[str, Any]] = {}
        prov_rows = []
        for item, record in extra:
            acc, header = item["acceptance"], item["township_envelope"]
            if id(header) not in digests:
                digests[id(header)] = sha256_hex(canonical_json(header))
                new_headers[digests[id(header)]] = header
            prov_rows.append(
                {
                    "record_uuid": record["uuid"],
                    "version": record["version"],
                    "county_device_id": device.device_id,
                    "county_org_unit": device.org_unit,
                    "relay_batch_id": payload.batch_id,
                    "township_device_id": acc["township_device_id"],
                    "township_org_unit": acc["township_org_unit"],
                    "township_header": digests[id(header)],
                    "acceptance": canonical_json(acc).decode(),
                    "received_at": received_at,
                }
            )
        if not prov_rows:
            return
        present = {
            r.sha256
            for r in c.execute(
                select(township_headers.c.sha256).where(
                    township_headers.c.sha256.in_(list(new_headers))
                )
            )
        }
        fresh = [
            {"sha256": d, "device_id": h.get("device_id", ""), "header": canonical_json(h).decode()}
            for d, h in new_headers.items()
            if d not in present
        ]
        if fresh:
            c.execute(township_headers.insert(), fresh)
        bulk_insert(c, provenance, prov_rows)
        stored = [record for _item, record in extra]
        touched = province_members.note_transfers(c, stored)
        accepted = province_members.accepted_exits(c, province_members.out_dates(stored))
        old, new = _upsert_facts(
            c, [facts_of(r, device.org_unit, r["uuid"] in accepted) for r in stored]
        )
        old2, new2 = _recount_members(c, touched - {r["uuid"] for r in stored})
        # one upsert, its keys in order, for all of it: two transactions of one county wait
        # for each other there, never lock two sets of totals in opposite orders
        province_totals.apply(c, old + old2, new + new2)
        # each of ``stored`` passed validation_errors above, in this transaction
        stats_facts.note_records(server, c, stored, device.org_unit, accepted, validated=True)
        stats_facts.close_transfers(c, touched)

    return statuses, rows, after_insert


def _stored_hashes(conn: Connection, items: Any) -> dict[tuple[str, int], str]:
    """``record_sha256`` of the stored ``(record_uuid, version)`` among the relayed records."""
    uuids = {
        i["record"]["uuid"]
        for i in items
        if isinstance(i, Mapping)
        and isinstance(i.get("record"), Mapping)
        and isinstance(i["record"].get("uuid"), str)
    }
    out: dict[tuple[str, int], str] = {}
    chunk = sorted(uuids)
    for start in range(0, len(chunk), 400):
        for r in conn.execute(
            select(records.c.record_uuid, records.c.version, records.c.record_sha256).where(
                records.c.record_uuid.in_(chunk[start : start + 400])
            )
        ):
            out[(r.record_uuid, r.version)] = r.record_sha256
    return out


FactRows = tuple[list[Any], list[dict[str, Any]]]


def _upsert_facts(conn: Connection, rows: list[dict[str, Any]]) -> FactRows:
    """Keep the facts of the newest version of each record; returns the fact rows replaced
    and the rows written, for the totals (:func:`province_totals.apply`)."""
    newest: dict[str, dict[str, Any]] = newest_versions(rows)
    uuids = sorted(newest)
    current: dict[str, Any] = {}
    for start in range(0, len(uuids), 400):
        part = uuids[start : start + 400]
        for r in conn.execute(select(facts).where(facts.c.record_uuid.in_(part))):
            current[r.record_uuid] = r._mapping
    replace = [u for u in uuids if u in current and current[u]["version"] < newest[u]["version"]]
    for start in range(0, len(replace), 400):
        conn.execute(facts.delete().where(facts.c.record_uuid.in_(replace[start : start + 400])))
    insert = [newest[u] for u in uuids if u not in current or u in replace]
    if insert:
        bulk_insert(conn, facts, insert)
    return [current[u] for u in replace], insert


def _recount_members(conn: Connection, member_uuids: set[str]) -> FactRows:
    """Redo the counted facts of members already stored whose transfer the province just learnt
    about (from the newest stored version of each; members not relayed yet are skipped);
    returns the fact rows changed, before and after, for the totals."""
    uuids = sorted(member_uuids)
    old: list[Any] = []
    new: list[dict[str, Any]] = []
    for start in range(0, len(uuids), 400):
        part = uuids[start : start + 400]
        newest = select(facts).where(facts.c.record_uuid.in_(part), facts.c.form_id == "member")
        kept = {r.record_uuid: r._mapping for r in conn.execute(newest)}
        counties = {u: (r["version"], r["county"]) for u, r in kept.items()}
        if not counties:
            continue
        found = [
            json.loads(r.content)
            for r in conn.execute(
                select(records.c.record_uuid, records.c.version, records.c.content).where(
                    records.c.record_uuid.in_(sorted(counties))
                )
            )
            if counties[r.record_uuid][0] == r.version
        ]
        accepted = province_members.accepted_exits(conn, province_members.out_dates(found))
        for rec in found:
            row = facts_of(rec, counties[rec["uuid"]][1], rec["uuid"] in accepted)
            before = kept[rec["uuid"]]
            if all(before[name] == row[name] for name in FACT_COLUMNS):
                continue
            conn.execute(
                facts.update().where(facts.c.record_uuid == rec["uuid"]),
                [{name: row[name] for name in FACT_COLUMNS}],
            )
            old.append(before)
            new.append({**before, **{name: row[name] for name in FACT_COLUMNS}})
    return old, new


def aggregates(store: Store, by: str = "county", scan: bool = False) -> list[dict[str, Any]]:
    """Counts per county / township / form over the newest version of every accepted record.

    ``records`` counts records; ``members`` (and its female / migrant / new-form parts) only the
    current members of :mod:`forms.membership`: not those who withdrew or were expelled, and a
    member transferred to another township at the sender only until the transfer is accepted.

    ``assessment_satisfaction`` is (满意 + 基本满意) ÷ all votes of the assessments, as a
    fraction (None without votes). ``name`` is the unit's name as the county's latest org-unit
    tree (townships) or the province's own tree (counties) has it, else the code itself; for
    forms, the form id.

    Read from the kept totals (:mod:`~sync.server.domain.province_totals`: a row per county,
    township and form); ``scan``: summed over every record's facts instead, as before the
    totals were kept (the reference the totals are tested and measured against)."""
    from sync.server.domain.org_tree import unit_names

    table = facts if scan else tables.province_totals
    group = {"county": table.c.county, "township": table.c.township, "form": table.c.form_id}[by]
    count = func.count() if scan else func.sum(table.c.records)
    columns = [func.coalesce(func.sum(table.c[name]), 0).label(name) for name in FACT_COLUMNS]
    query = select(group.label("key"), count.label("records"), *columns).group_by(group)
    counties, townships = unit_names(store) if by != "form" else ({}, {})
    names = counties if by == "county" else townships
    with store.read() as conn:
        out = []
        for r in conn.execute(query.order_by(group)):
            row = {"key": r.key, "name": names.get(r.key, r.key), "records": int(r.records)}
            row.update({name: int(getattr(r, name)) for name in FACT_COLUMNS})
            votes = row["assessment_votes"]
            row["assessment_satisfaction"] = (
                round(row["assessment_satisfied"] / votes, 4) if votes else None
            )
            out.append(row)
    return out


def provenance_rows(store: Store, record_uuid: str) -> list[Any]:
    with store.read() as conn:
        return list(
            conn.execute(
                select(provenance)
                .where(provenance.c.record_uuid == record_uuid)
                .order_by(provenance.c.version)
            )
        )


def acceptance_of(row: Any) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(row.acceptance)
    return doc
