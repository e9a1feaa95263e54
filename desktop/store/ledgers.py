"""``ws.ledgers``: imported journals and the auditor's decisions on their doubts.

A ledger is tied to the audited union (its record id) and the period (a year, ``"2026"``): one
ledger per union and period, a new import replaces the lines (schema step 5). The lines are kept
as JSON inside the encrypted database like everything else. Decisions (confirmed / dismissed, with
a reason) are kept per union, period and doubt key, apart from the lines, so scanning again —
even after a new import of the same books — keeps them. Writing needs the ``write_audit`` right;
every write is in the hash-chained audit log.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop.store import db
from desktop.store.roles import require

if TYPE_CHECKING:
    from desktop.store.context import StoreContext

SCHEMA = (
    """CREATE TABLE ledgers (
        union_uuid TEXT NOT NULL, period TEXT NOT NULL, file_name TEXT NOT NULL,
        imported_at TEXT NOT NULL, imported_by TEXT NOT NULL, line_count INTEGER NOT NULL,
        lines TEXT NOT NULL, PRIMARY KEY (union_uuid, period))""",
    """CREATE TABLE ledger_decisions (
        union_uuid TEXT NOT NULL, period TEXT NOT NULL, doubt_key TEXT NOT NULL,
        decision TEXT NOT NULL, reason TEXT NOT NULL, checklist_uuid TEXT,
        decided_at TEXT NOT NULL, decided_by TEXT NOT NULL,
        PRIMARY KEY (union_uuid, period, doubt_key))""",
)
DECISIONS = ("confirmed", "dismissed")


@dataclass(frozen=True)
class StoredLedger:
    union_uuid: str
    period: str
    file_name: str
    imported_at: str
    imported_by: str
    lines: list[dict[str, Any]]


@dataclass(frozen=True)
class Decision:
    doubt_key: str
    decision: str  # confirmed | dismissed
    reason: str
    checklist_uuid: str | None
    decided_at: str
    decided_by: str


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


class Ledgers:
    def __init__(self, ctx: StoreContext) -> None:
        self._ctx = ctx

    def put(
        self, union_uuid: str, period: str, file_name: str, lines: list[Mapping[str, Any]]
    ) -> None:
        user = self._ctx.require_open()
        require(user, "write_audit", "import a ledger")
        conn = self._ctx.connection()
        text = json.dumps(list(lines), ensure_ascii=False, separators=(",", ":"))
        with db.transaction(conn, "saving a ledger"):
            db.wrap(conn).table("ledgers").insert(
                {
                    "union_uuid": union_uuid,
                    "period": period,
                    "file_name": file_name,
                    "imported_at": _now(),
                    "imported_by": user.name,
                    "line_count": len(lines),
                    "lines": text,
                },
                replace=True,  # a new import of the same union and period replaces the old one
            )
            self._ctx.audit.append(
                user.name, "ledger.import", f"{union_uuid}/{period}", {"lines": len(lines)}
            )
        self._ctx.mark_changed()

    def get(self, union_uuid: str, period: str) -> StoredLedger | None:
        self._ctx.require_open()
        row = (
            self._ctx.connection()
            .execute(
                "SELECT file_name, imported_at, imported_by, lines FROM ledgers"
                " WHERE union_uuid = ? AND period = ?",
                (union_uuid, period),
            )
            .fetchone()
        )
        if row is None:
            return None
        return StoredLedger(union_uuid, period, row[0], row[1], row[2], json.loads(row[3]))

    def stored(self) -> list[tuple[str, str, str, int]]:
        """(union id, period, file name, lines) of every stored ledger."""
        self._ctx.require_open()
        return [
            tuple(r)
            for r in self._ctx.connection().execute(
                "SELECT union_uuid, period, file_name, line_count FROM ledgers"
                " ORDER BY period DESC, union_uuid"
            )
        ]

    def decide(
        self,
        union_uuid: str,
        period: str,
        doubt_key: str,
        decision: str,
        reason: str = "",
        checklist_uuid: str | None = None,
    ) -> Decision:
        if decision not in DECISIONS:
            raise ValueError(f"Unknown decision {decision!r}; choose one of {DECISIONS}.")
        user = self._ctx.require_open()
        require(user, "write_audit", "decide on a doubt")
        conn = self._ctx.connection()
        now = _now()
        with db.transaction(conn, "saving a decision"):
            db.wrap(conn).table("ledger_decisions").insert(
                {
                    "union_uuid": union_uuid,
                    "period": period,
                    "doubt_key": doubt_key,
                    "decision": decision,
                    "reason": reason,
                    "checklist_uuid": checklist_uuid,
                    "decided_at": now,
                    "decided_by": user.name,
                },
                replace=True,  # a later decision on the same doubt replaces the earlier one
            )
            self._ctx.audit.append(
                user.name, f"ledger.{decision}", f"{union_uuid}/{period}", {"doubt": doubt_key}
            )
        self._ctx.mark_changed()
        return Decision(doubt_key, decision, reason, checklist_uuid, now, user.name)

    def decisions(self, union_uuid: str, period: str) -> dict[str, Decision]:
        self._ctx.require_open()
        rows = self._ctx.connection().execute(
            "SELECT doubt_key, decision, reason, checklist_uuid, decided_at, decided_by"
            " FROM ledger_decisions WHERE union_uuid = ? AND period = ?",
            (union_uuid, period),
        )
        return {r[0]: Decision(*r) for r in rows}
