"""Apply verified inbox messages from the county to the workspace.

Each message kind has one applier; every applier is idempotent (applying a message twice leaves
the workspace as applying it once), and a message's id is remembered in the workspace after it
was applied, so a crash between applying and acknowledging to the server never applies twice:

- ``receipt``: a batch receipt sent downward (the engine already stored it; nothing to do here);
- ``review_decision``: the county accepted a record, or returned it with a comment (editable);
- ``form_definition``: a new form definition version; it becomes the default for new records;
- ``org_units``: the org-unit tree (reference data), replacing the stored copy;
- ``transfer_offer``: another township transfers a member here; kept until the clerk accepts or
  refuses it (:mod:`desktop.domain.transfer_offers`);
- ``transfer_answer``: the receiving township accepted or refused a transfer from here; the
  pending transfer is confirmed or cancelled (:func:`desktop.domain.transfers.apply_answer`) —
  or, with decision ``withdrawn``, the sending township withdrew a transfer offered here.

Unknown kinds are skipped and acknowledged (a newer server may send more than this client knows).

A message whose applier fails is never acknowledged silently, and never blocks the rest of the
inbox (the server's acknowledgement is cumulative, so the message is kept here instead):

- failing for a passing reason (:data:`PASSING`: a busy database, a record that cannot change
  right now) it is *held* whole in the encrypted workspace (``sync.inbox_held``) and applied
  again at the start of the next sync (:func:`retry_held`), until it applies;
- failing for any other reason it can never apply here: it is *set aside*
  (``sync.inbox_set_aside``: kind and reason, shown on the Sync page) and not retried.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from desktop.domain import transfer_offers, transfers
from desktop.link import state
from desktop.store import errors

if TYPE_CHECKING:
    from desktop.store.workspace import Workspace
    from sync.protocol import InboxMessage

log = logging.getLogger(__name__)

DECISION_STATUS = {"accepted": "accepted", "returned": "returned"}

#: failures that pass: the same message applies when tried again later
PASSING: tuple[type[BaseException], ...] = (
    errors.DatabaseBusy,
    errors.RecordNotEditable,
    errors.DiskFull,
    errors.StorageError,
)

Outcome = Literal["applied", "held", "set_aside"]


def apply_message(ws: Workspace, message: InboxMessage) -> bool:
    """Apply one verified :class:`sync.protocol.InboxMessage`; True when it may be acknowledged
    (applied, held for the next sync, or set aside: kept here in every case)."""
    if message.kind in ("receipt", "server_keys"):
        return True  # the engine handled it (stored the receipt; re-keyed, state.rekeyed)
    if message.msg_id in state.applied_ids(ws.settings):
        return True
    held = state.held(ws)
    if any(h.get("msg_id") == message.msg_id for h in held):
        return True  # kept already (sent again): applied at the next sync
    entry = {"msg_id": message.msg_id, "kind": message.kind, "body": dict(message.body)}
    if _attempt(ws, entry) == "held":
        state.save_held(ws.settings, [*held, {**entry, "attempts": 1}])
    return True


def retry_held(ws: Workspace) -> int:
    """Apply the messages held by an earlier sync again, in the order they came; how many
    applied now (or were set aside). Those failing for a passing reason again stay held."""
    held = state.held(ws)
    if not held:
        return 0
    keep: list[dict[str, Any]] = []
    done = 0
    for entry in held:
        if _attempt(ws, entry) == "held":
            keep.append({**entry, "attempts": int(entry.get("attempts", 1)) + 1})
        else:
            done += 1
    state.save_held(ws.settings, keep)
    return done


def _attempt(ws: Workspace, entry: Mapping[str, Any]) -> Outcome:
    kind, msg_id = str(entry["kind"]), str(entry["msg_id"])
    try:
        _apply(ws, kind, entry.get("body") or {})
    except PASSING as exc:  # no data in the log
        log.warning("sync: %s not applied yet, kept for the next sync (%s)", kind, _name(exc))
        return "held"
    except Exception as exc:  # can never apply here: set aside, shown on the Sync page
        log.warning("sync: %s set aside (%s)", kind, _name(exc))
        state.add_set_aside(
            ws.settings,
            {
                "msg_id": msg_id,
                "kind": kind,
                "reason": _name(exc),
                "code": str(getattr(exc, "code", "") or ""),
                "at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            },
        )
        state.mark_applied(ws.settings, msg_id)
        return "set_aside"
    state.mark_applied(ws.settings, msg_id)
    return "applied"


def _name(exc: BaseException) -> str:
    return type(exc).__name__


def _apply(ws: Workspace, kind: str, body: Mapping[str, Any]) -> None:
    if kind == "review_decision":
        _apply_review(ws, body)
    elif kind == "form_definition":
        add_form(ws, body["definition"])
    elif kind == "org_units":
        ws.settings.set(state.ORG_UNITS_KEY, list(body.get("org_units") or []))
    elif kind == "transfer_offer":
        transfer_offers.receive_offer(ws, body)
    elif kind == "transfer_answer":
        if body.get("decision") == "withdrawn":  # the sending side changed its mind
            transfer_offers.apply_withdrawal(ws, body)
        else:
            transfers.apply_answer(ws, body)
    else:
        log.info("sync: skipped an inbox message of unknown kind %r", kind)


def add_form(ws: Workspace, definition: Mapping[str, Any]) -> None:
    """Store a received form definition unless this exact version is already there."""
    try:
        latest = ws.forms.latest(str(definition.get("id")))
    except Exception:  # not known yet
        latest = None
    if latest is not None and getattr(latest, "version", 0) > int(definition.get("version", 0)):
        # an older version (still accepted by the county) must not replace the default
        return
    ws.forms.add(dict(definition))


def _apply_review(ws: Workspace, body: Mapping[str, Any]) -> None:
    status = DECISION_STATUS.get(str(body.get("decision")))
    if status is None:
        log.info("sync: skipped a review decision of unknown kind")
        return
    record = ws.records.get(str(body["record_uuid"]))
    if int(body.get("version", record.version)) != record.version:
        # the clerk saved a newer version since: the decision is about an old one
        log.info("sync: review decision for an older version kept out")
        return
    ws.records.set_status(record.uuid, status, comment=body.get("comment"))
    if transfers.pending_member_uuids(ws) and record.form_id == "member":
        transfers.finish_cancellations(ws)  # a refused transfer's 转出 row can go now
