"""The audit chain: an append-only log where each entry's hash covers the previous hash.

An entry records who, when, what (action, target uuid, a small detail dict without personal
data) and the SHA-256 hashes of the record before and after — never the values themselves.
``hash = sha256(prev_hash || canonical_json(entry))``. :meth:`AuditLog.verify` walks the chain
and reports the first entry whose link or content does not match.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlcipher3

GENESIS = "0" * 64


def canonical(obj: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8 (same convention as forms.canonical_json)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def content_hash(obj: Any) -> str:
    return hashlib.sha256(canonical(obj)).hexdigest()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _entry_hash(prev: str, entry: dict[str, Any]) -> str:
    return hashlib.sha256(prev.encode("ascii") + canonical(entry)).hexdigest()


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of :meth:`AuditLog.verify`."""

    ok: bool
    entries: int
    first_broken: int | None  # seq of the first bad entry
    message: str


class AuditLog:
    """Appends to and verifies the ``audit_log`` table (call ``append`` inside a transaction)."""

    def __init__(self, conn: sqlcipher3.Connection) -> None:
        self._conn = conn

    def head(self) -> str:
        row = self._conn.execute("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        return row[0] if row else GENESIS

    def append(
        self,
        actor: str,
        action: str,
        target: str | None = None,
        detail: dict[str, Any] | None = None,
        before_hash: str | None = None,
        after_hash: str | None = None,
        *,
        at: str | None = None,
    ) -> str:
        """Add one entry after the current head; returns its hash."""
        prev = self.head()
        entry = {
            "at": at or now(),
            "actor": actor,
            "action": action,
            "target": target,
            "detail": detail or {},
            "before_hash": before_hash,
            "after_hash": after_hash,
        }
        h = _entry_hash(prev, entry)
        self._conn.execute(
            "INSERT INTO audit_log (at, actor, action, target, detail, before_hash, after_hash,"
            " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entry["at"],
                actor,
                action,
                target,
                canonical(entry["detail"]).decode(),
                before_hash,
                after_hash,
                prev,
                h,
            ),
        )
        return h

    def entries(self, *, target: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        """Newest first; for the UI's audit view."""
        sql = (
            "SELECT seq, at, actor, action, target, detail, before_hash, after_hash FROM audit_log"
        )
        params: list[Any] = []
        if target:
            sql += " WHERE target = ?"
            params.append(target)
        sql += " ORDER BY seq DESC LIMIT ?"
        params.append(limit)
        cols = ("seq", "at", "actor", "action", "target", "detail", "before_hash", "after_hash")
        out = []
        for row in self._conn.execute(sql, params):
            d = dict(zip(cols, row, strict=True))
            d["detail"] = json.loads(d["detail"])
            out.append(d)
        return out

    def verify(self) -> VerifyResult:
        """Walk the whole chain; the first entry whose link or hash is wrong is reported."""
        prev = GENESIS
        n = 0
        for row in self._conn.execute(
            "SELECT seq, at, actor, action, target, detail, before_hash, after_hash, prev_hash,"
            " hash FROM audit_log ORDER BY seq"
        ):
            seq, at, actor, action, target, detail, bh, ah, prev_hash, h = row
            n += 1
            if prev_hash != prev:
                return VerifyResult(
                    False, n, seq, f"Audit entry {seq} does not link to the entry before it."
                )
            try:
                detail_obj = json.loads(detail)
            except ValueError:
                return VerifyResult(False, n, seq, f"Audit entry {seq} is unreadable.")
            entry = {
                "at": at,
                "actor": actor,
                "action": action,
                "target": target,
                "detail": detail_obj,
                "before_hash": bh,
                "after_hash": ah,
            }
            if _entry_hash(prev, entry) != h:
                return VerifyResult(
                    False, n, seq, f"Audit entry {seq} was altered (its hash does not match)."
                )
            prev = h
        return VerifyResult(True, n, None, f"Audit chain intact ({n} entries).")
