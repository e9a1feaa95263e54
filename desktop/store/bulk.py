"""Validation and bulk saving (``save_many``): one transaction per chunk, unique values checked
against the database with one query per field and chunk, progress and cancel callbacks.

``validator`` gives callers that must validate first anyway (the import preview) the store's own
validation, sealed (:mod:`desktop.store.validated`), so ``save_many`` need not repeat it.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from desktop.store import audit, db, errors, search, writer
from desktop.store.formdefs import StorageSpec
from desktop.store.reading import RecordReading
from desktop.store.record import (
    EDIT_STATUSES,
    BulkResult,
    Record,
    StoreValidationResult,
    failure_message,
)
from desktop.store.roles import require_form_write
from desktop.store.validated import Sealer, Validated
from forms.errors import FieldError

#: the page cache of a :class:`BulkSession` (the bulk cache restores the usual one after it)
SESSION_CACHE_KIB = 131072
#: (row index, validated values, their canonical text when sealed or None)
Good = tuple[int, dict[str, Any], str | None]


class RowValidator:
    """The store's validation of one form, sealing each row that passes (see ``validator``)."""

    def __init__(self, form: Any, sealer: Sealer) -> None:
        self.form = form
        self.day = _dt.date.today()
        self._iso = self.day.isoformat()
        self._sealer = sealer

    def __call__(self, data: Mapping[str, Any]) -> tuple[Any, Validated | None]:
        """The forms validation result and, when it is ok, the sealed values."""
        import forms

        result = forms.validate(self.form, data, today=self.day)
        if not result.ok:
            return result, None
        return result, self._sealer.seal(self.form, result.values, self._iso)


class BulkSession:
    """One write transaction that several ``save_many`` calls share (see
    :meth:`BulkSaving.bulk_session`): begun by the first write, committed by :meth:`commit`
    (or when the session ends), rolled back when the session ends with an exception.

    A large import commits its chunks in a few transactions instead of one per chunk: each
    commit writes (encrypts, authenticates and syncs) every page the transaction touched, and
    the index pages a 1,000-row chunk touches are mostly the same as the next chunk's."""

    def __init__(self, conn: Any, what: str, notify: Callable[[str], None]) -> None:
        self._conn, self._what, self._notify = conn, what, notify
        self._stack: contextlib.ExitStack | None = None
        self.changed: set[str] = set()  # forms written since the last commit
        self.pending = 0  # rows written since the last commit

    def begin(self) -> None:
        if self._stack is None:
            stack = contextlib.ExitStack()
            stack.enter_context(db.transaction(self._conn, self._what))
            self._stack = stack

    def commit(self) -> None:
        """Commit what was written (then the change notice of each form written)."""
        stack, self._stack = self._stack, None
        if stack is not None:
            stack.close()
        changed, self.changed, self.pending = self.changed, set(), 0
        for form_id in sorted(changed):
            self._notify(form_id)

    def abort(self) -> None:
        stack, self._stack = self._stack, None
        self.changed, self.pending = set(), 0
        if stack is not None:
            stack.__exit__(*sys.exc_info())


class BulkSaving(RecordReading):
    """Validation helpers and ``save_many``."""

    _sealer_instance: Sealer | None = None

    @property
    def _sealer(self) -> Sealer:
        if self._sealer_instance is None:
            self._sealer_instance = Sealer()
        return self._sealer_instance

    def validator(self, form_id: str) -> RowValidator:
        """Validate rows of ``form_id`` (its latest definition) as ``save_many`` would.

        Calling it with a row's data returns ``(result, sealed)``: the ``forms.validate`` result
        and, when the row passed, a :class:`Validated` that ``save_many`` takes without validating
        again — only in this open workspace, against the same form definition hash, on the same
        day; otherwise it validates the values again. Unique values are still checked on save.
        """
        return RowValidator(self._ctx.forms.latest(form_id), self._sealer)

    def _validate(self, form: Any, data: Mapping[str, Any], status: str) -> dict[str, Any]:
        import forms

        result = forms.validate(form, dict(data), final=status != "draft")
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
    ) -> None:
        problems: list[FieldError] = []
        for f in spec.unique:
            v = search.scalar_text(values.get(f))
            if not v:
                continue
            row = self._conn.execute(
                "SELECT rec FROM record_keys WHERE form_id = ? AND field_id = ? AND value = ?"
                " AND rec IS NOT ? LIMIT 1",
                (form_id, f, search.key_value(form_id, spec, f, v, self._ctx.cipher), own_id),
            ).fetchone()
            if row is not None:
                problems.append(FieldError("unique", f, {}))
        if problems:
            result = StoreValidationResult(problems, dict(values))
            raise errors.ValidationFailed(failure_message(form_id, result), result)

    @contextlib.contextmanager
    def bulk_session(self, rows: int, what: str = "importing records") -> Iterator[BulkSession]:
        """A :class:`BulkSession` for ``save_many(..., session=)`` calls writing about ``rows``
        rows (a bigger page cache meanwhile); what is uncommitted when it ends is committed,
        or rolled back if it ends with an exception."""
        self._ctx.require_open()
        session = BulkSession(self._conn, what, lambda form_id: self._ctx.changed(form_id, None))
        with db.bulk_cache(self._conn, rows):
            if rows >= db.BULK_ROWS:  # measured: as fast as 256 MiB, 80 MB less memory at 100k
                self._conn.execute(f"PRAGMA cache_size = -{SESSION_CACHE_KIB}")
            try:
                yield session
            except BaseException:
                session.abort()
                raise
            session.commit()

    def save_many(
        self,
        form_id: str,
        rows: Iterable[Mapping[str, Any] | Validated],
        *,
        chunk_size: int = 1000,
        progress: Callable[[int, int], None] | None = None,
        cancel: Callable[[], bool] | None = None,
        status: str = "ready",
        all_or_nothing: bool = False,
        session: BulkSession | None = None,
    ) -> BulkResult:
        """Validate and save many new records, one transaction per ``chunk_size`` rows.

        Rows failing validation (or repeating a unique value) are reported in ``failed`` with
        their index and are not saved; the others are. ``cancel()`` is checked before each chunk:
        chunks already committed stay saved. ``progress(done, total)`` runs after each chunk.
        ``all_or_nothing``: validate every row first; if any fails, save none, else save all in
        one transaction. A row may be a :class:`Validated` from :meth:`validator` (see there).
        ``session`` (:meth:`bulk_session`): the rows are written in its transaction, which the
        caller commits (``session.commit()``) when it chooses.
        """
        user = self._ctx.require_open()
        require_form_write(user, form_id)
        if status not in EDIT_STATUSES:
            raise ValueError(f"save_many() takes status 'draft' or 'ready', not {status!r}.")
        form = self._ctx.forms.latest(form_id)
        spec = self._ctx.forms.spec(form)
        rows = list(rows)
        result = BulkResult(total=len(rows))
        seen: set[tuple[str, str]] = set()
        ready: list[Good] | None = None
        if all_or_nothing:
            ready, failed = self._validate_chunk(form, spec, rows, 0, status, seen)
            if failed:
                result.failed.extend(failed)
                return result
            chunk_size = max(1, len(rows))
        if session is not None:
            self._save_chunks(
                form, spec, rows, chunk_size, status, progress, cancel, seen, ready, result, session
            )
            return result
        with db.bulk_cache(self._conn, len(rows)):
            self._save_chunks(
                form, spec, rows, chunk_size, status, progress, cancel, seen, ready, result
            )
        return result

    def _save_chunks(
        self,
        form: Any,
        spec: StorageSpec,
        rows: list[Mapping[str, Any] | Validated],
        chunk_size: int,
        status: str,
        progress: Callable[[int, int], None] | None,
        cancel: Callable[[], bool] | None,
        seen: set[tuple[str, str]],
        ready: list[Good] | None,
        result: BulkResult,
        session: BulkSession | None = None,
    ) -> None:
        user, form_id, done = self._ctx.user, form.id, 0
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
            org = self._ctx.org_unit.code
            uuids = writer.uuid7_many(len(good))
            prepared = [
                Record(
                    uuids[k],
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
                for k, (_, values, _) in enumerate(good)
            ]
            if session is not None:
                session.begin()
            with (
                db.transaction(self._conn, f"importing {form_id} records")
                if session is None
                else contextlib.nullcontext()
            ):
                writer.write_all(
                    self._conn,
                    self._ctx.audit,
                    user.name,
                    spec,
                    [
                        writer.Write(
                            r,
                            None,
                            None,
                            "record.create",
                            status == "ready",
                            {"bulk": True},
                            text,
                        )
                        for r, (_, _, text) in zip(prepared, good, strict=True)
                    ],
                    self._ctx.forms,
                    self._ctx.cipher,
                )
            result.saved.extend(r.uuid for r in prepared)
            done += len(chunk)
            if prepared and session is not None:
                session.changed.add(form_id)
                session.pending += len(prepared)
            elif prepared:
                self._ctx.changed(form_id, None)
            if progress is not None:
                progress(done, len(rows))

    def _validate_chunk(
        self,
        form: Any,
        spec: StorageSpec,
        chunk: Sequence[Mapping[str, Any] | Validated],
        start: int,
        status: str,
        seen: set[tuple[str, str]],
    ) -> tuple[list[Good], list[tuple[int, Any]]]:
        """Validate rows (sealed ones this store accepts are taken as they are); unique values
        are checked against the database in one query per field."""
        good: list[Good] = []
        failed: list[tuple[int, Any]] = []
        today = _dt.date.today().isoformat()
        for i, data in enumerate(chunk, start):
            if isinstance(data, Validated):
                if self._sealer.accepted(form, data, today):
                    good.append((i, data.values(), data.text))
                    continue
                data = data.values()  # not sealed here, for this form, today: validate again
            try:
                good.append((i, self._validate(form, data, status), None))
            except errors.ValidationFailed as exc:
                failed.append((i, exc.result))
        if spec.unique:
            taken: set[tuple[str, str]] = set()
            for f in spec.unique:
                vals = list({search.scalar_text(v.get(f)) for _, v, _ in good} - {""})
                # what record_keys holds for each value (itself, or its token on gm)
                by_key = {search.key_value(form.id, spec, f, v, self._ctx.cipher): v for v in vals}
                keys = list(by_key)
                for k in range(0, len(keys), 500):
                    part = keys[k : k + 500]
                    marks = ",".join("?" * len(part))
                    taken.update(
                        (f, by_key[r[0]])
                        for r in self._conn.execute(
                            "SELECT value FROM record_keys WHERE form_id = ? AND field_id = ?"
                            f" AND value IN ({marks})",
                            (form.id, f, *part),
                        )
                    )
            kept = []
            for i, values, text in good:
                dupes = []
                for f in spec.unique:
                    key = (f, search.scalar_text(values.get(f)))
                    if key[1] and (key in taken or key in seen):
                        dupes.append(FieldError("unique", f, {}))
                if dupes:
                    failed.append((i, StoreValidationResult(dupes, dict(values))))
                    continue
                seen.update((f, search.scalar_text(values.get(f))) for f in spec.unique)
                kept.append((i, values, text))
            good = kept
        failed.sort(key=lambda x: x[0])
        return good, failed
