"""``ws.records``: the generic record store driven by form definitions.

One transaction per save: the record row (the superseded version moves to ``record_versions``),
its search-index rows, one audit-chain entry (hashes only) and — for records that are ``ready``
— one outbox row. Reading lives in :mod:`desktop.store.reading`, bulk import in
:mod:`desktop.store.bulk`, the record types in :mod:`desktop.store.record`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from desktop.store import audit, db, errors, writer
from desktop.store.bulk import BulkSaving
from desktop.store.formdefs import StorageSpec
from desktop.store.masking import is_masked_form_of
from desktop.store.record import (
    BUILTIN_ORDER,
    COLUMNS,
    EDIT_STATUSES,
    NOT_EDITABLE,
    REVIEW_STATUSES,
    STATUSES,
    SYNC_STATUSES,
    BulkResult,
    Record,
    StoreValidationResult,
    failure_message,
)
from desktop.store.roles import require, require_form_write

__all__ = [
    "BUILTIN_ORDER",
    "COLUMNS",
    "EDIT_STATUSES",
    "NOT_EDITABLE",
    "REVIEW_STATUSES",
    "STATUSES",
    "SYNC_STATUSES",
    "BulkResult",
    "Record",
    "Records",
    "StoreValidationResult",
    "failure_message",
]


class Records(BulkSaving):
    """The record repository of one open workspace (``ws.records``)."""

    def _write(
        self,
        *,
        rec_id: int | None,
        rec: Record,
        spec: StorageSpec,
        action: str,
        before: Record | None,
        enqueue: bool,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Record row + version row + index + audit entry (+ outbox row); inside a transaction."""
        writer.write_all(
            self._conn,
            self._ctx.audit,
            self._ctx.user.name,
            spec,
            [writer.Write(rec, rec_id, before, action, enqueue, detail)],
            self._ctx.forms,
            self._ctx.cipher,
        )

    # --- writing ------------------------------------------------------------------------------

    def save(
        self,
        form_id: str,
        data: Mapping[str, Any],
        *,
        record_uuid: str | None = None,
        status: str = "ready",
    ) -> Record:
        """Validate and save a new record (or a new version of ``record_uuid``)."""
        user = self._ctx.require_open()
        require_form_write(user, form_id)
        if status not in EDIT_STATUSES:
            raise ValueError(f"save() takes status 'draft' or 'ready', not {status!r}.")
        before: Record | None = None
        rec_id: int | None = None
        if record_uuid is not None:
            row = self._conn.execute(
                f"SELECT {COLUMNS} FROM records WHERE uuid = ?", (record_uuid,)
            ).fetchone()
            if row is not None:
                before, rec_id = self._rec(row), int(row[0])
                if before.form_id != form_id:
                    raise ValueError(
                        f"Record {record_uuid} is a {before.form_id!r} record, not {form_id!r}."
                    )
                self._check_editable(before)
        form = (
            self._ctx.forms.get(form_id, before.form_version)
            if before
            else self._ctx.forms.latest(form_id)
        )
        spec = self._ctx.forms.spec(form)
        data = dict(data)
        if before is not None:
            for f in spec.sensitive:
                if is_masked_form_of(data.get(f), before.data.get(f)):
                    data[f] = before.data[f]
        values = self._validate(form, data, status)
        self._check_unique(form_id, spec, values, rec_id)
        now = audit.now()
        rec = Record(
            uuid=record_uuid or writer.uuid7(),
            form_id=form_id,
            form_version=form.version,
            org_unit=before.org_unit if before else self._ctx.org_unit.code,
            data=values,
            status=status,
            version=(before.version + 1) if before else 1,
            created_by=before.created_by if before else user.name,
            created_at=before.created_at if before else now,
            updated_by=user.name,
            updated_at=now,
            comment=before.comment if before else None,
        )
        with db.transaction(self._conn, f"saving a {form_id} record"):
            if before is not None:
                self._drop_pending(rec.uuid)
            self._write(
                rec_id=rec_id,
                rec=rec,
                spec=spec,
                before=before,
                action="record.update" if before else "record.create",
                enqueue=status == "ready",
            )
        self._ctx.changed(form_id, rec.uuid)
        return self._shown(rec)

    def _check_editable(self, rec: Record) -> None:
        if rec.locked:
            raise errors.RecordLocked(
                f"Record {rec.uuid} was signed off and cannot change; enter a correction as a new record."
            )
        if rec.status in NOT_EDITABLE:
            raise errors.RecordNotEditable(
                f"Record {rec.uuid} is {rec.status} (with the county) and cannot change until it is returned or accepted."
            )

    def _drop_pending(self, record_uuid: str) -> None:
        """A newer version replaces an unsent one: the unsent outbox row never leaves the PC."""
        self._conn.execute(
            "DELETE FROM outbox WHERE record_uuid = ? AND state = 'pending'", (record_uuid,)
        )

    def _write_new_version(
        self, rec_id: int, before: Record, action: str, doing: str, **changes: Any
    ) -> Record:
        """Write ``before`` with ``changes`` as its next version (replacing any unsent one)."""
        rec = Record(
            **{
                **before.__dict__,
                "version": before.version + 1,
                "updated_by": self._ctx.user.name,
                "updated_at": audit.now(),
                "sync_errors": (),
                **changes,
            }
        )
        spec = self._spec(before.form_id, before.form_version)
        with db.transaction(self._conn, doing):
            self._drop_pending(before.uuid)
            self._write(
                rec_id=rec_id,
                rec=rec,
                spec=spec,
                before=before,
                action=action,
                enqueue=rec.status == "ready",
            )
        return rec

    def set_status(self, record_uuid: str, status: str, comment: str | None = None) -> Record:
        """Move a record through its lifecycle (see module doc of roles for who may do what)."""
        user = self._ctx.require_open()
        if status not in STATUSES:
            raise ValueError(f"Unknown status {status!r}; choose one of {', '.join(STATUSES)}.")
        row = self._row(record_uuid)
        before, rec_id = self._rec(row), int(row[0])
        if before.locked:
            raise errors.RecordLocked(f"Record {record_uuid} was signed off and cannot change.")
        if status in EDIT_STATUSES:
            require_form_write(user, before.form_id)
            self._check_editable(before)
            rec = self._write_new_version(
                rec_id,
                before,
                "record.status",
                "changing a record's status",
                status=status,
                comment=comment if comment is not None else before.comment,
            )
        else:
            if not (user.can("review") or user.can("sync")):
                raise errors.PermissionDenied(
                    f"User {user.name!r} (role {user.role}) may not set records to {status}."
                )
            rec = Record(
                **{
                    **before.__dict__,
                    "status": status,
                    "comment": comment if comment is not None else before.comment,
                }
            )
            with db.transaction(self._conn, "changing a record's status"):
                self._conn.execute(
                    "UPDATE records SET status = ?, comment = ? WHERE id = ?",
                    (status, rec.comment, rec_id),
                )
                self._ctx.audit.append(
                    user.name,
                    "record.status",
                    record_uuid,
                    {"form_id": before.form_id, "version": before.version, "status": status},
                    writer.record_hash(before),
                    writer.record_hash(rec),
                )
        self._ctx.changed(before.form_id, record_uuid)
        return self._shown(rec)

    def sign_off(self, record_uuid: str) -> Record:
        """Lock the record for good (a new version, sent upward); later changes raise RecordLocked."""
        user = self._ctx.require_open()
        require(user, "sign_off", "sign off records")
        row = self._row(record_uuid)
        before, rec_id = self._rec(row), int(row[0])
        require_form_write(user, before.form_id)
        self._check_editable(before)
        rec = self._write_new_version(
            rec_id,
            before,
            "record.sign_off",
            "signing off a record",
            status="ready",
            locked=True,
        )
        self._ctx.changed(before.form_id, record_uuid)
        return self._shown(rec)
