"""What the province knows of membership transfers between townships, for its member counts.

The rule of who counts is :mod:`forms.membership`. A member whose latest change is a transfer out
(转出) counts at the sending township while the transfer is pending, and no longer once the
receiving township has accepted it. The sending township's member record does not change when
its transfer is confirmed (the confirmation is a setting there, not a new version), so the
province learns it from the two transfer records of PROTOCOL.md "Transfers" as they are relayed:

- the sending township's ``member_transfer`` request names the member (``member_uuid``) and the
  ``date`` of its 转出 row;
- the receiving township's ``member_transfer_answer`` (decision ``accepted``) settles it.

``province_transfers`` keeps one row per ``transfer_id`` from whichever of the two arrives first
(the relay order is the county reviewers' order). A refused or withdrawn transfer changes
nothing here: the sending township removes its 转出 row again, as a new member version.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.engine import Connection

from forms import membership
from sync.server.tables import province_transfers as transfers

REQUEST_FORM = "member_transfer"
ANSWER_FORM = "member_transfer_answer"


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def note_transfers(conn: Connection, records: Iterable[Mapping[str, Any]]) -> set[str]:
    """Store what the relayed transfer records among ``records`` say (in their order); returns
    the members whose transfers changed (their counts may have to be redone)."""
    updates: dict[str, dict[str, Any]] = {}
    for rec in records:
        data = rec.get("data") or {}
        tid = _text(data.get("transfer_id"))
        if tid is None:
            continue
        if rec.get("form_id") == REQUEST_FORM:
            updates.setdefault(tid, {}).update(
                member_uuid=_text(data.get("member_uuid")), date=_text(data.get("date"))
            )
        elif rec.get("form_id") == ANSWER_FORM and data.get("decision") in ("accepted", "refused"):
            updates.setdefault(tid, {})["decision"] = data["decision"]
    if not updates:
        return set()
    ids = sorted(updates)
    stored = {
        r.transfer_id: r
        for start in range(0, len(ids), 400)
        for r in conn.execute(
            select(transfers).where(transfers.c.transfer_id.in_(ids[start : start + 400]))
        )
    }
    touched: set[str] = set()
    for tid in ids:
        change = updates[tid]
        old = stored.get(tid)
        if old is None:
            conn.execute(transfers.insert(), [{"transfer_id": tid, "decision": "", **change}])
            after = {"member_uuid": None, "date": None, "decision": "", **change}
        else:
            conn.execute(transfers.update().where(transfers.c.transfer_id == tid), [change])
            after = {**old._mapping, **change}
        if after.get("member_uuid"):
            touched.add(after["member_uuid"])
    return touched


def accepted_exits(conn: Connection, members: Mapping[str, str]) -> set[str]:
    """Among ``members`` (member uuid → date of its latest 转出 row), those whose transfer of
    that date the receiving township accepted."""
    out: set[str] = set()
    uuids = sorted(members)
    for start in range(0, len(uuids), 400):
        for r in conn.execute(
            select(transfers.c.member_uuid, transfers.c.date).where(
                and_(
                    transfers.c.member_uuid.in_(uuids[start : start + 400]),
                    transfers.c.decision == "accepted",
                )
            )
        ):
            if members.get(r.member_uuid) == r.date:
                out.add(r.member_uuid)
    return out


def out_dates(records: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """member uuid → date of its latest change, for the member records whose latest change (in
    their newest version among ``records``) is a transfer out: the only ones whose count depends
    on a transfer."""
    newest: dict[str, Mapping[str, Any]] = {}
    for rec in records:
        uuid = str(rec.get("uuid"))
        if rec.get("form_id") == "member" and (
            uuid not in newest or newest[uuid]["version"] < rec["version"]
        ):
            newest[uuid] = rec
    out: dict[str, str] = {}
    for uuid, rec in newest.items():
        date = membership.transfer_out_date((rec.get("data") or {}).get("changes"))
        if date is not None:
            out[uuid] = date
    return out
