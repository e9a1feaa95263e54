"""``ws.outbox``: the store's implementation of :class:`sync.outbox.Outbox`.

Outbox rows are written by the record saves (same transaction). Sealing stores the exact
envelope bytes and marks items sealed (their records become ``queued``); unacknowledged batches
come back byte-identical for retries; a receipt makes records ``delivered`` or ``rejected`` (and
so editable again). Every method is one transaction.

The server's verdict on a record version (received / duplicate / rejected, with its error codes)
is stored once, in that version's outbox row (``result``, ``errors``), in the transaction that
stores the receipt; :meth:`StoreOutbox.verdict` / :func:`verdicts` read it, for the Sync page,
the CLI, the record lists and ``Record.sync_errors`` alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop.store import audit, db, errors
from sync.outbox import OutboxItem, RecordReceipt, SealedBatch

if TYPE_CHECKING:
    from desktop.store.context import StoreContext


@dataclass(frozen=True)
class Verdict:
    """The server's verdict on one record version, as its receipt was stored."""

    record_uuid: str
    version: int
    result: str  # received / duplicate / rejected (sync.outbox.RecordReceipt.status)
    errors: tuple[dict[str, Any], ...]  # error codes and field ids of a refusal (no values)
    batch_id: str | None

    @property
    def accepted(self) -> bool:
        return self.result != "rejected"


def verdicts(conn: Any, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Verdict]:
    """The stored verdicts of the (record uuid, version) pairs that have one (one indexed read
    per 500 records: a page of records asks once)."""
    wanted = {(str(u), int(v)) for u, v in keys}
    uuids = sorted({u for u, _ in wanted})
    out: dict[tuple[str, int], Verdict] = {}
    for start in range(0, len(uuids), 500):
        part = uuids[start : start + 500]
        marks = ",".join("?" * len(part))
        for ruuid, version, result, errs, batch_id in conn.execute(
            "SELECT record_uuid, version, result, errors, batch_id FROM outbox"
            f" WHERE record_uuid IN ({marks}) AND result IS NOT NULL",
            part,
        ):
            key = (ruuid, int(version))
            if key in wanted:
                out[key] = Verdict(ruuid, int(version), result, _errors(errs), batch_id)
    return out


def _errors(text: str | None) -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(text)) if text else ()


class StoreOutbox:
    """Pending changes in save order, sealed batches and receipts."""

    def __init__(self, ctx: StoreContext) -> None:
        self._ctx = ctx

    @property
    def _conn(self) -> Any:
        return self._ctx.connection()

    def pending(self, limit: int) -> list[OutboxItem]:
        self._ctx.require_open()
        rows = self._conn.execute(
            # the snapshot is the current row, or an older version kept in record_versions
            "SELECT o.seq, o.record_uuid, o.form_id, o.form_version, o.version,"
            " coalesce(r.org_unit, v.org_unit), coalesce(r.status, v.status),"
            " coalesce(r.data, v.data), coalesce(r.created_by, v.created_by),"
            " coalesce(r.created_at, v.created_at), coalesce(r.updated_by, v.updated_by),"
            " coalesce(r.updated_at, v.updated_at)"
            " FROM outbox o"
            " LEFT JOIN records r ON r.uuid = o.record_uuid AND r.version = o.version"
            " LEFT JOIN record_versions v ON v.uuid = o.record_uuid AND v.version = o.version"
            " WHERE o.state = 'pending' ORDER BY o.seq LIMIT ?",
            (int(limit),),
        ).fetchall()
        items = []
        for seq, ruuid, form_id, form_version, version, org, status, data, cb, ca, ub, ua in rows:
            record = {
                "uuid": ruuid,
                "form_id": form_id,
                "form_version": form_version,
                "version": version,
                "org_unit": org,
                "status": status,
                "data": self._ctx.cipher.open_data(ruuid, json.loads(data)),
                "created_by": cb,
                "created_at": ca,
                "updated_by": ub,
                "updated_at": ua,
            }
            items.append(OutboxItem(seq, ruuid, form_id, form_version, version, record))
        return items

    def pending_count(self) -> int:
        self._ctx.require_open()
        return int(
            self._conn.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0]
        )

    def audit_head(self) -> str:
        self._ctx.require_open()
        return self._ctx.audit.head()

    def next_device_seq(self) -> int:
        self._ctx.require_open()
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'next_device_seq'").fetchone()
        return int(row[0]) if row else 1

    def seal(
        self, batch_id: str, device_seq: int, envelope: bytes, item_seqs: Sequence[int]
    ) -> SealedBatch:
        user = self._ctx.require_open()
        if not (user.can("sync")):
            raise errors.PermissionDenied(f"User {user.name!r} (role {user.role}) may not sync.")
        seqs = tuple(int(s) for s in item_seqs)
        conn = self._conn
        with db.transaction(conn, "sealing a batch"):
            expected = self.next_device_seq()
            if int(device_seq) != expected:
                raise errors.OutboxConflict(
                    f"Batch device_seq {device_seq} is not the next one ({expected})."
                )
            if conn.execute("SELECT 1 FROM batches WHERE batch_id = ?", (batch_id,)).fetchone():
                raise errors.OutboxConflict(f"Batch {batch_id} is already sealed.")
            if not seqs:
                raise errors.OutboxConflict("A batch needs at least one outbox item.")
            marks = ",".join("?" * len(seqs))
            n = conn.execute(
                f"SELECT count(*) FROM outbox WHERE state = 'pending' AND seq IN ({marks})", seqs
            ).fetchone()[0]
            if n != len(set(seqs)):
                raise errors.OutboxConflict("Some items of the batch are not pending any more.")
            conn.execute(
                "INSERT INTO batches (batch_id, device_seq, envelope, item_seqs, sealed_at) VALUES (?, ?, ?, ?, ?)",
                (batch_id, int(device_seq), bytes(envelope), json.dumps(list(seqs)), audit.now()),
            )
            conn.execute(
                f"UPDATE outbox SET state = 'sealed', batch_id = ? WHERE seq IN ({marks})",
                (batch_id, *seqs),
            )
            conn.execute(
                # uuid IN (…) first, so only the batch's records are visited (uuid is indexed).
                "UPDATE records SET status = 'queued' WHERE status = 'ready'"
                f" AND uuid IN (SELECT record_uuid FROM outbox WHERE seq IN ({marks}))"
                " AND EXISTS (SELECT 1 FROM outbox o"
                f" WHERE o.seq IN ({marks}) AND o.record_uuid = records.uuid AND o.version = records.version)",
                (*seqs, *seqs),
            )
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('next_device_seq', ?)",
                (str(expected + 1),),
            )
            self._ctx.audit.append(
                user.name,
                "outbox.seal",
                batch_id,
                {"device_seq": int(device_seq), "items": len(seqs)},
            )
        self._ctx.changed(None, None)
        return SealedBatch(batch_id, int(device_seq), bytes(envelope), seqs)

    def unacknowledged(self) -> list[SealedBatch]:
        self._ctx.require_open()
        return [
            SealedBatch(b, int(d), bytes(e), tuple(json.loads(s)))
            for b, d, e, s in self._conn.execute(
                "SELECT batch_id, device_seq, envelope, item_seqs FROM batches"
                " WHERE receipt IS NULL ORDER BY device_seq"
            )
        ]

    def acknowledge(self, batch_id: str, receipt: bytes, records: Sequence[RecordReceipt]) -> None:
        user = self._ctx.require_open()
        conn = self._conn
        with db.transaction(conn, "storing a receipt"):
            row = conn.execute(
                "SELECT receipt FROM batches WHERE batch_id = ?", (batch_id,)
            ).fetchone()
            if row is None:
                raise errors.UnknownBatch(f"No sealed batch {batch_id}.")
            if row[0] is not None:
                return  # already acknowledged: a repeated receipt changes nothing
            conn.execute(
                "UPDATE batches SET receipt = ?, acknowledged_at = ? WHERE batch_id = ?",
                (bytes(receipt), audit.now(), batch_id),
            )
            counts = {"delivered": 0, "rejected": 0}
            for r in records:
                rejected = r.status == "rejected"
                state = "rejected" if rejected else "delivered"
                errs = (
                    json.dumps([dict(e) for e in r.errors], ensure_ascii=False, sort_keys=True)
                    if rejected
                    else None
                )
                cur = conn.execute(
                    "UPDATE outbox SET state = ?, result = ?, errors = ? WHERE batch_id = ?"
                    " AND record_uuid = ? AND version = ?",
                    (state, r.status, errs, batch_id, r.record_uuid, int(r.version)),
                )
                if cur.rowcount == 0:
                    continue
                counts[state] += 1
                # the record's lifecycle follows (editable again when refused); the verdict
                # itself stays in the outbox row only
                conn.execute(
                    "UPDATE records SET status = ? WHERE uuid = ? AND version = ?"
                    " AND status = 'queued'",
                    (state, r.record_uuid, int(r.version)),
                )
            # items the receipt does not mention go back to pending (sent again; the server dedupes)
            left = _requeue_sealed(conn, batch_id)
            self._ctx.audit.append(
                user.name, "outbox.acknowledge", batch_id, {**counts, "requeued": left}
            )
        self._ctx.changed(None, None)

    def unseal(self, batch_id: str, next_device_seq: int) -> int:
        """Forget an unacknowledged batch the server never stored (after restoring an older
        backup its sequence number is used up): its items become pending again and the next
        batch carries at least ``next_device_seq``. Kept in the audit chain."""
        user = self._ctx.require_open()
        conn = self._conn
        with db.transaction(conn, "re-queueing a batch"):
            row = conn.execute(
                "SELECT device_seq, receipt FROM batches WHERE batch_id = ?", (batch_id,)
            ).fetchone()
            if row is None:
                raise errors.UnknownBatch(f"No sealed batch {batch_id}.")
            if row[1] is not None:
                raise errors.OutboxConflict(f"Batch {batch_id} was delivered already.")
            items = _requeue_sealed(conn, batch_id)
            conn.execute("DELETE FROM batches WHERE batch_id = ?", (batch_id,))
            floor = max(self.next_device_seq(), int(next_device_seq))
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('next_device_seq', ?)",
                (str(floor),),
            )
            self._ctx.audit.append(
                user.name,
                "outbox.unseal",
                batch_id,
                {"device_seq": int(row[0]), "items": items, "next_device_seq": floor},
            )
        self._ctx.changed(None, None)
        return int(items)

    def history(self, limit: int = 200) -> list[dict[str, Any]]:
        """Acknowledged batches, newest first, read from the stored receipts: batch id, device
        seq, records, received / duplicates / rejected counts and the receipt time (no data)."""
        self._ctx.require_open()
        conn = self._conn
        rows = conn.execute(
            "SELECT batch_id, device_seq, item_seqs, receipt, acknowledged_at FROM batches"
            " WHERE receipt IS NOT NULL ORDER BY device_seq DESC LIMIT ?",
            (int(limit),),
        ).fetchall()
        counts: dict[tuple[str, str], int] = {}
        ids = [r[0] for r in rows]
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            for batch_id, result, n in conn.execute(
                f"SELECT batch_id, result, count(*) FROM outbox WHERE batch_id IN ({marks})"
                " GROUP BY batch_id, result",
                part,
            ):
                counts[(batch_id, result)] = int(n)
        return [
            {
                "batch_id": batch_id,
                "device_seq": int(device_seq),
                "records": len(json.loads(item_seqs)),
                "received": counts.get((batch_id, "received"), 0),
                "duplicates": counts.get((batch_id, "duplicate"), 0),
                "rejected": counts.get((batch_id, "rejected"), 0),
                "receipt_at": _received_at(bytes(receipt)) or acknowledged_at,
            }
            for batch_id, device_seq, item_seqs, receipt, acknowledged_at in rows
        ]

    def verdict(self, record_uuid: str, version: int) -> Verdict | None:
        """The server's stored verdict on a record version (None until a receipt names it)."""
        self._ctx.require_open()
        return verdicts(self._conn, [(record_uuid, version)]).get((record_uuid, int(version)))

    def verdicts(self, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Verdict]:
        """:meth:`verdict` for many (record uuid, version) pairs at once (those that have one)."""
        self._ctx.require_open()
        return verdicts(self._conn, keys)

    def rejected(self) -> list[dict[str, Any]]:
        """Records whose latest verdict is a refusal, newest first: uuid, version, error codes,
        batch id (no field values). A record sent again and received drops out."""
        self._ctx.require_open()
        return [
            {
                "record_uuid": ruuid,
                "version": int(version),
                "errors": list(_errors(errs)),
                "batch_id": batch_id,
            }
            for ruuid, version, errs, batch_id in self._conn.execute(
                "SELECT o.record_uuid, o.version, o.errors, o.batch_id FROM outbox o"
                " WHERE o.state = 'rejected' AND NOT EXISTS (SELECT 1 FROM outbox n"
                " WHERE n.record_uuid = o.record_uuid AND n.seq > o.seq AND n.result IS NOT NULL)"
                " ORDER BY o.seq DESC"
            )
        ]

    def batch_receipt(self, batch_id: str) -> bytes | None:
        """The stored receipt bytes of a batch (None while unacknowledged)."""
        self._ctx.require_open()
        row = self._conn.execute(
            "SELECT receipt FROM batches WHERE batch_id = ?", (batch_id,)
        ).fetchone()
        if row is None:
            raise errors.UnknownBatch(f"No sealed batch {batch_id}.")
        return bytes(row[0]) if row[0] is not None else None


def _received_at(receipt: bytes) -> str | None:
    """The server's time in a stored receipt (signed JSON; None when it has none)."""
    try:
        value = json.loads(receipt).get("received_at")
    except (ValueError, AttributeError):
        return None
    return str(value) if value else None


def _requeue_sealed(conn: Any, batch_id: str) -> int:
    """Put a batch's still-sealed items back to pending (sent again later); how many."""
    return int(
        conn.execute(
            "UPDATE outbox SET state = 'pending', batch_id = NULL WHERE batch_id = ?"
            " AND state = 'sealed'",
            (batch_id,),
        ).rowcount
    )
