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
change is an exit (转出 / 退会 / 除名), unless that exit is a transfer still pending.
"""

from __future__ import annotations

import datetime as _dt
import uuid as uuidlib
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from desktop.store import errors

SETTINGS_KEY = "rosters.transfers"
EXIT_KINDS = ("transfer_out", "withdraw", "expel")


class TransferError(errors.StoreError):
    """The transfer cannot be made (same union, not a member, already pending …)."""

    code = "transfer.invalid"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class PendingTransfer:
    """A transfer out to another township's union, waiting for (or past) its confirmation."""

    id: str
    member_uuid: str
    member_name: str
    from_union: str  # union record uuid here
    to_union_name: str
    to_org_unit: str  # the receiving township's org-unit code
    date: str
    reason: str
    state: str  # pending | confirmed | cancelled
    requested_by: str
    requested_at: str
    settled_at: str = ""
    settled_note: str = ""


def _today() -> str:
    return _dt.date.today().isoformat()


def _iso(date: str | _dt.date | None) -> str:
    if date is None or date == "":
        return _today()
    if isinstance(date, _dt.date):
        return date.isoformat()
    try:
        return _dt.date.fromisoformat(str(date).strip()).isoformat()
    except ValueError as exc:
        raise TransferError("transfer.date", f"'{date}' is not a date (YYYY-MM-DD).") from exc


def _member(ws: Any, member_uuid: str) -> Any:
    rec = ws.records.get(member_uuid)
    if rec.form_id != "member":
        raise TransferError("transfer.not_member", f"Record {member_uuid} is not a member.")
    return rec


def _union_name(ws: Any, union_uuid: str) -> str:
    try:
        rec = ws.records.get(union_uuid)
    except errors.RecordNotFound:
        raise TransferError("transfer.no_union", f"There is no union {union_uuid}.") from None
    if rec.form_id != "union":
        raise TransferError("transfer.no_union", f"Record {union_uuid} is not a union.")
    return str(rec.data.get("full_name") or "")


def _load(ws: Any) -> list[dict[str, Any]]:
    value = ws.settings.get(SETTINGS_KEY, []) or []
    return [dict(v) for v in value] if isinstance(value, list) else []


def _store(ws: Any, items: list[dict[str, Any]]) -> None:
    ws.settings.set(SETTINGS_KEY, items)


def _with_change(data: Mapping[str, Any], *rows: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    out["changes"] = [*(data.get("changes") or []), *rows]
    return out


def transfer_member(
    ws: Any,
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
    to_name = _union_name(ws, to_union_uuid)
    from_name = _union_name(ws, from_uuid) if from_uuid else ""
    day = _iso(date)
    out_row = {"kind": "transfer_out", "date": day, "reason": reason or None, "to_union": to_name}
    in_row = {"kind": "transfer_in", "date": day, "reason": reason or None, "from_union": from_name}
    data = _with_change(rec.data, out_row, in_row)
    data["union"] = to_union_uuid
    return ws.records.save("member", data, record_uuid=member_uuid)


def request_external_transfer(
    ws: Any,
    member_uuid: str,
    *,
    to_union_name: str,
    to_org_unit: str,
    date: str | _dt.date | None = None,
    reason: str = "",
) -> PendingTransfer:
    """Record a transfer out to another township's union as pending (see the module doc)."""
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
    day = _iso(date)
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
    _store(ws, [*items, asdict(pending)])  # pending first: a failed save below leaves no exit
    try:
        row = {"kind": "transfer_out", "date": day, "reason": reason or None, "to_union": target}
        ws.records.save("member", _with_change(rec.data, row), record_uuid=member_uuid)
    except BaseException:
        _store(ws, items)
        raise
    return pending


def pending_transfers(ws: Any, state: str | None = "pending") -> list[PendingTransfer]:
    """Transfers to other townships (``state=None``: all of them, newest last)."""
    return [PendingTransfer(**i) for i in _load(ws) if state is None or i["state"] == state]


def pending_member_uuids(ws: Any) -> set[str]:
    return {t.member_uuid for t in pending_transfers(ws)}


def _settle(ws: Any, transfer_id: str, state: str, note: str) -> tuple[PendingTransfer, list]:
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
            return PendingTransfer(**item), items
    raise TransferError("transfer.unknown", f"No transfer {transfer_id}.")


def confirm_transfer(ws: Any, transfer_id: str, *, note: str = "") -> PendingTransfer:
    """The receiving union confirmed: the member leaves this township's roster."""
    done, items = _settle(ws, transfer_id, "confirmed", note)
    _store(ws, items)
    return done


def cancel_transfer(ws: Any, transfer_id: str, *, note: str = "") -> PendingTransfer:
    """Refused or withdrawn: the 转出 row is removed again (a new version) and the member stays."""
    done, items = _settle(ws, transfer_id, "cancelled", note)
    rec = _member(ws, done.member_uuid)
    changes = list(rec.data.get("changes") or [])
    for i in range(len(changes) - 1, -1, -1):
        row = changes[i]
        if row.get("kind") == "transfer_out" and row.get("date") == done.date:
            del changes[i]
            break
    ws.records.save("member", {**rec.data, "changes": changes or None}, record_uuid=rec.uuid)
    _store(ws, items)
    return done


def is_current_member(
    data: Mapping[str, Any], pending: Collection[str] = (), uuid: str = ""
) -> bool:
    """Whether the member still counts for its union (see the module doc)."""
    changes = [c for c in (data.get("changes") or []) if isinstance(c, Mapping)]
    if not changes:
        return True
    last = max(enumerate(changes), key=lambda ic: (str(ic[1].get("date") or ""), ic[0]))[1]
    if last.get("kind") not in EXIT_KINDS:
        return True
    return last.get("kind") == "transfer_out" and uuid in pending
