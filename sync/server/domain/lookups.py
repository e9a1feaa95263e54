"""Equality lookups of sensitive values through the blind index (``sensitive_index``), never
through their plaintext: which records hold this ID number, which people appear twice."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from sync.server.domain.service import Server
from sync.server.tables import records, sensitive_index


@dataclass(frozen=True)
class Holder:
    """A current record holding a value: its id, version, form and org unit."""

    record_uuid: str
    version: int
    form_id: str
    org_unit: str


def _current_holders(server: Server, digests: list[str], field: str) -> dict[str, list[Holder]]:
    newest = (
        select(records.c.record_uuid, func.max(records.c.version).label("v"))
        .group_by(records.c.record_uuid)
        .subquery()
    )
    query = (
        select(
            sensitive_index.c.digest,
            records.c.record_uuid,
            records.c.version,
            records.c.form_id,
            records.c.org_unit,
        )
        .join(
            records,
            (records.c.record_uuid == sensitive_index.c.record_uuid)
            & (records.c.version == sensitive_index.c.version),
        )
        .join(
            newest,
            (newest.c.record_uuid == records.c.record_uuid) & (newest.c.v == records.c.version),
        )
        .where(sensitive_index.c.field == field)
    )
    if digests:
        query = query.where(sensitive_index.c.digest.in_(digests))
    out: dict[str, list[Holder]] = defaultdict(list)
    with server.store.read() as conn:
        for r in conn.execute(query):
            out[r.digest].append(Holder(r.record_uuid, r.version, r.form_id, r.org_unit))
    return out


def records_with_value(server: Server, field: str, value: Any) -> list[Holder]:
    """The current records whose ``field`` holds ``value`` (e.g. an ID number)."""
    digest = server.sealer.digest(field, value)
    return sorted(_current_holders(server, [digest], field).get(digest, []), key=repr)


def duplicate_people(
    server: Server, field: str = "id_number", form_id: str = "member"
) -> list[list[Holder]]:
    """Groups of two or more current ``form_id`` records sharing one ``field`` value (the
    value itself is never read: equal digests are equal values)."""
    groups = [
        sorted((h for h in holders if h.form_id == form_id), key=repr)
        for holders in _current_holders(server, [], field).values()
    ]
    return sorted((g for g in groups if len(g) > 1), key=lambda g: g[0].record_uuid)
