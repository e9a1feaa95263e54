"""The record types the store returns, statuses, and row decoding."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop.store.field_cipher import PLAIN, FieldCipher
from forms.errors import FieldError

STATUSES = (
    "draft",
    "ready",
    "queued",
    "delivered",
    "accepted",
    "returned",
    "forwarded",
    "confirmed",
    "rejected",
)
EDIT_STATUSES = ("draft", "ready")
NOT_EDITABLE = ("queued", "delivered", "forwarded")  # with the county: wait for its decision
REVIEW_STATUSES = ("accepted", "returned", "forwarded", "confirmed", "rejected")
SYNC_STATUSES = ("queued", "delivered")
BUILTIN_ORDER = ("updated_at", "created_at", "status", "version", "uuid", "form_version")
COLUMNS = (
    "id, uuid, form_id, form_version, org_unit, data, status, version, created_by,"
    " created_at, updated_by, updated_at, comment, locked"
)


@dataclass(frozen=True)
class Record:
    """One record as the store returns it (sensitive fields masked unless unmasked)."""

    uuid: str
    form_id: str
    form_version: int
    org_unit: str
    data: dict[str, Any]
    status: str
    version: int
    created_by: str
    created_at: str
    updated_by: str
    updated_at: str
    comment: str | None = None
    locked: bool = False
    #: the server's error codes when it refused this version (read from the stored verdict in
    #: the outbox, :func:`desktop.store.outbox.verdicts`); empty otherwise
    sync_errors: tuple[dict[str, Any], ...] = ()

    def payload(self) -> dict[str, Any]:
        """The record as sent upward and hashed into the audit chain."""
        return {
            "uuid": self.uuid,
            "form_id": self.form_id,
            "form_version": self.form_version,
            "version": self.version,
            "org_unit": self.org_unit,
            "status": self.status,
            "data": self.data,
            "created_by": self.created_by,
            "created_at": self.created_at,
            "updated_by": self.updated_by,
            "updated_at": self.updated_at,
        }


@dataclass
class StoreValidationResult:
    """A validation outcome the store itself finds (duplicate unique values); same shape as forms'."""

    errors: list[FieldError]
    values: dict[str, Any] = field(default_factory=dict)
    warnings: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class BulkResult:
    """Outcome of :meth:`Records.save_many`."""

    saved: list[str] = field(default_factory=list)  # uuids, in input order
    failed: list[tuple[int, Any]] = field(default_factory=list)  # (row index, validation result)
    cancelled: bool = False
    total: int = 0


def _row_to_record(row: Sequence[Any], cipher: FieldCipher = PLAIN) -> Record:
    """A ``records`` / ``record_versions`` row as a Record, sealed fields opened by ``cipher``."""
    return Record(
        uuid=row[1],
        form_id=row[2],
        form_version=row[3],
        org_unit=row[4],
        data=cipher.open_data(row[1], json.loads(row[5])),
        status=row[6],
        version=row[7],
        created_by=row[8],
        created_at=row[9],
        updated_by=row[10],
        updated_at=row[11],
        comment=row[12],
        locked=bool(row[13]),
    )


def failure_message(form_id: str, result: Any) -> str:
    shown = ", ".join(f"{e.field or '(record)'} ({e.code})" for e in list(result.errors)[:10])
    more = len(result.errors) - 10
    return f"Validation failed for {form_id!r}: {shown}" + (f" and {more} more" if more > 0 else "")
