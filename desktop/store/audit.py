"""The audit chain: an append-only log where each entry's hash covers the previous hash.

An entry records who, when, what (action, target uuid, a small detail dict without personal
data) and the SHA-256 hashes of the record before and after — never the values themselves.
``hash = H(prev_hash, at, actor, action, target, detail JSON, before, after[, alg])`` (fields
joined by U+001F). :meth:`AuditLog.verify` walks the chain
and reports the first entry whose link or content does not match.

**Hash per entry (issue 16).** ``H`` follows the workspace's crypto suite: SHA-256 on ``intl``,
SM3 on ``gm`` (``sync.suites.hash_hex``); each entry names its hash in ``audit_log.hash_alg``
(schema step 8; none or empty = SHA-256, every entry written before, whose hashed bytes are
unchanged; an SM3 entry also hashes its ``sm3``). The suite is read once per write batch, with
the chain's head (:meth:`AuditLog.head`). A workspace moved from ``intl`` to ``gm`` keeps its
SHA-256 entries and goes on with SM3 from its ``workspace.crypto_suite`` entry; ``verify``
checks each entry with its own hash and reports a change of hash anywhere else (an SM3 entry
before the move, a SHA-256 entry after an SM3 one): a ``hash_alg`` edited on an old entry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlcipher3

from sync import suites

GENESIS = "0" * 64
SHA256, SM3 = "sha256", "sm3"
#: the hash of a suite's entries, and the suite whose document hash an entry's hash is
ALG_OF_SUITE = {suites.INTL: SHA256, suites.GM: SM3}
_SUITE_OF_ALG = {alg: suite for suite, alg in ALG_OF_SUITE.items()}
_ALG_NAMES = {SHA256: "SHA-256", SM3: "SM3"}
#: entries at which the chain may go on with another hash: the workspace's move to gm, and
#: schema step 8 on a workspace that was gm already (its earlier entries are SHA-256)
HASH_MOVES = ("workspace.crypto_suite", "audit.hash_moved")


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(obj: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8 (same convention as forms.canonical_json)."""
    return _CANONICAL.encode(obj).encode()


def canonical_text(obj: Any) -> str:
    """:func:`canonical` as text (``canonical(obj).decode()`` without the round trip)."""
    return _CANONICAL.encode(obj)


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
    alg: str = SHA256,
) -> str:
    """``alg`` (SHA-256 or SM3) over the previous hash and the entry's fields (unit-separator
    joined; the detail is its stored canonical JSON text; an SM3 entry adds its ``alg``)."""
    fields = [
        prev,
        at,
        actor,
        action,
        target or "",
        detail_text,
        before_hash or "",
        after_hash or "",
    ]
    if alg != SHA256:  # entries from before hash_alg keep their hashed bytes
        fields.append(alg)
    return suites.hash_hex(_SUITE_OF_ALG[alg], "\x1f".join(fields).encode("utf-8"))


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
        self._alg: str | None = None  # the hash of the batch chained onto the last head()
        self._alg_column: bool | None = None

    def _has_alg_column(self) -> bool:
        """False on a schema before step 8 (a program that old writes SHA-256 entries only)."""
        if self._alg_column is None:
            cols = self._conn.execute("PRAGMA table_info(audit_log)").fetchall()
            self._alg_column = any(c[1] == "hash_alg" for c in cols)
        return self._alg_column

    def head(self) -> str:
        """The last entry's hash; also reads the workspace's suite (one query), whose hash the
        entries of the batch chained onto this head are made with (:meth:`entry_row`)."""
        h, suite = self._conn.execute(
            "SELECT (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1),"
            " (SELECT value FROM meta WHERE key = 'crypto_suite')"
        ).fetchone()
        alg = ALG_OF_SUITE.get(suite or suites.INTL, SHA256)
        self._alg = alg if self._has_alg_column() else SHA256
        return h or GENESIS

    def hash_alg(self) -> str:
        """The hash of the next entries (as of the last :meth:`head`, read now if none was)."""
        if self._alg is None:
            self.head()
        assert self._alg is not None
        return self._alg

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
        """The row of an entry following ``prev`` (for batches: ``prev`` from :meth:`head`,
        then chain the returned hash), hashed with the suite's hash as read by that ``head``.
        ``detail_text``: ``detail``'s canonical text, when the caller has it already."""
        at = at or now()
        alg = self.hash_alg()
        text = detail_text if detail_text is not None else detail_json(detail)
        h = _entry_hash(prev, at, actor, action, target, text, before_hash, after_hash, alg)
        return (at, actor, action, target, text, before_hash, after_hash, prev, h, alg), h

    def insert_rows(self, rows: list[tuple[Any, ...]]) -> None:
        if not self._has_alg_column():
            self._conn.executemany(
                "INSERT INTO audit_log (at, actor, action, target, detail, before_hash,"
                " after_hash, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [r[:9] for r in rows],
            )
            return
        self._conn.executemany(
            "INSERT INTO audit_log (at, actor, action, target, detail, before_hash, after_hash,"
            " prev_hash, hash, hash_alg) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        """Walk the whole chain; the first entry whose link, hash or hash algorithm is wrong is
        reported. Each entry is checked with its own hash (``hash_alg``); the hash may change
        from SHA-256 to SM3 only at or after a move to gm (:data:`HASH_MOVES`), never back."""
        prev = GENESIS
        n = 0
        before: str | None = None  # the hash of the entry before
        moved = False  # a move entry was passed (or is this one)
        alg_column = "hash_alg" if self._has_alg_column() else "NULL"
        for row in self._conn.execute(
            "SELECT seq, at, actor, action, target, detail, before_hash, after_hash, prev_hash,"
            f" hash, {alg_column} FROM audit_log ORDER BY seq"
        ):
            seq, at, actor, action, target, detail, bh, ah, prev_hash, h, alg = row
            n += 1
            alg = alg or SHA256
            moved = moved or action in HASH_MOVES
            if alg not in _SUITE_OF_ALG:
                return VerifyResult(
                    False, n, seq, f"Audit entry {seq} names an unknown hash ({alg!r}): altered."
                )
            if prev_hash != prev:
                return VerifyResult(
                    False, n, seq, f"Audit entry {seq} does not link to the entry before it."
                )
            if before is not None and alg != before and (before == SM3 or not moved):
                when = "after SM3 entries" if before == SM3 else "before the move to gm"
                return VerifyResult(
                    False,
                    n,
                    seq,
                    f"Audit entry {seq} is hashed with {_ALG_NAMES[alg]} {when}: its hash"
                    " algorithm was altered.",
                )
            if _entry_hash(prev, at, actor, action, target, detail, bh, ah, alg) != h:
                return VerifyResult(
                    False, n, seq, f"Audit entry {seq} was altered (its hash does not match)."
                )
            prev, before = h, alg
        return VerifyResult(True, n, None, f"Audit chain intact ({n} entries).")
