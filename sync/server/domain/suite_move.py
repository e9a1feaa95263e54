"""The database step of moving a server to another crypto suite (``rotate-key --crypto-suite``).

One transaction, so a move cut short (the process killed, the disk full) leaves the database as
it was and running ``rotate-key`` again does it whole (``cli/keys.py`` keeps the steps before
it resumable):

- the audit chain goes on with the new suite's hash (SM3 on gm, ``audit_log.move_chain``);
- every stored sensitive value and sealed document is sealed again with the keyring's current
  data key (SM4-GCM on gm), and the blind index is rebuilt with the keyring's index digest
  (HMAC-SM3 on gm), so nothing on disk is left under the old suite's algorithms;
- every device still holding a key of the old suite is sent the new server keys through its
  signed inbox (``rekey.announce_in``);
- ``meta`` records the move's id, so a rerun after the commit does not do it twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from sync.server.domain import audit_log, rekey
from sync.server.domain.reencrypt import SEALED_DOCS, _doc_kid
from sync.server.domain.service import Server
from sync.server.tables import meta, records, sensitive_index

DONE_KEY = "suite_move_done"  # meta: the id of the last move whose database step committed


@dataclass
class MoveResult:
    resealed: int = 0  # records whose sensitive values were sealed again
    documents: int = 0  # sealed documents sealed again
    indexed: int = 0  # blind-index rows written
    announced: int = 0  # devices sent the new keys
    already: bool = False  # the step had committed before (a rerun)


def done(conn: Connection, move_id: str) -> bool:
    value = conn.execute(select(meta.c.value).where(meta.c.key == DONE_KEY)).scalar()
    return value == move_id


def reseal_everything(server: Server, conn: Connection, result: MoveResult) -> None:
    """Every record's sensitive values sealed again with the current data key and its blind
    index rows rebuilt; every sealed document not under the current key sealed again."""
    sealer = server.sealer
    current = sealer.cipher.current
    rows = conn.execute(select(records.c.id, records.c.content)).all()
    for r in rows:
        content, index = sealer.seal_for_storage(sealer.open_content(r.content))
        conn.execute(update(records).where(records.c.id == r.id).values(content=content))
        result.resealed += 1
        if index:
            uuid_, version = index[0][2], index[0][3]
            conn.execute(
                delete(sensitive_index).where(
                    sensitive_index.c.record_uuid == uuid_, sensitive_index.c.version == version
                )
            )
            conn.execute(
                sensitive_index.insert(),
                [dict(zip(("digest", "field", "record_uuid", "version", "form_id"), row,
                           strict=True)) for row in index],
            )  # fmt: skip
            result.indexed += len(index)
    for table, key, column, kind, ident in SEALED_DOCS:
        for r in conn.execute(select(table).where(table.c[column].is_not(None))).all():
            value: Any = r._mapping[column]
            if _doc_kid(value) in (None, current):
                continue
            sealed = sealer.seal_doc(kind, ident(r), sealer.open_doc(kind, ident(r), value))
            new: Any = sealed if isinstance(value, str) else sealed.encode("ascii")
            conn.execute(update(table).where(table.c[key] == r._mapping[key]).values({column: new}))
            result.documents += 1


def finish_in_database(
    server: Server, move_id: str, suite: str, crash: Any = None, old_key_id: str | None = None
) -> MoveResult:
    """The move's database step, in one write transaction (see the module doc). ``crash(step)``
    is the test hook of ``cli/keys.py`` (a process killed before the commit)."""
    result = MoveResult()
    with server.store.write() as conn:
        if done(conn, move_id):
            result.already = True
            return result
        audit_log.move_chain(conn, suite)
        audit_log.append(conn, "server_keys_rotated", "admin", "keys", {"suite": suite})
        reseal_everything(server, conn, result)
        result.announced = rekey.announce_in(server, conn, old_key_id)
        if crash is not None:
            crash("database")
        audit_log.append(conn, "suite_move_finished", "admin", "keyring", {
            "suite": suite, "records": result.resealed, "documents": result.documents,
            "index_rows": result.indexed, "devices": result.announced})  # fmt: skip
        changed = conn.execute(update(meta).where(meta.c.key == DONE_KEY).values(value=move_id))
        if changed.rowcount == 0:
            conn.execute(meta.insert().values(key=DONE_KEY, value=move_id))
    return result
