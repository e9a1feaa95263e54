"""Reading a workspace's SQLCipher file as the store does, to look for plaintext personal data
in every table (records, record_versions, record_keys, the full-text shadow tables, ...)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from desktop.store import db
from desktop.store.constants import DB_NAME, SLOTS_NAME
from desktop.store.keyslots import SlotFile, open_private, unwrap


def table_bytes(folder: Path, user: str, password: str) -> dict[str, bytes]:
    """Every table of the decrypted database, as the bytes of all its values (per table)."""
    slots = SlotFile.load(folder / SLOTS_NAME)
    slot = slots.password_slot(user)
    assert slot is not None
    keys = unwrap(slots.workspace_id, slot, open_private(slots.workspace_id, slot, password))
    conn = db.connect(folder / DB_NAME, keys[max(keys)])
    try:
        names = [n for n in db.wrap(conn).table_names() if not n.startswith("sqlite_")]
        out: dict[str, bytes] = {}
        for name in names:
            chunks: list[bytes] = []
            for row in conn.execute(f'SELECT * FROM "{name}"'):
                for v in row:
                    if isinstance(v, bytes):
                        chunks.append(v)
                    elif v is not None:
                        chunks.append(str(v).encode())
            out[name] = b"\x00".join(chunks)
        return out
    finally:
        conn.close()


def plaintext_hits(tables: dict[str, bytes], values: Iterable[str]) -> list[tuple[str, str]]:
    """(table, value) for each value found in plain in a table."""
    return [(t, v) for v in values for t, data in tables.items() if v.encode() in data]
