"""The Outbox protocol: what the sync client engine needs from the local store.

``sync/`` defines it; ``desktop/store`` implements it (``Workspace.outbox``). The engine never
sees the database: it takes pending items, seals them into a batch, and reports receipts back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class OutboxItem:
    """One saved change waiting to go upward (one outbox row)."""

    seq: int  # local outbox row number, strictly increasing in save order
    record_uuid: str
    form_id: str
    form_version: int
    version: int  # the record's version counter after this save
    record: Mapping[str, Any]  # the full record: uuid, form_id, form_version, version,
    # org_unit, status, data, created_by/at, updated_by/at


@dataclass(frozen=True)
class SealedBatch:
    """A batch sealed from outbox items; its envelope bytes never change until acknowledged."""

    batch_id: str
    device_seq: int  # per-device sequence number, strictly increasing, never reused
    envelope: bytes  # the exact bytes uploaded, identical on every retry
    item_seqs: tuple[int, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class RecordReceipt:
    """The server's verdict on one record of a batch."""

    record_uuid: str
    version: int
    status: str  # "received" | "duplicate" | "rejected"
    errors: tuple[Mapping[str, Any], ...] = ()  # error codes with field and params when rejected


@runtime_checkable
class Outbox(Protocol):
    """Implemented by the store; all methods are atomic (one transaction each)."""

    def pending(self, limit: int) -> list[OutboxItem]:
        """Unsealed items in save order (oldest first), at most ``limit``."""
        ...

    def pending_count(self) -> int:
        """How many items are neither sealed nor acknowledged."""
        ...

    def audit_head(self) -> str:
        """The hash of the newest audit-chain entry (hex)."""
        ...

    def next_device_seq(self) -> int:
        """The sequence number the next sealed batch must carry."""
        ...

    def seal(
        self, batch_id: str, device_seq: int, envelope: bytes, item_seqs: Sequence[int]
    ) -> SealedBatch:
        """Record a sealed batch and mark its items sealed (records become ``queued``)."""
        ...

    def unacknowledged(self) -> list[SealedBatch]:
        """Sealed batches without a receipt yet, in ``device_seq`` order, bytes unchanged."""
        ...

    def acknowledge(self, batch_id: str, receipt: bytes, records: Sequence[RecordReceipt]) -> None:
        """Store the signed receipt; received records become ``delivered``, rejected ones
        ``rejected`` with their error codes (editable again)."""
        ...

    def unseal(self, batch_id: str, next_device_seq: int) -> int:
        """The server proved (signed ``stale_sequence``) that it never stored this batch and
        will not accept its sequence number: forget the batch, put its items back to pending
        (save order kept) and make the next sealed batch carry at least ``next_device_seq``.
        Returns how many items went back. Optional: without it the engine stops with the
        refusal."""
        ...
