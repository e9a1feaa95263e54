"""The server's audit log: an append-only, hash-chained record of administrative and review actions.

Each entry says who (``actor``: ``admin`` for the command line, a device id, a reviewer's name as
stored in ``reviews.reviewer``) did what (``action``, one of :data:`ACTIONS`) to which ``target``
(a device id, a record uuid, an org-unit code, a form id) when (``at``, server clock), with a
small ``detail`` object of non-personal facts (``{"decision": "accepted", "version": 2}``).
Never a personal value: :func:`append` refuses a detail holding 8 or more consecutive digits
(the tail of an ID or phone number).

``entry_hash`` is the chain's hash over the canonical JSON of ``{seq, at, actor, action, target,
detail, prev_hash}`` (plus ``hash_alg`` when that is not SHA-256); ``prev_hash`` is the previous entry's ``entry_hash`` (64 zeros for the first). The
last seq and hash are also kept in ``meta`` (``audit_log_head``), so :func:`verify` finds an
edited entry (its hash), a deleted one (a gap, a broken link) and a cut-off tail (the head).

The chain's hash follows the server's crypto suite: SHA-256 (``intl``) or SM3 (``gm``, 国密).
Each entry records its hash in ``hash_alg`` (revision 0008; none = SHA-256, every entry from
before), and ``meta`` (``audit_log_hash``) the hash of the next one. A server moved to another
suite (``rotate-key --crypto-suite gm``) keeps its old entries as they are and goes on with the
new hash from an ``audit_hash_moved`` entry (:func:`move_chain`), the first one hashed with it;
:func:`verify` checks each entry with its own hash and refuses a change of hash anywhere else.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.engine import Connection

from sync import crypto_gm
from sync.protocol import canonical_json
from sync.server.store import bulk_insert, now_iso
from sync.server.tables import audit_log, meta

ACTIONS = (
    "enroll_code_issued",
    "device_enrolled",
    "device_revoked",
    "record_accepted",
    "record_returned",
    "unmask",
    "unmask_refused",
    "export",
    "form_published",
    "key_rotated",
    "schema_upgraded",
    "org_unit_changed",
    "permission_granted",
    "permission_revoked",
    "reencrypted",
    "server_keys_rotated",  # rotate-key --crypto-suite: signing / sealing keys to a new suite
    "keys_announced",  # ... and the devices told through their inbox
    "device_rekeyed",  # a device registered a key of the new suite
    "audit_hash_moved",  # the chain goes on with another hash (the server's suite moved)
    "suite_move_finished",  # rotate-key --crypto-suite: values re-sealed, index rebuilt
)
GENESIS = "0" * 64
HEAD_KEY = "audit_log_head"
ALG_KEY = "audit_log_hash"  # meta: the hash of the next entry (absent: sha256)
SHA256, SM3 = "sha256", "sm3"
HASHES: dict[str, Callable[[bytes], str]] = {
    SHA256: lambda data: hashlib.sha256(data).hexdigest(),
    SM3: crypto_gm.sm3_hex,
}
_PG_LOCK = 0x55444155  # pg_advisory_xact_lock key: one appender at a time ("UDAU")
_PERSONAL = re.compile(r"\d{8,}")


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    actor: str
    action: str
    target: str
    detail: dict[str, Any]
    prev_hash: str
    entry_hash: str
    hash_alg: str = SHA256

    def line(self) -> str:
        detail = canonical_json(self.detail).decode("utf-8") if self.detail else ""
        return f"{self.seq:>6}  {self.at}  {self.actor}  {self.action}  {self.target}  {detail}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "detail": self.detail,
            "prev_hash": self.prev_hash,
            "entry_hash": self.entry_hash,
            "hash_alg": self.hash_alg,
        }


def alg_of_suite(suite: str) -> str:
    """The audit chain's hash on a server of ``suite``: SM3 on gm, SHA-256 on intl."""
    return SM3 if suite == "gm" else SHA256


def entry_hash(
    seq: int,
    at: str,
    actor: str,
    action: str,
    target: str,
    detail: Any,
    prev_hash: str,
    alg: str = SHA256,
) -> str:
    doc = {
        "seq": seq,
        "at": at,
        "actor": actor,
        "action": action,
        "target": target,
        "detail": detail,
        "prev_hash": prev_hash,
    }
    if alg != SHA256:  # entries before suites keep their hashed bytes
        doc["hash_alg"] = alg
    return HASHES[alg](canonical_json(doc))


def _personal(value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, dict):
        return any(_personal(k) or _personal(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_personal(v) for v in value)
    return bool(_PERSONAL.search(str(value)))


def _head(conn: Connection) -> tuple[int, str] | None:
    raw = conn.execute(select(meta.c.value).where(meta.c.key == HEAD_KEY)).scalar()
    if raw is None:
        return None
    try:
        doc = json.loads(raw)
        return int(doc["seq"]), str(doc["hash"])
    except (ValueError, KeyError, TypeError):
        return None


def chain_alg(conn: Connection) -> str:
    """The hash the next entry is made with."""
    raw = conn.execute(select(meta.c.value).where(meta.c.key == ALG_KEY)).scalar()
    return str(raw) if raw in HASHES else SHA256


def _set_alg(conn: Connection, alg: str) -> None:
    done = conn.execute(update(meta).where(meta.c.key == ALG_KEY).values(value=alg))
    if done.rowcount == 0:
        conn.execute(meta.insert().values(key=ALG_KEY, value=alg))


def move_chain(conn: Connection, suite: str, actor: str = "admin") -> bool:
    """Make the chain go on with the hash of ``suite`` (inside the caller's write transaction):
    an ``audit_hash_moved`` entry, the first one with the new hash (on an empty log, just the
    record of it). False when the chain has that hash already."""
    alg = alg_of_suite(suite)
    if chain_alg(conn) == alg:
        return False
    before = chain_alg(conn)
    _set_alg(conn, alg)
    if _tail(conn) is not None or _head(conn) is not None:
        append(conn, "audit_hash_moved", actor, "audit_log", {"from": before, "to": alg,
               "suite": suite})  # fmt: skip
    return True


def _tail(conn: Connection) -> tuple[int, str] | None:
    row = conn.execute(
        select(audit_log.c.seq, audit_log.c.entry_hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    return None if row is None else (int(row.seq), str(row.entry_hash))


def append(
    conn: Connection,
    action: str,
    actor: str,
    target: str,
    detail: dict[str, Any] | None = None,
) -> int:
    """Add one entry inside the caller's write transaction; returns its seq."""
    return append_many(conn, [(action, actor, target, detail or {})])


def append_many(conn: Connection, entries: list[tuple[str, str, str, dict[str, Any]]]) -> int:
    """Add entries ``(action, actor, target, detail)``, chained in order, inside the caller's
    write transaction (one multi-row insert); returns the last seq.

    On SQLite the Store's ``write()`` serialises writers (BEGIN IMMEDIATE); on PostgreSQL a
    transaction-scoped advisory lock keeps two writers from chaining onto the same entry."""
    if not entries:
        raise ValueError("no audit entries to append")
    for action, _actor, _target, detail in entries:
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        if _personal(dict(detail)):
            raise ValueError("an audit detail must not hold a personal value (8 or more digits)")
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
    # chain onto the later of the table's tail and the recorded head: a deleted tail then shows
    # as a gap, and a row added behind the head's back does not stop the server's work
    candidates = [c for c in (_tail(conn), _head(conn)) if c is not None]
    seq, digest = max(candidates) if candidates else (0, GENESIS)
    at = now_iso()
    alg = chain_alg(conn)
    rows = []
    for action, actor, target, detail in entries:
        prev, seq = digest, seq + 1
        digest = entry_hash(seq, at, actor, action, target, dict(detail), prev, alg)
        rows.append({"seq": seq, "at": at, "actor": actor, "action": action, "target": target,
                     "detail": canonical_json(dict(detail)).decode("utf-8"),
                     "prev_hash": prev, "entry_hash": digest, "hash_alg": alg})  # fmt: skip
    bulk_insert(conn, audit_log, rows)
    value = json.dumps({"seq": seq, "hash": digest})
    done = conn.execute(update(meta).where(meta.c.key == HEAD_KEY).values(value=value))
    if done.rowcount == 0:
        conn.execute(meta.insert().values(key=HEAD_KEY, value=value))
    return seq


def _detail(raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:
        return {"_unreadable": raw}
    return value if isinstance(value, dict) else {"_unreadable": raw}


def entries(conn: Connection, limit: int | None = None) -> list[AuditEntry]:
    """The entries, oldest first (``limit``: only the newest ``limit``)."""
    query = select(audit_log).order_by(audit_log.c.seq.desc() if limit else audit_log.c.seq)
    if limit:
        query = query.limit(limit)
    rows = list(conn.execute(query))
    if limit:
        rows.reverse()
    return [
        AuditEntry(
            seq=int(r.seq),
            at=r.at,
            actor=r.actor,
            action=r.action,
            target=r.target,
            detail=_detail(r.detail),
            prev_hash=r.prev_hash,
            entry_hash=r.entry_hash,
            hash_alg=r.hash_alg or SHA256,
        )
        for r in rows
    ]


def verify(conn: Connection) -> list[str]:
    """What is wrong with the chain, for a person; empty when it is intact."""
    problems: list[str] = []
    expected_seq, expected_prev = 1, GENESIS
    last: tuple[int, str] | None = None
    alg: str | None = None  # the hash of the entry before
    for e in entries(conn):
        if e.hash_alg not in HASHES:
            problems.append(f"entry {e.seq}: unknown hash {e.hash_alg!r} (edited)")
            last, expected_seq, expected_prev = (e.seq, e.entry_hash), e.seq + 1, e.entry_hash
            continue
        if alg is not None and e.hash_alg != alg and e.action != "audit_hash_moved":
            problems.append(
                f"entry {e.seq}: hashed with {e.hash_alg} after {alg} entries without an "
                "audit_hash_moved entry (its hash was changed)"
            )
        alg = e.hash_alg
        if e.seq != expected_seq:
            gone = (
                f"entry {expected_seq}"
                if e.seq == expected_seq + 1
                else f"entries {expected_seq}..{e.seq - 1}"
            )
            problems.append(f"{gone} missing before entry {e.seq} (deleted)")
        if e.prev_hash != expected_prev:
            problems.append(
                f"entry {e.seq}: previous hash does not match "
                + (f"entry {last[0]}" if last else "the start of the log")
                + " (an entry before it was deleted or edited)"
            )
        digest = entry_hash(
            e.seq, e.at, e.actor, e.action, e.target, e.detail, e.prev_hash, e.hash_alg
        )
        if digest != e.entry_hash:
            problems.append(f"entry {e.seq}: content does not match its hash (edited)")
        last = (e.seq, e.entry_hash)
        expected_seq, expected_prev = e.seq + 1, e.entry_hash
    head = _head(conn)
    recorded = conn.execute(select(meta.c.value).where(meta.c.key == HEAD_KEY)).scalar()
    if head is None and recorded is not None:
        problems.append(f"the recorded head (meta {HEAD_KEY}) is unreadable")
    elif head is None and last is not None:
        problems.append(f"entries but no recorded head (meta {HEAD_KEY} deleted)")
    elif head is not None and last is None:
        problems.append(f"the log is empty but its recorded head is entry {head[0]} (deleted)")
    elif head is not None and last is not None and head != last:
        if head[0] > last[0]:
            problems.append(
                f"the log ends at entry {last[0]} but its recorded head is entry {head[0]} "
                "(entries at the end deleted)"
            )
        else:
            problems.append(
                f"the log ends at entry {last[0]}, which is not its recorded head "
                f"(entry {head[0]}): the last entries were edited or added outside the server"
            )
    return problems
