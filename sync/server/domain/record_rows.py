"""The ``records`` row of one accepted record: one shape for township batches (``ingest``) and
county relays (``province``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sync.protocol import canonical_json


def record_row(
    record: Mapping[str, Any], device_id: str, batch_id: str, digest: str
) -> dict[str, Any]:
    """The ``records`` row of one accepted record (township batch or county relay)."""
    return {
        "record_uuid": record["uuid"],
        "version": record["version"],
        "form_id": record["form_id"],
        "form_version": record["form_version"],
        "org_unit": record["org_unit"],
        "device_id": device_id,
        "batch_id": batch_id,
        "record_sha256": digest,
        "content": canonical_json(record).decode("utf-8"),
        "status": "received",
    }
