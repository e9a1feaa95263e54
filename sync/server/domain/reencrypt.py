"""Re-sealing stored values with the current data key, after ``rotate-key`` (resumable).

Each slice is one transaction of at most ``slice_rows`` rows that still hold a value sealed
with an older key; a run cut short leaves every row either old or new (both open), and the
next run goes on where it stopped. An older key leaves the keyring only once nothing uses it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, select, update

from sync.server.domain.personal import Sealer
from sync.server.sensitive import TOKEN_KEY, is_sealed_doc, key_id_of
from sync.server.store import Store
from sync.server.tables import batches, inbox, records, relay_batches, relay_items, transfers

Ident = Callable[[Any], str]

# (table, key column, sealed column, document kind, its id from the row)
SEALED_DOCS: tuple[tuple[Table, str, str, str, Ident], ...] = (
    (inbox, "msg_seq", "message", "inbox", lambda r: r.msg_id),
    (batches, "id", "receipt", "receipt", lambda r: r.batch_id),
    (transfers, "transfer_id", "offer", "transfer_offer", lambda r: r.transfer_id),
    (relay_items, "seq", "item", "relay_item", lambda r: f"{r.record_uuid}|{r.version}"),
    (relay_items, "seq", "errors", "relay_errors", lambda r: f"{r.record_uuid}|{r.version}"),
    (relay_batches, "batch_id", "receipt", "relay_receipt", lambda r: r.batch_id),
)


def _token_kids(content: str) -> set[str]:
    """The data-key ids of the value tokens in a stored record."""
    kids: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if len(node) == 1 and isinstance(node.get(TOKEN_KEY), str):
                kids.add(key_id_of(node))
            else:
                for v in node.values():
                    visit(v)
        elif isinstance(node, list):
            for v in node:
                visit(v)

    if TOKEN_KEY in content:
        visit(json.loads(content))
    return kids


def _doc_kid(value: Any) -> str | None:
    if value is None:
        return None
    raw = bytes(value) if isinstance(value, bytes | memoryview) else str(value)
    return key_id_of(raw) if is_sealed_doc(raw) else None


@dataclass
class Progress:
    resealed: int = 0
    remaining: int = 0


def keys_in_use(store: Store) -> set[str]:
    """The data-key ids any stored value is sealed with."""
    used: set[str] = set()
    with store.read() as conn:
        for r in conn.execute(select(records.c.content)):
            used |= _token_kids(r.content)
        for table, _key, column, _kind, _ident in SEALED_DOCS:
            for r in conn.execute(select(table.c[column]).where(table.c[column].is_not(None))):
                kid = _doc_kid(r[0])
                if kid:
                    used.add(kid)
    return used


def reencrypt(
    store: Store,
    sealer: Sealer,
    slice_rows: int = 500,
    on_slice: Callable[[Progress], None] | None = None,
) -> Progress:
    """Re-seal every value not sealed with ``sealer``'s current key: the rows are walked in key
    order, ``slice_rows`` per transaction."""
    current = sealer.cipher.current
    progress = Progress()
    last: Any = None
    while True:  # records: value tokens
        with store.write() as conn:
            query = select(records.c.id, records.c.content).order_by(records.c.id)
            if last is not None:
                query = query.where(records.c.id > last)
            rows = list(conn.execute(query.limit(slice_rows)))
            for r in rows:
                if _token_kids(r.content) - {current}:
                    content, _index = sealer.seal_for_storage(sealer.open_content(r.content))
                    conn.execute(
                        update(records).where(records.c.id == r.id).values(content=content)
                    )
                    progress.resealed += 1
        if on_slice:
            on_slice(progress)
        if len(rows) < slice_rows:
            break
        last = rows[-1].id
    for table, key, column, kind, ident in SEALED_DOCS:
        last = None
        while True:
            with store.write() as conn:
                query = select(table).where(table.c[column].is_not(None)).order_by(table.c[key])
                if last is not None:
                    query = query.where(table.c[key] > last)
                rows = list(conn.execute(query.limit(slice_rows)))
                for r in rows:
                    value = r._mapping[column]
                    if _doc_kid(value) in (None, current):
                        continue
                    sealed = sealer.seal_doc(kind, ident(r), sealer.open_doc(kind, ident(r), value))
                    new: Any = sealed if isinstance(value, str) else sealed.encode("ascii")
                    conn.execute(
                        update(table).where(table.c[key] == r._mapping[key]).values({column: new})
                    )
                    progress.resealed += 1
            if on_slice:
                on_slice(progress)
            if len(rows) < slice_rows:
                break
            last = rows[-1]._mapping[key]
    return progress
