"""The ``records`` rows of accepted records, one shape for township batches (``ingest``) and
county relays (``province``): content with its personal values sealed, plus their blind-index
rows (``domain/personal.py``), written in one statement each."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from sync.server.domain.personal import Sealer
from sync.server.store import bulk_insert
from sync.server.tables import records, sensitive_index


@dataclass(frozen=True)
class RecordRow:
    """One accepted record (as sent) and where it came from."""

    record: Mapping[str, Any]
    device_id: str
    batch_id: str
    digest: str


def newest_versions(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The row of the newest ``version`` of each ``record_uuid`` among ``rows``."""
    newest: dict[str, Any] = {}
    for row in rows:
        held = newest.get(row["record_uuid"])
        if held is None or held["version"] < row["version"]:
            newest[row["record_uuid"]] = row
    return newest


def record_row(record: Mapping[str, Any], device_id: str, batch_id: str, digest: str) -> RecordRow:
    """The row of one accepted record (township batch or county relay)."""
    return RecordRow(record, device_id, batch_id, digest)


def insert_records(
    conn: Connection, sealer: Sealer, rows: Sequence[RecordRow], received_at: str
) -> None:
    """Store ``rows`` (sealed) and their blind-index rows in the caller's transaction."""
    if not rows:
        return
    stored, index = [], []
    for r in rows:
        content, index_rows = sealer.seal_for_storage(r.record)
        index.extend(index_rows)
        stored.append(
            {
                "record_uuid": r.record["uuid"],
                "version": r.record["version"],
                "form_id": r.record["form_id"],
                "form_version": r.record["form_version"],
                "org_unit": r.record["org_unit"],
                "device_id": r.device_id,
                "batch_id": r.batch_id,
                "record_sha256": r.digest,
                "content": content,
                "status": "received",
                "received_at": received_at,
            }
        )
    bulk_insert(conn, records, stored)
    if index and conn.dialect.name == "postgresql":
        names = ("digest", "field", "record_uuid", "version", "form_id")
        bulk_insert(conn, sensitive_index, [dict(zip(names, row, strict=True)) for row in index])
    elif index:  # many small rows: the driver's executemany, without a Core row per value
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        conn.exec_driver_sql(
            f"INSERT INTO {sensitive_index.name} (digest, field, record_uuid, version, form_id) "
            f"VALUES ({', '.join([mark] * 5)})",
            index,
        )
