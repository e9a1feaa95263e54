"""Membership transfers between townships of one server (PROTOCOL.md, "Transfers").

A township's ``member_transfer`` record (the request, with the member's details) and the receiving
township's ``member_transfer_answer`` record travel in ordinary batches and are validated like any
record. On top of that, :class:`TransferJudge` checks them against the ``transfers`` table inside
the ingest transaction (per-record ``sync.transfer_*`` rejections), and once they are stored it
records the transfer and queues the downward messages in the same transaction:

- a received request → one ``transfer_offer`` message for each active township device of the
  receiving org unit (devices enrolled later get open offers at enrollment: :func:`open_offers`);
- a received answer → one ``transfer_answer`` message for each device of the sending org unit;
- a received withdrawal (an answer record with decision ``withdrawn``, from the *sending* org
  unit, while the offer is still open) → one ``transfer_answer`` message for each device of the
  receiving org unit, which drops the offer.

A batch delivered again is answered with its stored receipt (nothing re-judged) and a record sent
again in another batch is a ``duplicate``: neither queues a second message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from sync.server.tables import devices, org_units, transfers

if TYPE_CHECKING:
    from sync.server.domain.service import Server

REQUEST_FORM = "member_transfer"
ANSWER_FORM = "member_transfer_answer"
FORMS = (REQUEST_FORM, ANSWER_FORM)
OFFER_KIND = "transfer_offer"
ANSWER_KIND = "transfer_answer"


def _error(code: str, message: str, **params: Any) -> dict[str, Any]:
    return {"code": code, "field": None, "params": {"message": message, **params}}


class TransferJudge:
    """Checks the transfer records of one batch and applies them after they are stored."""

    def __init__(self, server: Server, conn: Connection) -> None:
        self.server = server
        self.conn = conn
        self._actions: list[tuple[str, Mapping[str, Any]]] = []
        # within this batch, by transfer id: the requests' data and the answers' record uuids
        self._requested: dict[str, Mapping[str, Any]] = {}
        self._answered: dict[str, str] = {}

    def check(self, record: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Rejection errors for a valid transfer record ([] = accept it)."""
        if record["form_id"] == REQUEST_FORM:
            return self._check_request(record)
        if record["form_id"] == ANSWER_FORM:
            return self._check_answer(record)
        return []

    def _row(self, transfer_id: str) -> Any:
        return self.conn.execute(
            select(transfers).where(transfers.c.transfer_id == transfer_id)
        ).first()

    def _unit(self, code: str) -> Any:
        return self.conn.execute(select(org_units).where(org_units.c.code == code)).first()

    def _check_request(self, record: Mapping[str, Any]) -> list[dict[str, Any]]:
        data = record["data"]
        tid, origin, target = data["transfer_id"], data["from_org_unit"], data["to_org_unit"]
        if origin != record["org_unit"]:
            return [_error("sync.transfer_mismatch", "the sending township is not the record's")]
        if target == origin:
            return [_error("sync.transfer_same_township", "both sides are the same township")]
        if self._unit(target) is None or target == self.server.config.org_unit_code:
            return [
                _error(
                    "sync.transfer_unknown_org_unit",
                    "the receiving unit is not one below this server",
                    to_org_unit=target,
                )
            ]
        row = self._row(tid)
        owner = row.request_uuid if row is not None else None
        if tid in self._requested:
            owner = self._requested[tid]["uuid"]
        if owner is not None:
            if owner == record["uuid"]:
                return []  # a new version of the same request: no second offer
            return [_error("sync.transfer_conflict", "this transfer id belongs to another record")]
        self._requested[tid] = {**data, "uuid": record["uuid"]}
        self._actions.append(("offer", record))
        return []

    def _check_answer(self, record: Mapping[str, Any]) -> list[dict[str, Any]]:
        data = record["data"]
        tid = data["transfer_id"]
        row = self._row(tid)
        if row is not None:
            origin, target, answered = row.from_org_unit, row.to_org_unit, row.answer_uuid
        elif tid in self._requested:  # requested and withdrawn within one batch
            origin = self._requested[tid]["from_org_unit"]
            target, answered = self._requested[tid]["to_org_unit"], None
        else:
            return [_error("sync.transfer_unknown", "no transfer with this id was offered here")]
        # an answer comes from the receiving unit; a withdrawal from the sending one
        side = origin if data["decision"] == "withdrawn" else target
        if record["org_unit"] != side or (data["from_org_unit"], data["to_org_unit"]) != (
            origin,
            target,
        ):
            return [
                _error("sync.transfer_not_addressed", "the transfer is not this unit's to answer")
            ]
        answered = answered or self._answered.get(tid)
        if answered is not None:
            if answered == record["uuid"]:
                return []  # a new version of the same answer: the decision stands
            return [_error("sync.transfer_answered", "this transfer was answered already")]
        self._answered[tid] = record["uuid"]
        self._actions.append(("answer", record))
        return []

    def after_insert(self, conn: Connection, received_at: str) -> None:
        """Record the transfers and queue their messages (inside the ingest transaction)."""
        for action, record in self._actions:
            if action == "offer":
                self._offer(conn, record, received_at)
            else:
                self._answer(conn, record, received_at)

    def _devices_of(self, conn: Connection, org_unit: str) -> list[str]:
        return [
            r.device_id
            for r in conn.execute(
                select(devices.c.device_id).where(
                    devices.c.org_unit == org_unit,
                    devices.c.role == "township",
                    devices.c.revoked_at.is_(None),
                )
            )
        ]

    def _offer(self, conn: Connection, record: Mapping[str, Any], received_at: str) -> None:
        data = record["data"]
        origin = self._unit(data["from_org_unit"])
        body = {
            "transfer_id": data["transfer_id"],
            "from_org_unit": data["from_org_unit"],
            "from_org_unit_name": origin.name if origin is not None else "",
            "to_org_unit": data["to_org_unit"],
            "request": dict(record),
        }
        conn.execute(
            transfers.insert().values(
                transfer_id=data["transfer_id"],
                request_uuid=record["uuid"],
                from_org_unit=data["from_org_unit"],
                to_org_unit=data["to_org_unit"],
                state="offered",
                offer=self.server.sealer.seal_json("transfer_offer", data["transfer_id"], body),
                created_at=received_at,
            )
        )
        targets = self._devices_of(conn, data["to_org_unit"])
        for device_id in targets:
            self.server.enqueue(conn, device_id, OFFER_KIND, body)
        self.server.log.info(
            "transfer offered transfer=%s from=%s to=%s devices=%d",
            data["transfer_id"],
            data["from_org_unit"],
            data["to_org_unit"],
            len(targets),
        )

    def _answer(self, conn: Connection, record: Mapping[str, Any], received_at: str) -> None:
        data = record["data"]
        row = self._row(data["transfer_id"])
        unit = self._unit(row.to_org_unit)
        conn.execute(
            update(transfers)
            .where(transfers.c.transfer_id == row.transfer_id, transfers.c.answer_uuid.is_(None))
            .values(state=data["decision"], answer_uuid=record["uuid"], answered_at=received_at)
        )
        body = {
            "transfer_id": row.transfer_id,
            "decision": data["decision"],
            "union_name": data.get("union_name") or "",
            "note": data.get("note") or "",
            "date": data["date"],
            "to_org_unit": row.to_org_unit,
            "to_org_unit_name": unit.name if unit is not None else "",
            "answer": dict(record),
        }
        withdrawn = data["decision"] == "withdrawn"
        targets = self._devices_of(conn, row.to_org_unit if withdrawn else row.from_org_unit)
        for device_id in targets:
            self.server.enqueue(conn, device_id, ANSWER_KIND, body)
        self.server.log.info(
            "transfer answered transfer=%s decision=%s devices=%d",
            row.transfer_id,
            data["decision"],
            len(targets),
        )


def open_offers(server: Server, conn: Connection, device_id: str, org_unit: str) -> int:
    """Queue the still-open offers to ``org_unit`` for a device enrolled just now."""
    rows = conn.execute(
        select(transfers.c.transfer_id, transfers.c.offer)
        .where(transfers.c.to_org_unit == org_unit, transfers.c.state == "offered")
        .order_by(transfers.c.created_at)
    ).all()
    for row in rows:
        offer = server.sealer.open_json("transfer_offer", row.transfer_id, row.offer)
        server.enqueue(conn, device_id, OFFER_KIND, offer)
    return len(rows)


def transfer_rows(server: Server) -> list[Any]:
    """Every transfer this server knows (for the CLI and tests), oldest first."""
    with server.store.read() as conn:
        return list(conn.execute(select(transfers).order_by(transfers.c.created_at)))


__all__ = [
    "ANSWER_FORM",
    "ANSWER_KIND",
    "FORMS",
    "OFFER_KIND",
    "REQUEST_FORM",
    "TransferJudge",
    "open_offers",
    "transfer_rows",
]
