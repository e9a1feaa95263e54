"""The import preview: every row of a sheet validated with the member form, nothing written.

:func:`build_plan` streams the sheet once. Each row is cleaned cell by cell
(:mod:`desktop.reports.import_values`), validated with ``forms.validate`` and sorted into good rows,
rows with errors (row number, column, error code) and duplicates (same ID number earlier in the
file, or already in the workspace). Good rows are kept as compressed chunks, not as objects, so a
100,000-row sheet stays small in memory; :mod:`desktop.domain.import_commit` writes them once the
user confirmed. With a workspace, rows are validated by the store's own validator
(``ws.records.validator``), whose sealed values the commit hands to ``save_many`` so it does not
validate them a second time.
"""

from __future__ import annotations

import dataclasses
import pickle
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from desktop.reports.import_changes import parse_changes
from desktop.reports.import_read import SheetSource
from desktop.reports.import_values import (
    MASKED_FIELDS,
    CellIssue,
    cell_normaliser,
    safe_text,
    shown_id,
    typed_text,
)
from desktop.store.masking import mask
from desktop.store.validated import Validated

ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]
#: row data -> (forms validation result, the store's sealed values or None)
Validate = Callable[[dict[str, Any]], tuple[Any, Validated | None]]
CHUNK_ROWS = 1000
ID_FIELD = "id_number"


def row_values(values: dict[str, Any] | Validated) -> dict[str, Any]:
    """A good row's values as a dict (a sealed row's are parsed from its text)."""
    return values.values() if isinstance(values, Validated) else values


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (spreadsheet column names)."""
    out = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


@dataclass(frozen=True)
class CellError:
    """One problem in one row: where (row, column) and what (code + parameters, no raw data)."""

    row: int
    column: str  # the column's header as in the file, or the field's label when not in the file
    letter: str  # "C"; "" when the field has no column
    field: str
    code: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: the cell as typed ("" when blank or no column); an ID number / phone masked but for
    #: the part that is wrong
    value: str = ""


@dataclass(frozen=True)
class Duplicate:
    """A row whose ID number is already in the file (``other_row``) or the workspace."""

    row: int
    kind: str  # "file" | "workspace"
    id_masked: str
    other_row: int | None = None
    existing_uuid: str | None = None
    existing_name: str = ""


#: how a good row relates to the workspace (see :class:`Match`); "repeat" = its ID number is
#: on an earlier row of the file
ROW_CLASSES = ("new", "unchanged", "changed", "conflicting", "repeat")
#: (record uuid, row values, field ids) -> the field ids whose values differ from the stored ones
Compare = Callable[[str, dict[str, Any], list[str]], list[str]]


#: warnings of the member form that mean "this cell contradicts the ID number" -> the field
ID_CONTRADICTIONS = {
    "id_number.gender_mismatch": "gender",
    "id_number.birth_date_mismatch": "birth_date",
}
#: what to do with a row contradicting its ID number: take the ID's value, or leave the row out
CONTRADICTION_POLICIES = ("use_id", "exclude")


@dataclass(frozen=True)
class Contradiction:
    """A cell that contradicts the row's ID number (性别 / 出生日期): the typed value and the
    ID's, both as shown to a person (choice labels, ISO dates). The row's good values hold the
    ID's value; the commit writes them or leaves the row out, as the clerk chose."""

    row: int
    field: str
    column: str
    letter: str
    typed: str
    from_id: str


@dataclass(frozen=True)
class Match:
    """A good row whose ID number belongs to a member already in the workspace.

    ``kind`` is ``unchanged`` (every non-blank mapped cell equals the stored value),
    ``changed`` (``columns`` names the columns that differ) or ``conflicting`` (the stored
    member has another name: one of the two ID numbers or names is wrong, so the row is
    never written over the member)."""

    row: int
    kind: str
    existing_uuid: str
    existing_name: str
    columns: tuple[str, ...] = ()  # headers of the columns that differ, as in the file


class _Chunks:
    """A list of picklable items kept as zlib-compressed chunks of ``CHUNK_ROWS``."""

    def __init__(self) -> None:
        self._done: list[bytes] = []
        self._open: list[Any] = []
        self.count = 0

    def append(self, item: Any) -> None:
        self._open.append(item)
        self.count += 1
        if len(self._open) >= CHUNK_ROWS:
            self._seal()

    def _seal(self) -> None:
        if self._open:
            self._done.append(zlib.compress(pickle.dumps(self._open, protocol=5), 1))
            self._open = []

    def chunks(self) -> Iterator[list[Any]]:
        self._seal()
        for blob in self._done:
            yield pickle.loads(zlib.decompress(blob))

    def __iter__(self) -> Iterator[Any]:
        for chunk in self.chunks():
            yield from chunk

    def nbytes(self) -> int:
        return sum(len(b) for b in self._done)


@dataclass
class ImportPlan:
    """What an import would do. Nothing has been written while a plan exists."""

    source: SheetSource
    form: Any
    union_uuid: str
    mapping: list[str | None]
    total_rows: int = 0
    errors: dict[int, list[CellError]] = field(default_factory=dict)
    duplicates: list[Duplicate] = field(default_factory=list)
    cancelled: bool = False
    #: (row, values, id or ""); values are the store's sealed ``Validated`` when the plan was
    #: made with a workspace (see :func:`row_values`), else a dict
    good: _Chunks = field(default_factory=_Chunks)
    bad: _Chunks = field(default_factory=_Chunks)  # (row, raw cell values)
    #: ID number -> row numbers in the file, only for IDs that occur more than once
    repeated_ids: dict[str, list[int]] = field(default_factory=dict)
    #: ID number -> (uuid, name) of the member already in the workspace
    existing: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: row -> how it compares with the member of the same ID number in the workspace
    matches: dict[int, Match] = field(default_factory=dict)
    #: row -> its cells that contradict its ID number (the row is good, with the ID's values)
    contradictions: dict[int, list[Contradiction]] = field(default_factory=dict)

    @property
    def good_count(self) -> int:
        return self.good.count

    @property
    def error_count(self) -> int:
        return len(self.errors)

    def row_class(self, row: int) -> str:
        """``new`` / ``unchanged`` / ``changed`` / ``conflicting`` / ``repeat`` for a good row."""
        for rows in self.repeated_ids.values():
            if row in rows[1:]:
                return "repeat"
        match = self.matches.get(row)
        return match.kind if match is not None else "new"

    def class_counts(self) -> dict[str, int]:
        """Good rows per class (:data:`ROW_CLASSES`); they add up to :attr:`good_count`."""
        counts = dict.fromkeys(ROW_CLASSES, 0)
        repeats = {r for rows in self.repeated_ids.values() for r in rows[1:]}
        counts["repeat"] = len(repeats)
        for row, match in self.matches.items():
            if row not in repeats:
                counts[match.kind] += 1
        counts["new"] = self.good_count - sum(counts.values())
        return counts

    def duplicate_rows(self, kind: str) -> list[Duplicate]:
        return [d for d in self.duplicates if d.kind == kind]

    def columns(self) -> list[tuple[str, str | None]]:
        """(header, field id or None) per column of the file."""
        return list(zip(self.source.headers, self.mapping, strict=False))


def _estimate_rows(source: SheetSource) -> int:
    """A cheap estimate of the data rows (for progress only)."""
    try:
        if source.kind == "csv":
            with source.path.open("rb") as fh:
                lines = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
            return max(lines - source.header_row, 1)
        counter = getattr(source._opener, "row_count", None)
        if counter is not None:  # calamine knows the sheet's size
            return max(int(counter()) - source.header_row, 1)
        import re

        from desktop.reports.import_xlsx import XlsxBook

        with XlsxBook(source.path) as book, book.zf.open(book.sheets[source.sheet]) as fh:
            head = fh.read(4096).decode("utf-8", "replace")
            m = re.search(r'<(?:\w+:)?dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', head)
            if m:
                return max(int(m.group(1)) - source.header_row, 1)
            size = book.zf.getinfo(book.sheets[source.sheet]).file_size
            return max(size // 600, 1)  # no <dimension>: a rough guess from the XML size
    except Exception:  # an estimate only
        return 0


def _plain_validate(form: Any) -> Validate:
    """``forms.validate`` without a seal (a plan made without a workspace)."""
    import forms

    def validate(data: dict[str, Any]) -> tuple[Any, None]:
        return forms.validate(form, data), None

    return validate


class _RowChecker:
    """Cleans and validates one row; knows which column each field came from."""

    def __init__(
        self,
        form: Any,
        union_uuid: str,
        mapping: list[str | None],
        headers: list[str],
        validate: Validate | None = None,
    ):
        self.validate = validate or _plain_validate(form)
        self.form = form
        self.union_uuid = union_uuid
        self.headers = headers
        self.contradicted: list[Contradiction] = []  # of the last row checked
        self.columns: list[tuple[int, Any, Any]] = []
        self.column_of: dict[str, int] = {}
        self.change_fields: list[str] = []
        mapped = {f for f in mapping if f}
        self.derived = {f.id for f in form.fields if f.fill is not None and f.id not in mapped}
        for col, field_id in enumerate(mapping):
            if field_id is None:
                continue
            self.column_of[field_id] = col
            fld = form.field(field_id)
            if fld.type == "repeat":
                self.change_fields = [f.id for f in fld.fields]
            else:
                self.columns.append((col, fld, cell_normaliser(fld)))

    def where(self, field_path: str) -> tuple[str, str]:
        root = field_path.split("[", 1)[0].split(".", 1)[0]
        col = self.column_of.get(root)
        if col is not None:
            return self.headers[col] if col < len(self.headers) else "", column_letter(col)
        try:
            label = self.form.field(root).label.get("zh_CN", root)
        except KeyError:
            label = root
        return label, ""

    def error(
        self,
        row: int,
        field_path: str,
        code: str,
        params: dict[str, Any],
        values: tuple[Any, ...] = (),
    ) -> CellError:
        column, letter = self.where(field_path)
        root = field_path.split("[", 1)[0].split(".", 1)[0]
        col = self.column_of.get(root)
        typed = typed_text(values[col]) if col is not None and col < len(values) else ""
        if root in MASKED_FIELDS:
            typed = shown_id(typed, code) if typed else ""
            safe = {
                k: safe_text(v) if k == "value" and isinstance(v, str) else v
                for k, v in params.items()
            }
        else:
            safe = dict(params)
        return CellError(row, column, letter, field_path, code, safe, typed)

    def check(
        self, row: int, values: tuple[Any, ...]
    ) -> tuple[dict[str, Any] | None, list, Validated | None]:
        """(values, [], sealed values or None) for a good row, (None, problems, None) otherwise."""
        data: dict[str, Any] = {"union": self.union_uuid}
        problems: list[CellError] = []
        width = len(values)
        for col, fld, clean in self.columns:
            value = clean(values[col]) if col < width else None
            if isinstance(value, CellIssue):
                problems.append(self.error(row, fld.id, value.code, value.params, values))
            elif value is not None:
                data[fld.id] = value
        changes_col = self.column_of.get("changes")
        if changes_col is not None:
            raw = values[changes_col] if changes_col < len(values) else None
            parsed = parse_changes(raw, self.change_fields)
            if isinstance(parsed, CellIssue):
                problems.append(self.error(row, "changes", parsed.code, parsed.params, values))
                data.pop("changes", None)
            else:
                data["changes"] = parsed
        self.contradicted = []
        result, sealed = self.validate(data)
        if not problems and result.ok and result.warnings:
            result, sealed = self._take_id_values(row, data, result, sealed)
        seen = {p.field for p in problems}
        for err in result.errors:
            if err.field in seen:  # already explained by the import (e.g. precision lost)
                continue
            if problems and err.code == "required" and err.field in self.derived:
                continue  # e.g. birth date not derived because the ID number was unreadable
            problems.append(self.error(row, err.field, err.code, dict(err.params), values))
        if problems:
            return None, problems, None
        return result.values, [], sealed

    def _shown(self, field_id: str, value: Any) -> str:
        if value is None:
            return ""
        fld = self.form.field(field_id)
        for choice in getattr(fld, "choices", None) or ():
            if choice.value == value:
                return str(choice.label.get("zh_CN", value))
        return str(value)

    def _take_id_values(
        self, row: int, data: dict[str, Any], result: Any, sealed: Validated | None
    ) -> tuple[Any, Validated | None]:
        """Cells contradicting the ID number: noted, and the row validated again without them
        (the form then fills them in from the ID number)."""
        fields = [ID_CONTRADICTIONS[w.code] for w in result.warnings if w.code in ID_CONTRADICTIONS]
        if not fields:
            return result, sealed
        typed = {f: result.values.get(f) for f in fields}
        again, sealed_again = self.validate({k: v for k, v in data.items() if k not in fields})
        if not again.ok:
            return result, sealed
        for f in fields:
            column, letter = self.where(f)
            self.contradicted.append(
                Contradiction(
                    row,
                    f,
                    column,
                    letter,
                    self._shown(f, typed[f]),
                    self._shown(f, again.values.get(f)),
                )
            )
        return again, sealed_again


def build_plan(
    source: SheetSource,
    form: Any,
    mapping: list[str | None],
    union_uuid: str,
    *,
    existing: Callable[[str], tuple[str, str] | None] | dict[str, tuple[str, str]] | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    validate: Validate | None = None,
    compare: Compare | None = None,
) -> ImportPlan:
    """Validate every row of ``source``; ``existing`` finds an ID number's member in the workspace.

    ``compare`` (``ws.records.differing_fields``) tells which mapped fields of a row differ from
    the member already stored under its ID number; the row is then classed in ``plan.matches``.

    ``existing`` is a dict (ID number -> (uuid, name)) or a lookup function. When ``cancel()``
    becomes true the plan stops early with ``cancelled`` set (and can only be thrown away).
    ``validate``: the store's validator of ``form`` (``ws.records.validator``); plain
    ``forms.validate`` when None.
    """
    plan = ImportPlan(source=source, form=form, union_uuid=union_uuid, mapping=list(mapping))
    checker = _RowChecker(form, union_uuid, plan.mapping, source.headers, validate)
    total = _estimate_rows(source) if progress else 0
    first_row: dict[str, int] = {}
    lookup = existing.get if isinstance(existing, dict) else existing
    for n, (row, values) in enumerate(source.rows(), start=1):
        plan.total_rows += 1
        data, problems, sealed = checker.check(row, values)
        if problems:
            plan.errors[row] = problems
            plan.bad.append((row, tuple(values)))
        else:
            assert data is not None
            id_number = str(data.get(ID_FIELD) or "")
            if id_number:
                _note_duplicates(plan, row, id_number, first_row, data, lookup)
                hit = plan.existing.get(id_number)
                if hit is not None:
                    plan.matches[row] = _match(checker, row, hit, row_values(data), compare)
            plan.good.append((row, sealed if sealed is not None else data, id_number))
            if checker.contradicted:
                plan.contradictions[row] = checker.contradicted
        if n % 500 == 0:
            if progress:
                progress(n, max(total, n))
            if cancel and cancel():
                plan.cancelled = True
                break
    if progress:
        progress(plan.total_rows, plan.total_rows)
    return plan


def _note_duplicates(
    plan: ImportPlan,
    row: int,
    id_number: str,
    first_row: dict[str, int],
    data: dict[str, Any],
    lookup: Callable[[str], tuple[str, str] | None] | None,
) -> None:
    earlier = first_row.get(id_number)
    if earlier is not None:
        plan.duplicates.append(Duplicate(row, "file", mask(id_number), other_row=earlier))
        plan.repeated_ids.setdefault(id_number, [earlier]).append(row)
        hit = plan.existing.get(id_number)
    else:
        first_row[id_number] = row
        hit = lookup(id_number) if lookup else None
        if hit is not None:
            plan.existing[id_number] = hit
    if hit is not None:
        plan.duplicates.append(
            Duplicate(row, "workspace", mask(id_number), existing_uuid=hit[0], existing_name=hit[1])
        )


def _match(
    checker: _RowChecker,
    row: int,
    hit: tuple[str, str],
    data: dict[str, Any],
    compare: Compare | None,
) -> Match:
    """How ``data`` compares with the stored member ``hit`` (uuid, name)."""
    fields = [f for f in checker.column_of if f != "union"]
    if compare is None:
        differ = fields  # nothing to compare with: every mapped column may have changed
    else:
        differ = compare(hit[0], data, fields)
    columns = tuple(checker.where(f)[0] for f in differ)
    name = str(data.get("name") or "")
    if name and hit[1] and name != hit[1]:
        kind = "conflicting"
    else:
        kind = "changed" if differ else "unchanged"
    return Match(row, kind, hit[0], hit[1], columns)


@dataclass
class ImportOutcome:
    """What the import did: counts, the rows written, the rows the store refused."""

    created: int = 0
    updated: int = 0
    skipped: list[tuple[int, str, dict[str, Any]]] = field(
        default_factory=list
    )  # row, code, params
    failed: dict[int, list[CellError]] = field(default_factory=dict)
    written_rows: list[int] = field(default_factory=list)
    cancelled: bool = False
    not_reached: int = 0  # good rows not written because the user cancelled
    #: rows equal to the stored member: nothing written (no new version, no upload)
    unchanged: list[int] = field(default_factory=list)

    @property
    def written(self) -> int:
        return self.created + self.updated

    def counts(self) -> dict[str, int]:
        """created / updated / unchanged / skipped / refused / not_reached: they add up to the
        plan's good rows."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": len(self.unchanged),
            "skipped": len(self.skipped),
            "refused": len(self.failed),
            "not_reached": self.not_reached,
        }

    def written_ranges(self) -> list[tuple[int, int]]:
        """The written row numbers as inclusive ranges: [(2, 5001), (5003, 6000)]."""
        out: list[tuple[int, int]] = []
        for r in sorted(self.written_rows):
            if out and r == out[-1][1] + 1:
                out[-1] = (out[-1][0], r)
            else:
                out.append((r, r))
        return out
