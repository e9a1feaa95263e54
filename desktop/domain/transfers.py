"""Membership transfers (转会) between unions, built only on the store's public API.

- Within the workspace (both unions are records here, i.e. the same township):
  :func:`transfer_member` moves the member to the other union and appends two rows to the member's
  ``changes`` history — 转出 (to the new union) and 转入 (from the old one) — in ONE save, so the
  record, its audit entry and its outbox row commit together and the move flows upward by sync.
- To a union of another township: :func:`request_external_transfer` appends the 转出 row and
  records the transfer as *pending* (in ``ws.settings`` under :data:`SETTINGS_KEY`). The member
  stays on the roster until the receiving side confirms — :func:`confirm_transfer`, called when the
  confirmation arrives through sync (or typed in from the receiving township's notice) — or
  refuses (:func:`cancel_transfer` removes the 转出 row again, as a new version).

:func:`is_current_member` says whether a member still counts for its union: not when the latest
change is an exit (转出 / 退会 / 除名), unless that exit is a transfer still pending (the rule
itself lives in :mod:`forms.membership`, shared with the province's aggregates).

Through sync (PROTOCOL.md, "Transfers"): the request also saves a ``member_transfer`` record (the
member's details, for the receiving township) that goes upward like any record; the county offers
it to the receiving township (:mod:`desktop.domain.transfer_offers`), whose answer comes back as a
``transfer_answer`` inbox message that :func:`apply_answer` turns into :func:`confirm_transfer` or
:func:`cancel_transfer`. A refusal that arrives while the member record is with the county (not
editable) keeps the member on the roster at once and removes the 转出 row as soon as the record
is editable again (:func:`finish_cancellations`).
"""

from __future__ import annotations

import datetime as _dt
import logging
import uuid as uuidlib
from collections.abc import Mapping
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import forms
from desktop.store import errors
from desktop.store.record import NOT_EDITABLE
from desktop.store.transfer_state import (
    SETTINGS_KEY,
    PendingTransfer,
    _load,
    _pending,
    is_current_member,
    pending_member_uuids,
    pending_transfers,
)
from forms import membership

if TYPE_CHECKING:
    from desktop.store import Workspace

log = logging.getLogger(__name__)

EXIT_KINDS = membership.EXIT_KINDS
REQUEST_FORM = "member_transfer"
ANSWER_FORM = "member_transfer_answer"
#: the request's own fields; every other field of the request form is the member's snapshot
TRANSFER_FIELDS = (
    "transfer_id",
    "member_uuid",
    "from_org_unit",
    "from_union_name",
    "to_org_unit",
    "to_union_name",
    "date",
    "reason",
)


__all__ = [
    "SETTINGS_KEY",
    "PendingTransfer",
    "TransferError",
    "is_current_member",
    "pending_member_uuids",
    "pending_transfers",
]


class TransferError(errors.StoreError):
    """The transfer cannot be made (same union, not a member, already pending …)."""

    code = "transfer.invalid"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _today() -> str:
    return _dt.date.today().isoformat()


def iso_date(date: str | _dt.date | None) -> str:
    if date is None or date == "":
        return _today()
    if isinstance(date, _dt.date):
        return date.isoformat()
    try:
        return _dt.date.fromisoformat(str(date).strip()).isoformat()
    except ValueError as exc:
        raise TransferError("transfer.date", f"'{date}' is not a date (YYYY-MM-DD).") from exc


def _member(ws: Workspace, member_uuid: str) -> Any:
    rec = ws.records.get(member_uuid)
    if rec.form_id != "member":
        raise TransferError("transfer.not_member", f"Record {member_uuid} is not a member.")
    return rec


def union_name(ws: Workspace, union_uuid: str) -> str:
    try:
        rec = ws.records.get(union_uuid)
    except errors.RecordNotFound:
        raise TransferError("transfer.no_union", f"There is no union {union_uuid}.") from None
    if rec.form_id != "union":
        raise TransferError("transfer.no_union", f"Record {union_uuid} is not a union.")
    return str(rec.data.get("full_name") or "")


def _store(ws: Workspace, items: list[dict[str, Any]]) -> None:
    ws.settings.set(SETTINGS_KEY, items)


def _with_change(data: Mapping[str, Any], *rows: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    out["changes"] = [*(data.get("changes") or []), *rows]
    return out


def transfer_member(
    ws: Workspace,
    member_uuid: str,
    to_union_uuid: str,
    *,
    date: str | _dt.date | None = None,
    reason: str = "",
) -> Any:
    """Move a member to another union of this workspace (one save); returns the new record."""
    rec = _member(ws, member_uuid)
    from_uuid = str(rec.data.get("union") or "")
    if from_uuid == to_union_uuid:
        raise TransferError("transfer.same_union", "The member is already in that union.")
    if member_uuid in pending_member_uuids(ws):
        raise TransferError("transfer.pending", "A transfer of this member is already pending.")
    to_name = union_name(ws, to_union_uuid)
    from_name = union_name(ws, from_uuid) if from_uuid else ""
    day = iso_date(date)
    out_row = {"kind": "transfer_out", "date": day, "reason": reason or None, "to_union": to_name}
    in_row = {"kind": "transfer_in", "date": day, "reason": reason or None, "from_union": from_name}
    data = _with_change(rec.data, out_row, in_row)
    data["union"] = to_union_uuid
    return ws.records.save("member", data, record_uuid=member_uuid)


def request_data(
    ws: Workspace, member: Mapping[str, Any], pending: PendingTransfer, from_union_name: str
) -> dict[str, Any]:
    """The ``member_transfer`` record's data: the transfer plus the member's snapshot
    (unmasked: the receiving union needs the ID number), validated with the request form."""
    form = ws.forms.latest(REQUEST_FORM)
    wanted = [f.id for s in form.sections for f in s.fields if f.id not in TRANSFER_FIELDS]
    data: dict[str, Any] = {k: member[k] for k in wanted if member.get(k) is not None}
    data.update(
        transfer_id=pending.id,
        member_uuid=pending.member_uuid,
        from_org_unit=ws.org_unit.code,
        from_union_name=from_union_name or ws.org_unit.name,
        to_org_unit=pending.to_org_unit,
        to_union_name=pending.to_union_name,
        date=pending.date,
        reason=pending.reason or None,
    )
    result = forms.validate(form, data)
    if result.errors:
        fields = ", ".join(sorted({str(e.field) for e in result.errors}))
        raise TransferError(
            "transfer.member_incomplete",
            f"The member's record is incomplete for a transfer (check: {fields}).",
        )
    return dict(result.values)


def request_external_transfer(
    ws: Workspace,
    member_uuid: str,
    *,
    to_union_name: str,
    to_org_unit: str,
    date: str | _dt.date | None = None,
    reason: str = "",
) -> PendingTransfer:
    """Record a transfer out to another township's union as pending (see the module doc).

    Three saves, undone in reverse when a later one fails: the pending entry, the member's 转出
    row, and the ``member_transfer`` record that carries the request to the county."""
    rec = _member(ws, member_uuid)
    if not to_union_name.strip():
        raise TransferError("transfer.no_union", "Name the receiving union.")
    if not to_org_unit.strip():
        raise TransferError("transfer.no_org_unit", "Give the receiving township's org-unit code.")
    if to_org_unit.strip() == ws.org_unit.code:
        raise TransferError(
            "transfer.same_township", "That union is in this township: transfer it directly."
        )
    items = _load(ws)
    if any(i["member_uuid"] == member_uuid and i["state"] == "pending" for i in items):
        raise TransferError("transfer.pending", "A transfer of this member is already pending.")
    day = iso_date(date)
    target = f"{to_union_name.strip()}（{to_org_unit.strip()}）"
    pending = PendingTransfer(
        id=str(uuidlib.uuid4()),
        member_uuid=member_uuid,
        member_name=str(rec.data.get("name") or ""),
        from_union=str(rec.data.get("union") or ""),
        to_union_name=to_union_name.strip(),
        to_org_unit=to_org_unit.strip(),
        date=day,
        reason=reason,
        state="pending",
        requested_by=ws.user.name,
        requested_at=_dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    )
    row = {"kind": "transfer_out", "date": day, "reason": reason or None, "to_union": target}
    from_name = union_name(ws, pending.from_union) if pending.from_union else ""
    full = ws.records.get(member_uuid, unmask=True)  # audited: the details leave this township
    snapshot = request_data(ws, _with_change(full.data, row), pending, from_name)
    _store(ws, [*items, asdict(pending)])  # pending first: a failed save below leaves no exit
    saved = None
    try:
        saved = ws.records.save("member", _with_change(rec.data, row), record_uuid=member_uuid)
        request = ws.records.save(REQUEST_FORM, snapshot)
    except BaseException:
        if saved is not None:  # put the member back as it was (a new version)
            ws.records.save("member", dict(full.data), record_uuid=member_uuid)
        _store(ws, items)
        raise
    pending = PendingTransfer(**{**asdict(pending), "request_uuid": request.uuid})
    _store(ws, [*items, asdict(pending)])
    return pending


def _settle(
    ws: Workspace, transfer_id: str, state: str, note: str
) -> tuple[PendingTransfer, list[dict[str, Any]]]:
    items = _load(ws)
    for i, item in enumerate(items):
        if item["id"] == transfer_id:
            if item["state"] != "pending":
                raise TransferError(
                    "transfer.settled", f"This transfer is already {item['state']}."
                )
            item = {**item, "state": state, "settled_note": note}
            item["settled_at"] = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
            items[i] = item
            return _pending(item), items
    raise TransferError("transfer.unknown", f"No transfer {transfer_id}.")


def confirm_transfer(
    ws: Workspace, transfer_id: str, *, note: str = "", joined_union: str = ""
) -> PendingTransfer:
    """The receiving union confirmed: the member leaves this township's roster."""
    done, items = _settle(ws, transfer_id, "confirmed", note)
    if joined_union:
        items = [{**i, "joined_union": joined_union} if i["id"] == done.id else i for i in items]
        done = PendingTransfer(**{**asdict(done), "joined_union": joined_union})
    _store(ws, items)
    ws._changed("member", done.member_uuid)  # the member no longer counts: lists refresh
    return done


def _remove_out_row(ws: Workspace, done: PendingTransfer) -> bool:
    """Remove the transfer's 转出 row (a new version); False while the record is not editable."""
    rec = _member(ws, done.member_uuid)
    if rec.status in NOT_EDITABLE or rec.locked:
        return False
    changes = list(rec.data.get("changes") or [])
    for i in range(len(changes) - 1, -1, -1):
        row = changes[i]
        if row.get("kind") == "transfer_out" and row.get("date") == done.date:
            del changes[i]
            break
    ws.records.save("member", {**rec.data, "changes": changes or None}, record_uuid=rec.uuid)
    return True


def cancel_transfer(
    ws: Workspace, transfer_id: str, *, note: str = "", notify: bool = True
) -> PendingTransfer:
    """Refused or withdrawn: the 转出 row is removed again (a new version) and the member stays.

    While the member's record is with the county (queued / delivered) the member counts again at
    once and the row is removed by :func:`finish_cancellations` once the record is editable.
    With ``notify`` (the clerk withdraws it), a withdrawal record goes upward so the receiving
    township's offer is dropped; not for a request the county rejected (it was never offered)."""
    done, items = _settle(ws, transfer_id, "cancelled", note)
    if notify and done.request_uuid:
        _save_withdrawal(ws, done, note)
    if not _remove_out_row(ws, done):
        items = [{**i, "restore_waiting": True} if i["id"] == done.id else i for i in items]
        done = PendingTransfer(**{**asdict(done), "restore_waiting": True})
    _store(ws, items)
    return done


def _save_withdrawal(ws: Workspace, done: PendingTransfer, note: str) -> None:
    try:
        request = ws.records.get(done.request_uuid)
    except errors.RecordNotFound:
        return
    if request.status == "rejected":
        return
    ws.records.save(
        ANSWER_FORM,
        {
            "transfer_id": done.id,
            "from_org_unit": ws.org_unit.code,
            "to_org_unit": done.to_org_unit,
            "member_name": done.member_name or "—",
            "decision": "withdrawn",
            "date": _today(),
            "note": note or None,
        },
    )


def finish_cancellations(ws: Workspace) -> int:
    """Remove the 转出 rows of refused transfers whose member records are editable again."""
    items = _load(ws)
    done = 0
    for i, item in enumerate(items):
        if item.get("state") != "cancelled" or not item.get("restore_waiting"):
            continue
        transfer = pending_transfers(ws, state=None)[i]
        try:
            removed = _remove_out_row(ws, transfer)
        except errors.StoreError as exc:  # e.g. the member was deleted: nothing left to fix
            log.warning("transfer: refused transfer not tidied (%s)", type(exc).__name__)
            removed = True
        if removed:
            items[i] = {**item, "restore_waiting": False}
            done += 1
    if done:
        _store(ws, items)
    return done


def apply_answer(ws: Workspace, body: Mapping[str, Any]) -> PendingTransfer | None:
    """The receiving township's answer (a ``transfer_answer`` inbox message): confirm or cancel
    the pending transfer. Idempotent: an answer for a settled or unknown transfer is ignored."""
    tid = str(body.get("transfer_id") or "")
    item = next((t for t in pending_transfers(ws, state=None) if t.id == tid), None)
    if item is None or item.state != "pending":
        log.info("transfer: answer for a transfer not pending here ignored")
        return None
    note = str(body.get("note") or "")
    if body.get("decision") == "accepted":
        return confirm_transfer(ws, tid, note=note, joined_union=str(body.get("union_name") or ""))
    if body.get("decision") == "refused":
        return cancel_transfer(ws, tid, note=note, notify=False)
    log.info("transfer: answer of an unknown kind ignored")
    return None
