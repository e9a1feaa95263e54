"""Reading records: get, unmask (audited), query / count with search, filters and paging,
find_by_field, history. Sensitive fields come back masked unless unmasked by a permitted role."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from desktop.store import db, errors, outbox, search
from desktop.store.field_cipher import SORT_SUFFIX
from desktop.store.formdefs import StorageSpec
from desktop.store.masking import is_masked_form_of, mask, mask_data
from desktop.store.record import BUILTIN_ORDER, COLUMNS, Record, _row_to_record
from desktop.store.roles import require

if TYPE_CHECKING:
    from desktop.store.context import StoreContext


class RecordReading:
    """Read side of ``ws.records`` (also the helpers the write side uses)."""

    def __init__(self, ctx: StoreContext) -> None:
        self._ctx = ctx

    # --- helpers ------------------------------------------------------------------------------

    @property
    def _conn(self) -> Any:
        return self._ctx.connection()

    def _row(self, record_uuid: str) -> Sequence[Any]:
        row: Sequence[Any] | None = self._conn.execute(
            f"SELECT {COLUMNS} FROM records WHERE uuid = ?", (record_uuid,)
        ).fetchone()
        if row is None:
            raise errors.RecordNotFound(f"No record {record_uuid}.")
        return row

    def _rec(self, row: Sequence[Any]) -> Record:
        """A row as a Record, sealed fields opened (the one decoder of rows on this side)."""
        return self._recs([row])[0]

    def _recs(self, rows: Iterable[Sequence[Any]]) -> list[Record]:
        """Rows as Records; a refused one carries the server's errors from its stored verdict
        (one outbox read for the whole list, and only for records in status ``rejected``)."""
        recs = [_row_to_record(row, self._ctx.cipher) for row in rows]
        refused = [(r.uuid, r.version) for r in recs if r.status == "rejected"]
        if not refused:
            return recs
        found = outbox.verdicts(self._conn, refused)
        return [
            replace(r, sync_errors=v.errors)
            if (v := found.get((r.uuid, r.version))) is not None
            else r
            for r in recs
        ]

    def _spec(self, form_id: str, version: int) -> StorageSpec:
        return self._ctx.forms.spec(self._ctx.forms.get(form_id, version))

    def _shown(self, rec: Record, unmask: bool = False) -> Record:
        if unmask:
            return rec
        sens = self._spec(rec.form_id, rec.form_version).sensitive
        if not sens:
            return rec
        return Record(**{**rec.__dict__, "data": mask_data(rec.data, sens)})

    def get(self, record_uuid: str, *, unmask: bool = False) -> Record:
        """The current version (sensitive fields masked unless ``unmask``: role-checked, audited)."""
        self._ctx.require_open()
        rec = self._rec(self._row(record_uuid))
        if unmask:
            self._audit_unmask([rec])
        return self._shown(rec, unmask)

    def unmask(self, record_uuid: str, field_id: str) -> str:
        """The plain value of one sensitive field (role-checked; audited)."""
        self._ctx.require_open()
        rec = self._rec(self._row(record_uuid))
        self._audit_unmask([rec], fields=[field_id])
        return search.scalar_text(rec.data.get(field_id))

    def _audit_unmask(self, recs: Sequence[Record], fields: Sequence[str] | None = None) -> None:
        user = self._ctx.user
        require(user, "unmask", "see unmasked personal data")
        if not recs:
            return
        with db.transaction(self._conn, "recording an unmask"):
            for rec in recs:
                shown = fields or sorted(self._spec(rec.form_id, rec.form_version).sensitive)
                self._ctx.audit.append(
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
        spec = self._ctx.forms.spec(self._ctx.forms.latest(form_id))
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
                sql, p = search.exact_clause(form_id, f, v, spec, self._ctx.cipher)
            else:
                sql, p = f"json_extract(r.data, '{search.json_path(f)}') IS ?", [v]
            clauses.append(sql)
            params.extend(p)
        if search_text and search_text.strip():
            sql, p = search.search_clause(
                form_id,
                spec,
                search_text,
                fts=search.has_fts(self._conn, form_id),
                cipher=self._ctx.cipher,
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
        self._ctx.require_open()
        where, params, spec = self._where(form_id, search, filters, status)
        direction = "DESC" if descending else "ASC"
        searching = bool(search and search.strip())
        plain = not searching and not filters and status is None
        only_search = searching and not filters and status is None and order_by is None
        # a sealed column (gm) sorts by its masked display, kept as a sort key of its own
        masked_key = (
            order_by + SORT_SUFFIX
            if order_by is not None and self._ctx.cipher.is_hidden(spec.sensitive, order_by)
            else None
        )
        if (
            order_by is not None
            and plain
            and (spec.keyed.get(order_by) == "sort" or masked_key is not None)
        ) or only_search:
            if only_search:
                recs = self._page_by_search(form_id, spec, str(search), limit, offset)
            else:
                key = masked_key or str(order_by)
                recs = self._page_by_key(form_id, key, direction, limit, offset)
            if unmask:
                self._audit_unmask(recs)
            return [self._shown(r, unmask) for r in recs]
        source = "records r"
        if masked_key is not None and "+r.form_id" in where:
            return self._sorted_by_mask(
                where, params, str(order_by), direction == "DESC", limit, offset, unmask
            )
        if masked_key is not None:
            # walk the masked sort keys in order and fetch each record by id (CROSS JOIN keeps
            # SQLite from probing the key tree once per record)
            order = f"k.value {direction}, r.id {direction}"
            source = "record_keys k CROSS JOIN records r ON r.id = k.rec"
            where = f"k.form_id = ? AND k.field_id = ? AND {where}"
            params = [form_id, masked_key, *params]
        elif order_by is None:
            order = "r.updated_at DESC, r.id DESC"
        elif order_by in BUILTIN_ORDER:
            order = f"r.{order_by} {direction}, r.id {direction}"
        else:
            order = f"json_extract(r.data, '{search_path(order_by)}') {direction}, r.id {direction}"
        cols = ", ".join("r." + c.strip() for c in COLUMNS.split(","))
        sql = f"SELECT {cols} FROM {source} WHERE {where} ORDER BY {order}"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params.extend([int(limit), int(offset)])
        elif offset:
            sql += " LIMIT -1 OFFSET ?"
            params.append(int(offset))
        try:
            recs = self._recs(self._conn.execute(sql, params))
        except db.DB_ERRORS as exc:
            raise db.translate(exc, "a search") from None
        if unmask:
            self._audit_unmask(recs)
        return [self._shown(r, unmask) for r in recs]

    def _sorted_by_mask(
        self,
        where: str,
        params: list[Any],
        field_id: str,
        descending: bool,
        limit: int | None,
        offset: int,
        unmask: bool,
    ) -> list[Record]:
        """The (few) hits of a search or keyed filter, sorted by a sealed field's masked display."""
        cols = ", ".join("r." + c.strip() for c in COLUMNS.split(","))
        try:
            raw = self._conn.execute(
                f"SELECT {cols} FROM records r WHERE {where}", params
            ).fetchall()
            rows = [(int(r[0]), rec) for r, rec in zip(raw, self._recs(raw), strict=True)]
        except db.DB_ERRORS as exc:
            raise db.translate(exc, "a search") from None
        rows.sort(
            key=lambda p: (search.scalar_text(mask(p[1].data.get(field_id))), p[0]),
            reverse=descending,
        )
        end = None if limit is None else offset + int(limit)
        recs = [rec for _, rec in rows[offset:end]]
        if unmask:
            self._audit_unmask(recs)
        return [self._shown(r, unmask) for r in recs]

    def _search_ids(self, form_id: str, spec: StorageSpec, text: str) -> tuple[str, list[Any]]:
        """The id subquery of a search's hits (empty SQL when nothing can match)."""
        return search.search_ids(
            form_id,
            spec,
            text,
            fts=search.has_fts(self._conn, form_id),
            cipher=self._ctx.cipher,
        )

    def _page_by_search(
        self, form_id: str, spec: StorageSpec, text: str, limit: int | None, offset: int
    ) -> list[Record]:
        """Search hits, newest record first, taken from the indexes before any row is read."""
        sub, params = self._search_ids(form_id, spec, text)
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
            raw = self._conn.execute(
                f"SELECT {COLUMNS} FROM records WHERE id IN ({marks})", part
            ).fetchall()
            for row, rec in zip(raw, self._recs(raw), strict=True):
                by_id[int(row[0])] = rec
        return [by_id[i] for i in ids if i in by_id]

    def count(
        self,
        form_id: str,
        *,
        search: str | None = None,
        filters: Mapping[str, Any] | None = None,
        status: str | Sequence[str] | None = None,
    ) -> int:
        self._ctx.require_open()
        if search and search.strip() and not filters and status is None:
            spec = self._ctx.forms.spec(self._ctx.forms.latest(form_id))
            sub, sparams = self._search_ids(form_id, spec, search)
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

    def search_too_short(self, form_id: str, text: str | None) -> int:
        """0, or how many digits ``text`` (the first digits of an ID number or phone) needs on
        this workspace to find them: 4 on gm, where shorter prefixes have no search tokens
        (``search.sealed_prefix_minimum``)."""
        self._ctx.require_open()
        spec = self._ctx.forms.spec(self._ctx.forms.latest(form_id))
        return search.sealed_prefix_minimum(form_id, spec, text, self._ctx.cipher)

    def find_by_field(self, form_id: str, field_id: str, value: Any) -> list[Record]:
        """Records whose ``field_id`` equals ``value`` exactly (indexed for keyed fields)."""
        return self.query(form_id, filters={field_id: value}, order_by="created_at")

    def differing_fields(
        self, record_uuid: str, data: Mapping[str, Any], fields: Sequence[str]
    ) -> list[str]:
        """Which of ``fields`` hold a non-blank value in ``data`` other than the stored one.

        Compared inside the store on the plain values (a masked value in ``data`` equal to the
        masked form of the stored one counts as the same); nothing is revealed but the field ids,
        so nothing is unmasked or audited. A blank value never counts: an update keeps it."""
        self._ctx.require_open()
        stored = self._rec(self._row(record_uuid)).data
        out: list[str] = []
        for f in fields:
            value = data.get(f)
            if value is None or value == "" or value == []:
                continue
            before = stored.get(f)
            if value != before and not is_masked_form_of(value, before):
                out.append(f)
        return out

    def history(self, record_uuid: str) -> list[Record]:
        """Every version of a record, oldest first."""
        self._ctx.require_open()
        self._row(record_uuid)
        rows = self._conn.execute(
            "SELECT 0, uuid, form_id, form_version, org_unit, data, status, version, created_by,"
            " created_at, updated_by, updated_at, comment, locked FROM record_versions"
            " WHERE uuid = ? UNION ALL SELECT 0, uuid, form_id, form_version, org_unit, data,"
            " status, version, created_by, created_at, updated_by, updated_at, comment, locked"
            " FROM records WHERE uuid = ? ORDER BY version",
            (record_uuid, record_uuid),
        ).fetchall()
        return [self._shown(r) for r in self._recs(rows)]


def search_path(field_id: str) -> str:
    return search.json_path(field_id)
