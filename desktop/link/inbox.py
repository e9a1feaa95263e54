"""Apply verified inbox messages from the county to the workspace.

Each message kind has one applier; every applier is idempotent (applying a message twice leaves
the workspace as applying it once), and a message's id is remembered in the workspace after it
was applied, so a crash between applying and acknowledging to the server never applies twice:

- ``receipt``: a batch receipt sent downward (the engine already stored it; nothing to do here);
- ``review_decision``: the county accepted a record, or returned it with a comment (editable);
- ``form_definition``: a new form definition version; it becomes the default for new records;
- ``org_units``: the org-unit tree (reference data), replacing the stored copy;
- ``transfer_offer``: another township transfers a member here; kept until the clerk accepts or
  refuses it (:mod:`desktop.store.transfer_offers`);
- ``transfer_answer``: the receiving township accepted or refused a transfer from here; the
  pending transfer is confirmed or cancelled (:func:`desktop.store.transfers.apply_answer`) —
  or, with decision ``withdrawn``, the sending township withdrew a transfer offered here.

Unknown kinds are skipped and acknowledged (a newer server may send more than this client knows).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from desktop.link import state
from desktop.store import transfer_offers, transfers

log = logging.getLogger(__name__)

DECISION_STATUS = {"accepted": "accepted", "returned": "returned"}


def apply_message(ws: Any, message: Any) -> bool:
    """Apply one verified :class:`sync.protocol.InboxMessage`; True when it may be acknowledged."""
    if message.kind in ("receipt", "server_keys"):
        return True  # the engine handled it (stored the receipt; re-keyed, state.rekeyed)
    if message.msg_id in state.applied_ids(ws.settings):
        return True
    body: Mapping[str, Any] = message.body
    if message.kind == "review_decision":
        _apply_review(ws, body)
    elif message.kind == "form_definition":
        try:
            add_form(ws, body["definition"])
        except (KeyError, TypeError, ValueError) as exc:  # a definition this program rejects
            log.warning("sync: a form definition from the county was not usable (%s)", exc)
    elif message.kind == "org_units":
        ws.settings.set(state.ORG_UNITS_KEY, list(body.get("org_units") or []))
    elif message.kind in ("transfer_offer", "transfer_answer"):
        _apply_transfer(ws, message.kind, body)
    else:
        log.info("sync: skipped an inbox message of unknown kind %r", message.kind)
    state.mark_applied(ws.settings, message.msg_id)
    return True


def add_form(ws: Any, definition: Mapping[str, Any]) -> None:
    """Store a received form definition unless this exact version is already there."""
    try:
        latest = ws.forms.latest(definition.get("id"))
    except Exception:  # not known yet
        latest = None
    if latest is not None and getattr(latest, "version", 0) > int(definition.get("version", 0)):
        # an older version (still accepted by the county) must not replace the default
        return
    ws.forms.add(dict(definition))


def _apply_transfer(ws: Any, kind: str, body: Mapping[str, Any]) -> None:
    try:
        if kind == "transfer_offer":
            transfer_offers.receive_offer(ws, body)
        elif body.get("decision") == "withdrawn":  # the sending side changed its mind
            transfer_offers.apply_withdrawal(ws, body)
        else:
            transfers.apply_answer(ws, body)
    except Exception as exc:  # one bad message must not block the inbox; no data in the log
        log.warning("sync: %s not applied (%s)", kind, type(exc).__name__)


def _apply_review(ws: Any, body: Mapping[str, Any]) -> None:
    status = DECISION_STATUS.get(str(body.get("decision")))
    if status is None:
        log.info("sync: skipped a review decision of unknown kind")
        return
    try:
        record = ws.records.get(str(body["record_uuid"]))
        if int(body.get("version", record.version)) != record.version:
            # the clerk saved a newer version since: the decision is about an old one
            log.info("sync: review decision for an older version kept out")
            return
        ws.records.set_status(record.uuid, status, comment=body.get("comment"))
        if transfers.pending_member_uuids(ws) and record.form_id == "member":
            transfers.finish_cancellations(ws)  # a refused transfer's 转出 row can go now
    except Exception as exc:  # a locked or unknown record: keep going, no data in the log
        log.warning("sync: review decision not applied (%s)", type(exc).__name__)
