"""The audit chain: an append-only log where each entry's hash covers the previous hash.

An entry records who, when, what (action, target uuid, a small detail dict without personal
data) and the SHA-256 hashes of the record before and after — never the values themselves.
``hash = sha256(prev_hash, at, actor, action, target, detail JSON, before, after)`` (fields
joined by U+001F). :meth:`AuditLog.verify` walks the chain
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


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(obj: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8 (same convention as forms.canonical_json)."""
    return _CANONICAL.encode(obj).encode()


def content_hash(obj: Any) -> str:
    return hashlib.sha256(canonical(obj)).hexdigest()


def detail_json(detail: dict[str, Any] | None) -> str:
    """The stored (canonical JSON) text of an entry's detail."""
    return canonical(detail or {}).decode()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _entry_hash(
    prev: str,
    at: str,
    actor: str,
    action: str,
    target: str | None,
    detail_text: str,
    before_hash: str | None,
    after_hash: str | None,
) -> str:
    """SHA-256 over the previous hash and the entry's fields (unit-separator joined; the detail
    is its stored canonical JSON text)."""
    body = "\x1f".join(
        (prev, at, actor, action, target or "", detail_text, before_hash or "", after_hash or "")
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


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
        row, h = self.entry_row(
            self.head(), actor, action, target, detail, before_hash, after_hash, at=at
        )
        self.insert_rows([row])
        return h

    def entry_row(
        self,
        prev: str,
        actor: str,
        action: str,
        target: str | None = None,
        detail: dict[str, Any] | None = None,
        before_hash: str | None = None,
        after_hash: str | None = None,
        *,
        at: str | None = None,
        detail_text: str | None = None,
    ) -> tuple[tuple[Any, ...], str]:
        """The row of an entry following ``prev`` (for batches: chain the returned hash).
        ``detail_text``: ``detail``'s canonical text, when the caller has it already."""
        at = at or now()
        text = detail_text if detail_text is not None else detail_json(detail)
        h = _entry_hash(prev, at, actor, action, target, text, before_hash, after_hash)
        return (at, actor, action, target, text, before_hash, after_hash, prev, h), h

    def insert_rows(self, rows: list[tuple[Any, ...]]) -> None:
        self._conn.executemany(
            "INSERT INTO audit_log (at, actor, action, target, detail, before_hash, after_hash,"
            " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

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
            if _entry_hash(prev, at, actor, action, target, detail, bh, ah) != h:
                return VerifyResult(
                    False, n, seq, f"Audit entry {seq} was altered (its hash does not match)."
                )
            prev = h
        return VerifyResult(True, n, None, f"Audit chain intact ({n} entries).")
