"""Incoming membership transfers (转入) from another township, offered by the county through sync.

The county sends a ``transfer_offer`` inbox message when another township's transfer request
names this township; :func:`receive_offer` keeps it in the encrypted workspace (``ws.settings``
under :data:`OFFERS_KEY`; the member's details stay only while the offer is open). The clerk then:

- :func:`accept_offer` into one of this township's unions: the member record is created (or, for
  someone already on file here with the same ID number, updated) with the sending side's change
  history plus a 转入 row, and an ``member_transfer_answer`` record (accepted) goes upward;
- :func:`refuse_offer` with a note: only the answer record (refused) goes upward.

The county passes the answer to the sending township, whose pending transfer is then confirmed
or cancelled (:func:`desktop.domain.transfers.apply_answer`). When the sending township withdraws
the transfer first, :func:`apply_withdrawal` drops the open offer.
"""

from __future__ import annotations

import datetime as _dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from desktop.domain.transfers import (
    ANSWER_FORM,
    TRANSFER_FIELDS,
    TransferError,
    iso_date,
    union_name,
)

if TYPE_CHECKING:
    from desktop.store import Workspace

log = logging.getLogger(__name__)

OFFERS_KEY = "rosters.transfer_offers"


@dataclass(frozen=True)
class TransferOffer:
    """A transfer into this township, as the list shows it (no ID number or phone here)."""

    id: str
    member_name: str
    from_org_unit: str
    from_org_unit_name: str
    from_union_name: str
    to_union_name: str  # the union the sending side named (the clerk picks the real one)
    date: str
    reason: str
    state: str  # offered | accepted | refused | withdrawn
    received_at: str
    answered_at: str = ""
    note: str = ""
    union_uuid: str = ""  # accepted into
    member_uuid: str = ""  # the member record created / updated here
    answer_uuid: str = ""  # the member_transfer_answer record
    withdrawn_late: bool = False  # the sending side withdrew it after it was accepted here


_KNOWN = {f.name for f in fields(TransferOffer)}


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def _load(ws: Workspace) -> list[dict[str, Any]]:
    value = ws.settings.get(OFFERS_KEY, []) or []
    return [dict(v) for v in value] if isinstance(value, list) else []


def _offer(item: Mapping[str, Any]) -> TransferOffer:
    return TransferOffer(**{k: v for k, v in item.items() if k in _KNOWN})


def incoming_offers(ws: Workspace, state: str | None = "offered") -> list[TransferOffer]:
    """Transfers into this township (``state=None``: all, oldest first)."""
    return [_offer(i) for i in _load(ws) if state is None or i.get("state") == state]


def receive_offer(ws: Workspace, body: Mapping[str, Any]) -> TransferOffer | None:
    """Keep a ``transfer_offer`` message's offer; idempotent (the same offer twice is one)."""
    request = body.get("request")
    data = request.get("data") if isinstance(request, Mapping) else None
    tid = str(body.get("transfer_id") or "")
    if not isinstance(data, Mapping) or not tid or data.get("transfer_id") != tid:
        log.warning("transfer: a malformed transfer offer was skipped")
        return None
    if str(data.get("to_org_unit")) != ws.org_unit.code:
        log.warning("transfer: an offer for another township was skipped")
        return None
    items = _load(ws)
    for item in items:
        if item["id"] == tid:
            return _offer(item)
    item = {
        "id": tid,
        "member_name": str(data.get("name") or ""),
        "from_org_unit": str(data.get("from_org_unit") or ""),
        "from_org_unit_name": str(body.get("from_org_unit_name") or ""),
        "from_union_name": str(data.get("from_union_name") or ""),
        "to_union_name": str(data.get("to_union_name") or ""),
        "date": str(data.get("date") or ""),
        "reason": str(data.get("reason") or ""),
        "state": "offered",
        "received_at": _now(),
        "request": dict(data),  # the member's details: only while the offer is open
    }
    ws.settings.set(OFFERS_KEY, [*items, item])
    ws._changed(None, None)  # the window refreshes (the Members toolbar shows the count)
    return _offer(item)


def _find(items: list[dict[str, Any]], offer_id: str) -> tuple[int, dict[str, Any]]:
    for i, item in enumerate(items):
        if item["id"] == offer_id:
            if item.get("state") != "offered":
                raise TransferError(
                    "transfer.settled", f"This transfer was already {item.get('state')}."
                )
            return i, item
    raise TransferError("transfer.unknown", f"No incoming transfer {offer_id}.")


def _member_data(
    ws: Workspace, request: Mapping[str, Any], union_uuid: str, in_row: dict[str, Any]
) -> dict[str, Any]:
    """The new member record: the sending side's details and history, plus the 转入 row."""
    form = ws.forms.latest("member")
    member_fields = {f.id for s in form.sections for f in s.fields}
    data = {
        k: v
        for k, v in request.items()
        if k in member_fields and k not in TRANSFER_FIELDS and v is not None
    }
    data["union"] = union_uuid
    data["changes"] = [*(request.get("changes") or []), in_row]
    return data


def _answer(ws: Workspace, item: Mapping[str, Any], decision: str, note: str, union: str) -> Any:
    return ws.records.save(
        ANSWER_FORM,
        {
            "transfer_id": item["id"],
            "from_org_unit": item["from_org_unit"],
            "to_org_unit": ws.org_unit.code,
            "member_name": item["member_name"] or "—",
            "decision": decision,
            "union_name": union or None,
            "date": _dt.date.today().isoformat(),
            "note": note or None,
        },
    )


def _settle(ws: Workspace, offer_id: str, **changes: Any) -> TransferOffer:
    items = _load(ws)
    i, item = _find(items, offer_id)
    item = {**item, **changes, "answered_at": _now()}
    item.pop("request", None)  # the member's details are in the member record (or not kept)
    items[i] = item
    ws.settings.set(OFFERS_KEY, items)
    return _offer(item)


def accept_offer(
    ws: Workspace,
    offer_id: str,
    union_uuid: str,
    *,
    note: str = "",
    date: str | _dt.date | None = None,
) -> Any:
    """Take the member into ``union_uuid``; returns the member record (see the module doc).

    Steps, each resumable: the member record, the offer remembers it, the answer record, the
    offer is settled. A failure before the answer leaves the offer open; accepting again reuses
    the member record already made."""
    items = _load(ws)
    _, item = _find(items, offer_id)
    joined = union_name(ws, union_uuid)
    request = item.get("request") or {}
    sending = item["from_union_name"] or item["from_org_unit"]
    where = item["from_org_unit_name"] or item["from_org_unit"]
    in_row = {
        "kind": "transfer_in",
        "date": iso_date(date or item["date"] or None),
        "reason": item["reason"] or None,
        "from_union": f"{sending}（{where}）",
    }
    member_uuid = item.get("member_uuid") or ""
    if not member_uuid:
        existing = [
            r
            for r in ws.records.find_by_field("member", "id_number", request.get("id_number"))
            if request.get("id_number")
        ]
        if existing:  # on file here already (e.g. coming back): a new version of that record
            rec = ws.records.get(existing[0].uuid)
            data = {
                **rec.data,
                "union": union_uuid,
                "changes": [*(rec.data.get("changes") or []), in_row],
            }
            member = ws.records.save("member", data, record_uuid=rec.uuid)
        else:
            member = ws.records.save("member", _member_data(ws, request, union_uuid, in_row))
        member_uuid = member.uuid
        items = [{**i, "member_uuid": member_uuid} if i["id"] == offer_id else i for i in items]
        ws.settings.set(OFFERS_KEY, items)
    answer = _answer(ws, item, "accepted", note, joined)
    _settle(
        ws,
        offer_id,
        state="accepted",
        note=note,
        union_uuid=union_uuid,
        member_uuid=member_uuid,
        answer_uuid=answer.uuid,
    )
    return ws.records.get(member_uuid)


def refuse_offer(ws: Workspace, offer_id: str, *, note: str) -> TransferOffer:
    """Refuse the transfer; the note (why) goes back to the sending township."""
    if not note.strip():
        raise TransferError("transfer.note_required", "Say why the transfer is refused.")
    items = _load(ws)
    _, item = _find(items, offer_id)
    answer = _answer(ws, item, "refused", note.strip(), "")
    return _settle(ws, offer_id, state="refused", note=note.strip(), answer_uuid=answer.uuid)


def apply_withdrawal(ws: Workspace, body: Mapping[str, Any]) -> TransferOffer | None:
    """The sending township withdrew the transfer (a ``transfer_answer`` message with decision
    ``withdrawn``): an open offer is dropped. Idempotent; unknown offers are ignored."""
    tid = str(body.get("transfer_id") or "")
    items = _load(ws)
    for i, item in enumerate(items):
        if item["id"] != tid:
            continue
        if item.get("state") == "offered":
            gone = _settle(ws, tid, state="withdrawn", note=str(body.get("note") or ""))
            ws._changed(None, None)
            return gone
        if item.get("state") == "accepted" and not item.get("withdrawn_late"):
            # accepted here before the withdrawal reached the county: the county refuses our
            # answer (sync.transfer_answered); the clerk sorts it out with the other township
            log.warning("transfer: withdrawn by the sending side after it was accepted here")
            items[i] = {**item, "withdrawn_late": True}
            ws.settings.set(OFFERS_KEY, items)
        return _offer(items[i])
    log.info("transfer: withdrawal of an unknown offer ignored")
    return None
