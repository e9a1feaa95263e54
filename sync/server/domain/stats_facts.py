"""Per-record statistics facts at a county and a province (issue 18): one ``stat_facts`` row per
record, its newest *accepted* version, so the statistics tables are a ``GROUP BY`` over this
table and never a pass over record content (:mod:`sync.server.domain.stats_report`).

The same :func:`facts_of` fills the row at both levels, so a county's tables and the province's
rows for that county agree by construction:

- at the county, in the review transaction, when a reviewer accepts a version
  (:func:`sync.server.domain.review.decide`);
- at the province, in the ingest transaction of the relay batch that brings that version.

Facts are categories, dates and counts. The plaintext of a sensitive value is needed only while
the row is made (in memory, in the transaction that has the record open anyway): an ID number
becomes ``id_valid`` (its type's check, GB 11643 for resident IDs) and ``id_digest`` (the keyed
blind index of the number, :meth:`sync.server.domain.personal.Sealer.digest`), which gives
uniqueness without the number. Dates that depend on the report's as-of date are kept as dates:
a member counts as of D when ``member_from <= D`` and (``member_until`` is null or after D);
dates are YYYYMMDD integers (0: none).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from fractions import Fraction
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection

import forms
from forms import assessment, membership
from forms.checklist import NONCOMPLIANT, template_from_raw
from forms.stat_facts import LEAVE_KINDS, day, id_key, union_facts
from forms.stat_facts import integer as _int
from forms.stat_facts import text as _text
from sync.server.domain import member_counts
from sync.server.domain.record_rows import newest_versions
from sync.server.store import bulk_insert
from sync.server.tables import stat_facts

SOURCE_OF_FORM = {
    "union": "unions",
    "member": "members",
    "assessment": "assessments",
    "audit_checklist": "audits",
    "audit_rectification": "audit_outcomes",
}
ITEM_NAMESPACE = uuid.UUID("6f1d2a1e-9b7c-4c59-9a53-5d0c3b1f0e18")  # checklist item row ids

Digest = Callable[[str], str]
_EMPTY_ROW: dict[str, Any] = {c.name: None for c in stat_facts.columns}  # every column, None


def _latest_by_kind(changes: list[Mapping[str, Any]]) -> dict[str, int]:
    """The latest date (YYYYMMDD, 0: none) of each change kind among ``changes``, one pass."""
    out: dict[str, int] = {}
    for c in changes:
        kind = c.get("kind")
        kind = kind if isinstance(kind, str) else ""
        out[kind] = max(day(c.get("date")), out.get(kind, 0))
    return out


def _complete(form: Any, d: Mapping[str, Any]) -> bool:
    if form is None:
        return True
    result = forms.validate(form, dict(d), final=False)
    return not any(e.code == "required" for e in result.errors)


def _member(
    d: Mapping[str, Any],
    form: Any,
    digest: Digest,
    transfer_accepted: bool,
    valid: bool = False,
) -> dict[str, Any]:
    changes = [c for c in d.get("changes") or [] if isinstance(c, Mapping)]
    counts = membership.counts(changes, transfer_pending=not transfer_accepted)
    latest = _latest_by_kind(changes)
    until = None if counts else max(latest.values(), default=0)
    key, id_ok = id_key(d)
    return {
        "female": int(d.get("gender") == "female"),
        "migrant": int(d.get("migrant_worker") is True),
        "new_form_kind": _text(d.get("new_form_kind"))
        if d.get("employment_form") == "new_form"
        else "",  # fmt: skip
        "member_from": day(d.get("join_date")),
        "member_until": until,
        "joined_date": latest["join"] if "join" in latest else day(d.get("join_date")),
        "transfer_in_date": latest.get("transfer_in", 0),
        "transfer_out_date": latest.get("transfer_out", 0),
        "left_date": max((latest.get(k, 0) for k in LEAVE_KINDS), default=0),
        "id_valid": int(id_ok),
        "id_digest": digest(key) if key else "",
        "id_shared": 0,
        "complete": int(valid or _complete(form, d)),
    }


def _band(rate: Fraction | None) -> str:
    if rate is None:
        return ""
    if rate >= Fraction(9, 10):
        return "90"
    return "67" if rate >= Fraction(2, 3) else "low"


def _assessment_template(form: Any, d: Mapping[str, Any]) -> Any:
    variant = _text(d.get("template_variant")) or None
    raw = getattr(form, "raw", None)
    if isinstance(raw, Mapping):
        return assessment.template_from_form(raw, variant)
    return assessment.load_template(_int(d.get("template_version")) or None, variant)


def _assessment(d: Mapping[str, Any], form: Any) -> dict[str, Any]:
    try:
        template = _assessment_template(form, d)
        if d.get("entry_mode") == "ballots":
            result = assessment.compute_from_ballots(
                template,
                eligible=_int(d.get("eligible")),
                attendees=_int(d.get("attendees")),
                issued=_int(d.get("issued")),
                ballots=assessment.split_ballots(str(d.get("ballots") or "")),
            )
        else:
            tally: dict[str, dict[str, int]] = {}
            for row in d.get("counts") or []:
                if isinstance(row, Mapping):
                    item = tally.setdefault(str(row.get("item")), {})
                    item[str(row.get("grade"))] = _int(row.get("count"))
            turnout = assessment.Turnout(
                _int(d.get("eligible")), _int(d.get("attendees")), _int(d.get("issued")),
                _int(d.get("returned")), _int(d.get("invalid")),
            )  # fmt: skip
            result = assessment.compute_result(template, turnout, tally)
        ok = result.ok
    except (KeyError, ValueError, TypeError):
        ok, result = False, None
    rectifications = [r for r in d.get("rectifications") or [] if isinstance(r, Mapping)]
    return {
        "union_uuid": _text(d.get("union")),
        "event_year": _int(d.get("year")),
        "event_date": day(d.get("date")),
        "band": _band(result.overall_rate) if ok and result is not None else "",
        "rectification_required": int(bool(ok and result and result.rectification_required)),
        "open_items": sum(1 for r in rectifications if not r.get("done_date")),
    }


def _audit(d: Mapping[str, Any], form: Any) -> dict[str, Any]:
    raw = getattr(form, "raw", None)
    try:
        area_of = {i.id: i.area for i in template_from_raw(raw).items} if raw else {}
    except (KeyError, ValueError, TypeError):
        area_of = {}
    nc = {"income": 0, "spending": 0, "other": 0}
    amount = 0
    for item in d.get("items") or []:
        if isinstance(item, Mapping) and item.get("result") == NONCOMPLIANT:
            area = area_of.get(str(item.get("item_id")), "other")
            nc[area if area in nc else "other"] += 1
            amount += _int(item.get("amount"))
    date = _text(d.get("audit_date"))
    return {
        "union_uuid": _text(d.get("union")),
        "event_year": int(date[:4]) if date[:4].isdigit() else 0,
        "event_date": day(date),
        "nc_income": nc["income"],
        "nc_spending": nc["spending"],
        "nc_other": nc["other"],
        "amount": amount,
    }


def _item_rows(base: Mapping[str, Any], d: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One ``audit_items`` row per checklist item to rectify (its deadline)."""
    out = []
    for item in d.get("items") or []:
        if isinstance(item, Mapping) and item.get("rectify") is True:
            item_id = str(item.get("item_id") or "")
            ident = uuid.uuid5(ITEM_NAMESPACE, f"{base['record_uuid']}|{item_id}")
            out.append({**base, "record_uuid": str(ident), "source": "audit_items",
                        "union_uuid": base["record_uuid"], "item_id": item_id,
                        "event_date": day(item.get("deadline"))})  # fmt: skip
    return out


def facts_of(
    record: Mapping[str, Any],
    county: str,
    *,
    form: Any = None,
    digest: Digest,
    transfer_accepted: bool = False,
    valid: bool = False,
) -> list[dict[str, Any]]:
    """The ``stat_facts`` rows of one record (plaintext, in memory): none for a form the tables
    do not count, one per record, and for a checklist one more per item to rectify.
    ``form``: the record's form definition (completeness, templates); ``valid``: the caller has
    just validated the record without any error (then it has no "required" error either, and
    is complete without validating it again)."""
    source = SOURCE_OF_FORM.get(str(record.get("form_id")))
    data = record.get("data") or {}
    if source is None or not isinstance(data, Mapping):
        return []
    row: dict[str, Any] = dict(_EMPTY_ROW)
    row.update(
        record_uuid=record["uuid"],
        version=record["version"],
        county=county,
        township=str(record.get("org_unit") or ""),
        source=source,
        replaces=_text(data.get("corrects")) if source == "audits" else "",
    )
    if source == "unions":
        row.update(union_facts(data))
    elif source == "members":
        row.update(_member(data, form, digest, transfer_accepted, valid))
    elif source == "assessments":
        row.update(_assessment(data, form))
    elif source == "audit_outcomes":
        row.update(union_uuid=_text(data.get("checklist")), item_id=_text(data.get("item_id")),
                   band=_text(data.get("outcome")), event_date=day(data.get("outcome_date")))  # fmt: skip
    else:
        row.update(_audit(data, form))
        return [row, *_item_rows({**row, "replaces": ""}, data)]
    return [row]


def upsert(conn: Connection, rows: Iterable[dict[str, Any]], *, counts: bool = True) -> None:
    """Keep the rows of the newest version of each record (in the caller's transaction); a
    checklist's newer version replaces its item rows too. ``counts``: keep ``member_counts``
    with them (False only for revision 0007, before the table exists)."""
    rows = list(rows)
    checklists = sorted({r["record_uuid"] for r in rows if r["source"] == "audits"})
    items = {r["record_uuid"]: r["version"] for r in rows if r["source"] == "audit_items"}
    for start in range(0, len(checklists), 400):
        part = checklists[start : start + 400]
        old = select(stat_facts.c.record_uuid).where(
            stat_facts.c.source == "audit_items", stat_facts.c.union_uuid.in_(part)
        )
        gone = [r.record_uuid for r in conn.execute(old) if r.record_uuid not in items]
        if gone:  # item rows: never counted in member_counts
            conn.execute(stat_facts.delete().where(stat_facts.c.record_uuid.in_(gone)))
    newest: dict[str, dict[str, Any]] = newest_versions(rows)
    uuids = sorted(newest)
    stored: dict[str, int] = {}
    # the counted cells of the rows replaced go, those of the rows inserted come: both from
    # rows held here (the old ones read with their versions), no query to read them back
    delta: Counter[member_counts.Key] = Counter()
    cells_cols = [stat_facts.c[c] for c in member_counts.CELL_SOURCES]
    old_rows: dict[str, Any] = {}
    for start in range(0, len(uuids), 400):
        part = uuids[start : start + 400]
        query = select(stat_facts.c.record_uuid, stat_facts.c.version, *cells_cols)
        for r in conn.execute(query.where(stat_facts.c.record_uuid.in_(part))):
            stored[r.record_uuid] = r.version
            old_rows[r.record_uuid] = r._mapping
    replace = [u for u in uuids if u in stored and stored[u] < newest[u]["version"]]
    for start in range(0, len(replace), 400):
        part = replace[start : start + 400]
        conn.execute(stat_facts.delete().where(stat_facts.c.record_uuid.in_(part)))
    insert = [newest[u] for u in uuids if u not in stored or u in replace]
    if insert:
        bulk_insert(conn, stat_facts, insert)
    if counts:
        delta.update(member_counts.tally((old_rows[u] for u in replace), -1))
        delta.update(member_counts.tally(insert))
        member_counts.add(conn, delta)
    if insert:
        keys = {(r["county"], r["id_digest"]) for r in insert if r.get("id_digest")}
        mark_shared(conn, keys, counts=counts)


def _kept(conn: Connection, counts: bool, **which: Any) -> AbstractContextManager[None]:
    """:func:`member_counts.kept` around a change of ``stat_facts`` (or nothing)."""
    return member_counts.kept(conn, **which) if counts else nullcontext()


def mark_shared(
    conn: Connection, keys: set[tuple[str, str]] | None, *, counts: bool = True
) -> None:
    """Set ``id_shared`` on every member row whose (county, digest) among ``keys`` (None: all)
    is held by more than one row: a superset of the duplicates at any as-of date. Such a row
    leaves ``member_counts`` (its uniqueness depends on the as-of date)."""
    sf = stat_facts
    members = sf.c.source == "members"

    def share(county: str, digest: str) -> None:
        these = and_(members, sf.c.county == county, sf.c.id_digest == digest)
        with _kept(conn, counts, where=these):
            conn.execute(sf.update().where(these).values(id_shared=1))

    if keys is None:
        twice = (
            select(sf.c.county, sf.c.id_digest)
            .where(members, sf.c.id_digest != "")
            .group_by(sf.c.county, sf.c.id_digest)
            .having(func.count() > 1)
        )
        for r in list(conn.execute(twice)):
            share(r.county, r.id_digest)
        return
    digests = sorted({d for _c, d in keys})
    counties = sorted({c for c, _d in keys})  # the index is (county, id_digest)
    for start in range(0, len(digests), 400):
        part = digests[start : start + 400]
        twice = (
            select(sf.c.county, sf.c.id_digest)
            .where(members, sf.c.county.in_(counties), sf.c.id_digest.in_(part))
            .group_by(sf.c.county, sf.c.id_digest)
            .having(func.count() > 1)
        )
        for r in list(conn.execute(twice)):
            if (r.county, r.id_digest) in keys:
                share(r.county, r.id_digest)


def close_transfers(conn: Connection, member_uuids: Iterable[str]) -> None:
    """Members among ``member_uuids`` whose 转出 the receiving township has accepted (as the
    accepted transfer records say, ``province_transfers``) stop counting from its date."""
    from sync.server.tables import province_transfers as pt

    uuids = sorted(set(member_uuids))
    for start in range(0, len(uuids), 400):
        query = select(pt.c.member_uuid, pt.c.date).where(
            pt.c.member_uuid.in_(uuids[start : start + 400]), pt.c.decision == "accepted"
        )
        for r in list(conn.execute(query)):
            when = day(r.date)
            with member_counts.kept(conn, uuids=[r.member_uuid]):
                conn.execute(
                    stat_facts.update()
                    .where(
                        stat_facts.c.record_uuid == r.member_uuid,
                        stat_facts.c.source == "members",
                        stat_facts.c.member_until.is_(None),
                        stat_facts.c.transfer_out_date == when,
                    )
                    .values(member_until=when)
                )


def note_records(
    server: Any,
    conn: Connection,
    records: Iterable[Mapping[str, Any]],
    county: str,
    accepted_exits: set[str] | None = None,
    validated: bool = False,
) -> None:
    """Make and keep the facts of accepted plaintext ``records`` (county review, province
    ingest); ``accepted_exits``: members whose transfer out the receiving township accepted;
    ``validated``: every one of ``records`` was validated without any error a moment ago, in
    this transaction (the province's ingest), so none is validated again for completeness.

    At the county (``accepted_exits`` None) the accepted transfer records are noted first, the
    way the province notes them when they arrive (:mod:`sync.server.domain.province_members`),
    so a transfer stops a member's count at both levels when its answer is accepted."""
    from sync.server.domain import province_members

    records = list(records)
    touched: set[str] = set()
    if accepted_exits is None:
        touched = province_members.note_transfers(conn, records)
        dates = province_members.out_dates(records)
        accepted_exits = province_members.accepted_exits(conn, dates)
    exits = accepted_exits

    def digest(value: str) -> str:
        return str(server.sealer.digest("id_number", value))

    rows = [
        row
        for r in records
        for row in facts_of(
            r,
            county,
            form=server.forms.get(r.get("form_id"), r.get("form_version")),
            digest=digest,
            transfer_accepted=r.get("uuid") in exits,
            valid=validated,
        )
    ]
    upsert(conn, rows)
    close_transfers(conn, touched)
