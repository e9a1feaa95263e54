"""Apply verified inbox messages from the county to the workspace.

Each message kind has one applier; every applier is idempotent (applying a message twice leaves
the workspace as applying it once), and a message's id is remembered in the workspace after it
was applied, so a crash between applying and acknowledging to the server never applies twice:

- ``receipt``: a batch receipt sent downward (the engine already stored it; nothing to do here);
- ``review_decision``: the county accepted a record, or returned it with a comment (editable);
- ``review_decisions``: the same for many records, all of one review request's decisions for
  this device in one message; each record is applied on its own (its own transaction), so one
  that cannot apply does not hold back or lose the others (below). The county sends it only to
  a device that declared it (:data:`HANDLED_KINDS`, with every inbox read), else it sends one
  ``review_decision`` per record;
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

A ``review_decisions`` message is judged record by record: the records that apply are applied,
one that can never apply is set aside on its own (with its record uuid), and only those failing
for a passing reason are held, in a message of the same id holding just them (a busy database
holds the record it hit and every one after it: they would wait for it in turn).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from desktop.domain import transfer_offers, transfers
from desktop.link import state
from desktop.store import errors
from sync.protocol import REVIEW_DECISIONS_KIND

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

#: passing failures of one record only: the other records of a ``review_decisions`` go on
RECORD_PASSING: tuple[type[BaseException], ...] = (errors.RecordNotEditable,)

BATCH_KIND = REVIEW_DECISIONS_KIND

#: the inbox kinds this client applies, declared to the county with every inbox read
HANDLED_KINDS = (
    "receipt",
    "server_keys",
    "review_decision",
    BATCH_KIND,
    "form_definition",
    "org_units",
    "transfer_offer",
    "transfer_answer",
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
    outcome, left = _attempt(ws, entry)
    if outcome == "held":
        state.save_held(ws.settings, [*held, {**left, "attempts": 1}])
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
        outcome, left = _attempt(ws, entry)
        if outcome == "held":
            keep.append({**left, "attempts": int(entry.get("attempts", 1)) + 1})
        else:
            done += 1
    state.save_held(ws.settings, keep)
    return done


def _attempt(ws: Workspace, entry: Mapping[str, Any]) -> tuple[Outcome, Mapping[str, Any]]:
    """Apply one message; the outcome and, when held, what is held (the whole message, or the
    records of a ``review_decisions`` that did not apply yet)."""
    kind, msg_id = str(entry["kind"]), str(entry["msg_id"])
    if kind == BATCH_KIND:
        return _attempt_decisions(ws, entry)
    try:
        _apply(ws, kind, entry.get("body") or {})
    except PASSING as exc:  # no data in the log
        log.warning("sync: %s not applied yet, kept for the next sync (%s)", kind, _name(exc))
        return "held", entry
    except Exception as exc:  # can never apply here: set aside, shown on the Sync page
        _set_aside(ws, msg_id, kind, exc)
        state.mark_applied(ws.settings, msg_id)
        return "set_aside", entry
    state.mark_applied(ws.settings, msg_id)
    return "applied", entry


def _attempt_decisions(
    ws: Workspace, entry: Mapping[str, Any]
) -> tuple[Outcome, Mapping[str, Any]]:
    """A ``review_decisions`` message, record by record (each in its own transaction)."""
    msg_id = str(entry["msg_id"])
    body = entry.get("body") or {}
    decisions = body.get("decisions")
    if not isinstance(decisions, list) or not all(isinstance(d, Mapping) for d in decisions):
        _set_aside(ws, msg_id, BATCH_KIND, ValueError("malformed"))
        state.mark_applied(ws.settings, msg_id)
        return "set_aside", entry
    left: list[Mapping[str, Any]] = []
    aside = 0
    for i, decision in enumerate(decisions):
        try:
            _apply_review(ws, decision)
        except RECORD_PASSING:  # this record cannot change now: the others go on
            left.append(decision)
        except PASSING as exc:  # the database itself: this record and the rest wait
            log.warning("sync: review decisions not applied yet (%s)", _name(exc))
            left += decisions[i:]
            break
        except Exception as exc:  # this record can never apply here: set aside on its own
            _set_aside(ws, msg_id, BATCH_KIND, exc, str(decision.get("record_uuid", "")))
            aside += 1
    if left:
        log.warning(
            "sync: %d of %d review decisions kept for the next sync", len(left), len(decisions)
        )
        return "held", {**entry, "body": {**body, "decisions": left}}
    state.mark_applied(ws.settings, msg_id)
    return ("set_aside" if aside else "applied"), entry


def _set_aside(
    ws: Workspace, msg_id: str, kind: str, exc: BaseException, record_uuid: str = ""
) -> None:
    """Keep a message (or one record of a ``review_decisions``) that can never apply here for
    the Sync page: kind, reason, time, the record's uuid (never a value)."""
    log.warning("sync: %s set aside (%s)", kind, _name(exc))
    entry = {
        "msg_id": msg_id,
        "kind": kind,
        "reason": _name(exc),
        "code": str(getattr(exc, "code", "") or ""),
        "at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    }
    if record_uuid:
        entry["record_uuid"] = record_uuid
    state.add_set_aside(ws.settings, entry)


def _name(exc: BaseException) -> str:
    return type(exc).__name__


def _apply(ws: Workspace, kind: str, body: Mapping[str, Any]) -> None:
    if kind == "review_decision":
        _apply_review(ws, body)
    elif kind == BATCH_KIND:  # applied record by record (_attempt_decisions); here: all at once
        for decision in body.get("decisions") or ():
            _apply_review(ws, decision)
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
