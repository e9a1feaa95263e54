"""``ws.records``: the generic record store driven by form definitions.

One transaction per save: the record row, its version snapshot, its search-index rows, one
audit-chain entry (hashes only) and — for records that are ``ready`` — one outbox row.
Sensitive fields come back masked unless the caller asks to unmask (role-checked, audited).
Bulk import (:meth:`Records.save_many`) commits one transaction per chunk.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from desktop.store import audit, db, errors, search, writer
from desktop.store import search as _search_mod
from desktop.store.formdefs import StorageSpec
from desktop.store.masking import is_masked_form_of, mask_data
from desktop.store.roles import require, require_form_write
from forms.errors import FieldError

if TYPE_CHECKING:
    from desktop.store.workspace import Workspace

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
    " created_at, updated_by, updated_at, comment, locked, sync_errors"
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


def _row_to_record(row: Sequence[Any]) -> Record:
    return Record(
        uuid=row[1],
        form_id=row[2],
        form_version=row[3],
        org_unit=row[4],
        data=json.loads(row[5]),
        status=row[6],
        version=row[7],
        created_by=row[8],
        created_at=row[9],
        updated_by=row[10],
        updated_at=row[11],
        comment=row[12],
        locked=bool(row[13]),
        sync_errors=tuple(json.loads(row[14])) if row[14] else (),
    )


def failure_message(form_id: str, result: Any) -> str:
    shown = ", ".join(f"{e.field or '(record)'} ({e.code})" for e in list(result.errors)[:10])
    more = len(result.errors) - 10
    return f"Validation failed for {form_id!r}: {shown}" + (f" and {more} more" if more > 0 else "")


class Records:
    """The record repository of one open workspace."""

    def __init__(self, ws: Workspace) -> None:
        self._ws = ws

    # --- helpers ------------------------------------------------------------------------------

    @property
    def _conn(self) -> Any:
        return self._ws._connection()

    def _row(self, record_uuid: str) -> Sequence[Any]:
        row = self._conn.execute(
            f"SELECT {COLUMNS} FROM records WHERE uuid = ?", (record_uuid,)
        ).fetchone()
        if row is None:
            raise errors.RecordNotFound(f"No record {record_uuid}.")
        return row

    def _spec(self, form_id: str, version: int) -> StorageSpec:
        return self._ws.forms.spec(self._ws.forms.get(form_id, version))

    def _shown(self, rec: Record, unmask: bool = False) -> Record:
        if unmask:
            return rec
        sens = self._spec(rec.form_id, rec.form_version).sensitive
        if not sens:
            return rec
        return Record(**{**rec.__dict__, "data": mask_data(rec.data, sens)})

    def _validate(self, form: Any, data: Mapping[str, Any], status: str) -> dict[str, Any]:
        import forms

        result = forms.validate(form, dict(data))
        if not result.ok:
            only_required = all(e.code == "required" for e in result.errors)
            if not (status == "draft" and only_required):
                raise errors.ValidationFailed(failure_message(form.id, result), result)
        return dict(result.values)

    def _check_unique(
        self,
        form_id: str,
        spec: StorageSpec,
        values: Mapping[str, Any],
        own_id: int | None,
        seen: dict[tuple[str, str], int] | None = None,
    ) -> None:
        problems: list[FieldError] = []
        for f in spec.unique:
            v = search.scalar_text(values.get(f))
            if not v:
                continue
            row = self._conn.execute(
                "SELECT rec FROM record_keys WHERE form_id = ? AND field_id = ? AND value = ?"
                " AND rec IS NOT ? LIMIT 1",
                (form_id, f, v, own_id),
            ).fetchone()
            if row is not None or (seen is not None and (f, v) in seen):
                problems.append(FieldError("unique", f, {}))
            elif seen is not None:
                seen[(f, v)] = 1
        if problems:
            result = StoreValidationResult(problems, dict(values))
            raise errors.ValidationFailed(failure_message(form_id, result), result)

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
            self._ws._audit,
            self._ws.user.name,
            spec,
            [writer.Write(rec, rec_id, before, action, enqueue, detail)],
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
        user = self._ws._require_open()
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
                before, rec_id = _row_to_record(row), int(row[0])
                if before.form_id != form_id:
                    raise ValueError(
                        f"Record {record_uuid} is a {before.form_id!r} record, not {form_id!r}."
                    )
                self._check_editable(before)
        form = (
            self._ws.forms.get(form_id, before.form_version)
            if before
            else self._ws.forms.latest(form_id)
        )
        spec = self._ws.forms.spec(form)
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
            org_unit=before.org_unit if before else self._ws.org_unit.code,
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
        self._ws._changed(form_id, rec.uuid)
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

    def save_many(
        self,
        form_id: str,
        rows: Iterable[Mapping[str, Any]],
        *,
        chunk_size: int = 1000,
        progress: Callable[[int, int], None] | None = None,
        cancel: Callable[[], bool] | None = None,
        status: str = "ready",
        all_or_nothing: bool = False,
    ) -> BulkResult:
        """Validate and save many new records, one transaction per ``chunk_size`` rows.

        Rows failing validation (or repeating a unique value) are reported in ``failed`` with
        their index and are not saved; the others are. ``cancel()`` is checked before each chunk:
        chunks already committed stay saved. ``progress(done, total)`` runs after each chunk.
        ``all_or_nothing``: validate every row first; if any fails, save none, else save all in
        one transaction.
        """
        user = self._ws._require_open()
        require_form_write(user, form_id)
        if status not in EDIT_STATUSES:
            raise ValueError(f"save_many() takes status 'draft' or 'ready', not {status!r}.")
        form = self._ws.forms.latest(form_id)
        spec = self._ws.forms.spec(form)
        rows = list(rows)
        result = BulkResult(total=len(rows))
        seen: set[tuple[str, str]] = set()
        ready: list[tuple[int, dict[str, Any]]] | None = None
        if all_or_nothing:
            ready, failed = self._validate_chunk(form, spec, rows, 0, status, seen)
            if failed:
                result.failed.extend(failed)
                return result
            chunk_size = max(1, len(rows))
        with db.bulk_cache(self._conn, len(rows)):
            self._save_chunks(
                form, spec, rows, chunk_size, status, progress, cancel, seen, ready, result
            )
        return result

    def _save_chunks(
        self,
        form: Any,
        spec: StorageSpec,
        rows: list[Mapping[str, Any]],
        chunk_size: int,
        status: str,
        progress: Callable[[int, int], None] | None,
        cancel: Callable[[], bool] | None,
        seen: set[tuple[str, str]],
        ready: list[tuple[int, dict[str, Any]]] | None,
        result: BulkResult,
    ) -> None:
        user, form_id, done = self._ws.user, form.id, 0
        for start in range(0, len(rows), max(1, chunk_size)):
            if cancel is not None and cancel():
                result.cancelled = True
                break
            chunk = rows[start : start + chunk_size]
            if ready is not None:
                good = ready
            else:
                good, failed = self._validate_chunk(form, spec, chunk, start, status, seen)
                result.failed.extend(failed)
            now = audit.now()
            org = self._ws.org_unit.code
            prepared = [
                Record(
                    writer.uuid7(),
                    form_id,
                    form.version,
                    org,
                    values,
                    status,
                    1,
                    user.name,
                    now,
                    user.name,
                    now,
                )
                for _, values in good
            ]
            with db.transaction(self._conn, f"importing {form_id} records"):
                writer.write_all(
                    self._conn,
                    self._ws._audit,
                    user.name,
                    spec,
                    [
                        writer.Write(
                            r, None, None, "record.create", status == "ready", {"bulk": True}
                        )
                        for r in prepared
                    ],
                )
            result.saved.extend(r.uuid for r in prepared)
            done += len(chunk)
            if prepared:
                self._ws._changed(form_id, None)
            if progress is not None:
                progress(done, len(rows))

    def _validate_chunk(
        self,
        form: Any,
        spec: StorageSpec,
        chunk: Sequence[Mapping[str, Any]],
        start: int,
        status: str,
        seen: set[tuple[str, str]],
    ) -> tuple[list[tuple[int, dict[str, Any]]], list[tuple[int, Any]]]:
        """Validate rows; unique values are checked against the database in one query per field."""
        good: list[tuple[int, dict[str, Any]]] = []
        failed: list[tuple[int, Any]] = []
        for i, data in enumerate(chunk, start):
            try:
                good.append((i, self._validate(form, data, status)))
            except errors.ValidationFailed as exc:
                failed.append((i, exc.result))
        if spec.unique:
            taken: set[tuple[str, str]] = set()
            for f in spec.unique:
                vals = list({search.scalar_text(v.get(f)) for _, v in good} - {""})
                for k in range(0, len(vals), 500):
                    part = vals[k : k + 500]
                    marks = ",".join("?" * len(part))
                    taken.update(
                        (f, r[0])
                        for r in self._conn.execute(
                            "SELECT value FROM record_keys WHERE form_id = ? AND field_id = ?"
                            f" AND value IN ({marks})",
                            (form.id, f, *part),
                        )
                    )
            kept = []
            for i, values in good:
                dupes = []
                for f in spec.unique:
                    key = (f, search.scalar_text(values.get(f)))
                    if key[1] and (key in taken or key in seen):
                        dupes.append(FieldError("unique", f, {}))
                if dupes:
                    failed.append((i, StoreValidationResult(dupes, dict(values))))
                    continue
                seen.update((f, search.scalar_text(values.get(f))) for f in spec.unique)
                kept.append((i, values))
            good = kept
        failed.sort(key=lambda x: x[0])
        return good, failed

    def set_status(self, record_uuid: str, status: str, comment: str | None = None) -> Record:
        """Move a record through its lifecycle (see module doc of roles for who may do what)."""
        user = self._ws._require_open()
        if status not in STATUSES:
            raise ValueError(f"Unknown status {status!r}; choose one of {', '.join(STATUSES)}.")
        row = self._row(record_uuid)
        before, rec_id = _row_to_record(row), int(row[0])
        if before.locked:
            raise errors.RecordLocked(f"Record {record_uuid} was signed off and cannot change.")
        now = audit.now()
        if status in EDIT_STATUSES:
            require_form_write(user, before.form_id)
            self._check_editable(before)
            spec = self._spec(before.form_id, before.form_version)
            rec = Record(
                **{
                    **before.__dict__,
                    "status": status,
                    "version": before.version + 1,
                    "updated_by": user.name,
                    "updated_at": now,
                    "comment": comment if comment is not None else before.comment,
                    "sync_errors": (),
                }
            )
            with db.transaction(self._conn, "changing a record's status"):
                self._drop_pending(record_uuid)
                self._write(
                    rec_id=rec_id,
                    rec=rec,
                    spec=spec,
                    before=before,
                    action="record.status",
                    enqueue=status == "ready",
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
                self._ws._audit.append(
                    user.name,
                    "record.status",
                    record_uuid,
                    {"form_id": before.form_id, "version": before.version, "status": status},
                    writer.record_hash(before),
                    writer.record_hash(rec),
                )
        self._ws._changed(before.form_id, record_uuid)
        return self._shown(rec)

    def sign_off(self, record_uuid: str) -> Record:
        """Lock the record for good (a new version, sent upward); later changes raise RecordLocked."""
        user = self._ws._require_open()
        require(user, "sign_off", "sign off records")
        row = self._row(record_uuid)
        before, rec_id = _row_to_record(row), int(row[0])
        require_form_write(user, before.form_id)
        self._check_editable(before)
        spec = self._spec(before.form_id, before.form_version)
        now = audit.now()
        rec = Record(
            **{
                **before.__dict__,
                "status": "ready",
                "version": before.version + 1,
                "updated_by": user.name,
                "updated_at": now,
                "locked": True,
                "sync_errors": (),
            }
        )
        with db.transaction(self._conn, "signing off a record"):
            self._drop_pending(record_uuid)
            self._write(
                rec_id=rec_id,
                rec=rec,
                spec=spec,
                before=before,
                action="record.sign_off",
                enqueue=True,
            )
        self._ws._changed(before.form_id, record_uuid)
        return self._shown(rec)

    # --- reading ------------------------------------------------------------------------------

    def get(self, record_uuid: str, *, unmask: bool = False) -> Record:
        """The current version (sensitive fields masked unless ``unmask``: role-checked, audited)."""
        self._ws._require_open()
        rec = _row_to_record(self._row(record_uuid))
        if unmask:
            self._audit_unmask([rec])
        return self._shown(rec, unmask)

    def unmask(self, record_uuid: str, field_id: str) -> str:
        """The plain value of one sensitive field (role-checked; audited)."""
        self._ws._require_open()
        rec = _row_to_record(self._row(record_uuid))
        self._audit_unmask([rec], fields=[field_id])
        return search.scalar_text(rec.data.get(field_id))

    def _audit_unmask(self, recs: Sequence[Record], fields: Sequence[str] | None = None) -> None:
        user = self._ws.user
        require(user, "unmask", "see unmasked personal data")
        if not recs:
            return
        with db.transaction(self._conn, "recording an unmask"):
            for rec in recs:
                shown = fields or sorted(self._spec(rec.form_id, rec.form_version).sensitive)
                self._ws._audit.append(
                    user.name,
                    "record.unmask",
                    rec.uuid,
                    {"form_id": rec.form_id, "fields": list(shown)},
                )

    def _where(
        self,
        form_id: str,
        search_text: str | None,
        filters: Mapping[str, Any] | None,
        status: str | Sequence[str] | None,
    ) -> tuple[str, list[Any], StorageSpec]:
        spec = self._ws.forms.spec(self._ws.forms.latest(form_id))
        # with a search or an indexed filter, drive the query from those (few) matches: the
        # unary + keeps SQLite from walking every record of the form in index order instead
        selective = bool(search_text and search_text.strip()) or any(
            f in spec.keyed for f in (filters or {})
        )
        clauses = ["+r.form_id = ?" if selective else "r.form_id = ?"]
        params: list[Any] = [form_id]
        if status is not None:
            sts = [status] if isinstance(status, str) else list(status)
            clauses.append(f"r.status IN ({','.join('?' * len(sts))})")
            params.extend(sts)
        for f, v in (filters or {}).items():
            if f in spec.keyed:
                sql, p = search.exact_clause(form_id, f, v)
            else:
                sql, p = f"json_extract(r.data, '{search.json_path(f)}') IS ?", [v]
            clauses.append(sql)
            params.extend(p)
        if search_text and search_text.strip():
            sql, p = search.search_clause(
                form_id, spec, search_text, fts=search.has_fts(self._conn, form_id)
            )
            clauses.append(sql)
            params.extend(p)
        return " AND ".join(clauses), params, spec

    def query(
        self,
        form_id: str,
        *,
        search: str | None = None,
        filters: Mapping[str, Any] | None = None,
        status: str | Sequence[str] | None = None,
        order_by: str | None = None,
        descending: bool = False,
        limit: int | None = None,
        offset: int = 0,
        unmask: bool = False,
    ) -> list[Record]:
        """Records of a form, filtered and paged; newest update first when ``order_by`` is None."""
        self._ws._require_open()
        where, params, spec = self._where(form_id, search, filters, status)
        direction = "DESC" if descending else "ASC"
        searching = bool(search and search.strip())
        plain = not searching and not filters and status is None
        only_search = searching and not filters and status is None and order_by is None
        if (order_by is not None and plain and spec.keyed.get(order_by) == "sort") or only_search:
            if only_search:
                recs = self._page_by_search(form_id, spec, str(search), limit, offset)
            else:
                recs = self._page_by_key(form_id, str(order_by), direction, limit, offset)
            if unmask:
                self._audit_unmask(recs)
            return [self._shown(r, unmask) for r in recs]
        if order_by is None:
            order = "r.updated_at DESC, r.id DESC"
        elif order_by in BUILTIN_ORDER:
            order = f"r.{order_by} {direction}, r.id {direction}"
        else:
            order = f"json_extract(r.data, '{search_path(order_by)}') {direction}, r.id {direction}"
        cols = ", ".join("r." + c.strip() for c in COLUMNS.split(","))
        sql = f"SELECT {cols} FROM records r WHERE {where} ORDER BY {order}"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params.extend([int(limit), int(offset)])
        elif offset:
            sql += " LIMIT -1 OFFSET ?"
            params.append(int(offset))
        try:
            recs = [_row_to_record(r) for r in self._conn.execute(sql, params)]
        except db.DB_ERRORS as exc:
            raise db.translate(exc, "a search") from None
        if unmask:
            self._audit_unmask(recs)
        return [self._shown(r, unmask) for r in recs]

    def _page_by_search(
        self, form_id: str, spec: StorageSpec, text: str, limit: int | None, offset: int
    ) -> list[Record]:
        """Search hits, newest record first, taken from the indexes before any row is read."""
        sub, params = search.search_ids(
            form_id, spec, text, fts=search.has_fts(self._conn, form_id)
        )
        if not sub:
            return []
        sql = f"SELECT id FROM ({sub}) ORDER BY id DESC LIMIT ? OFFSET ?"
        lim = -1 if limit is None else int(limit)
        ids = [r[0] for r in self._conn.execute(sql, (*params, lim, int(offset)))]
        return self._fetch(ids)

    def _page_by_key(
        self, form_id: str, field_id: str, direction: str, limit: int | None, offset: int
    ) -> list[Record]:
        """A page ordered by a sort key: walk the key B-tree, then fetch just that page."""
        sql = (
            "SELECT rec FROM record_keys WHERE form_id = ? AND field_id = ?"
            f" ORDER BY value {direction}, rec {direction} LIMIT ? OFFSET ?"
        )
        ids = [
            r[0]
            for r in self._conn.execute(
                sql, (form_id, field_id, -1 if limit is None else int(limit), int(offset))
            )
        ]
        return self._fetch(ids)

    def _fetch(self, ids: list[int]) -> list[Record]:
        """Records by row id, in the order of ``ids``."""
        by_id: dict[int, Record] = {}
        for k in range(0, len(ids), 500):
            part = ids[k : k + 500]
            marks = ",".join("?" * len(part))
            for row in self._conn.execute(
                f"SELECT {COLUMNS} FROM records WHERE id IN ({marks})", part
            ):
                by_id[int(row[0])] = _row_to_record(row)
        return [by_id[i] for i in ids if i in by_id]

    def count(
        self,
        form_id: str,
        *,
        search: str | None = None,
        filters: Mapping[str, Any] | None = None,
        status: str | Sequence[str] | None = None,
    ) -> int:
        self._ws._require_open()
        if search and search.strip() and not filters and status is None:
            spec = self._ws.forms.spec(self._ws.forms.latest(form_id))
            sub, sparams = _search_mod.search_ids(
                form_id, spec, search, fts=_search_mod.has_fts(self._conn, form_id)
            )
            if not sub:
                return 0
            return int(self._conn.execute(f"SELECT count(*) FROM ({sub})", sparams).fetchone()[0])
        where, params, _ = self._where(form_id, search, filters, status)
        try:
            return int(
                self._conn.execute(
                    f"SELECT count(*) FROM records r WHERE {where}", params
                ).fetchone()[0]
            )
        except db.DB_ERRORS as exc:
            raise db.translate(exc, "counting records") from None

    def find_by_field(self, form_id: str, field_id: str, value: Any) -> list[Record]:
        """Records whose ``field_id`` equals ``value`` exactly (indexed for keyed fields)."""
        return self.query(form_id, filters={field_id: value}, order_by="created_at")

    def history(self, record_uuid: str) -> list[Record]:
        """Every version of a record, oldest first."""
        self._ws._require_open()
        self._row(record_uuid)
        rows = self._conn.execute(
            "SELECT 0, uuid, form_id, form_version, org_unit, data, status, version, created_by,"
            " created_at, updated_by, updated_at, comment, locked, NULL FROM record_versions"
            " WHERE uuid = ? UNION ALL SELECT 0, uuid, form_id, form_version, org_unit, data,"
            " status, version, created_by, created_at, updated_by, updated_at, comment, locked,"
            " NULL FROM records WHERE uuid = ? ORDER BY version",
            (record_uuid, record_uuid),
        ).fetchall()
        return [self._shown(_row_to_record(r)) for r in rows]


def search_path(field_id: str) -> str:
    return search.json_path(field_id)
