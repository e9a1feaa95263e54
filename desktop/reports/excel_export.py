"""Export of members and unions to .xlsx / .csv (the blank template: :mod:`import_template`).

The columns are the form's fields with their Chinese labels, in form order: the same columns the
import reads, so a file exported here imports back to exactly the same data. Choice values are
written as their labels, yes/no as 是/否, dates as real date cells, ID numbers and phones as text
cells (Excel must not turn them into ``1.1E+17``). Sensitive columns are masked unless the user's
role may unmask and asked for full values — the store audits every record so revealed.
"""

from __future__ import annotations

import csv
import datetime as _dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.reports.import_changes import format_changes

if TYPE_CHECKING:
    from desktop.store import Workspace

ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]
TEXT_TYPES = {"resident_id", "id_document", "mobile", "uscc", "division_code", "text", "multiline"}
UNION_COLUMN = {"zh_CN": "所属工会", "en": "Union"}
EXPORT_FORMS = ("member", "union")
PAGE = 2000


class ExportError(Exception):
    """The export cannot be written (unknown format, no permission, file in use)."""


@dataclass(frozen=True)
class Column:
    """One sheet column: the field it holds and its header."""

    field_id: str
    header: str
    type: str
    required: bool = False
    sensitive: bool = False


def form_columns(form: Any, lang: str = "zh_CN") -> list[Column]:
    """The import/export columns of a form: every field except the member's union reference."""
    out: list[Column] = []
    for fld in form.fields:
        if form.id == "member" and fld.id == "union":
            continue
        header = fld.label.get(lang) or fld.label.get("zh_CN") or fld.id
        out.append(Column(fld.id, header, fld.type, bool(fld.required), bool(fld.sensitive)))
    return out


def _label(fld: Any, value: Any, lang: str) -> Any:
    if value is None:
        return None
    if fld.type == "choice":
        return fld.choice_label(value, lang)
    if fld.type == "multi_choice" and isinstance(value, list):
        return "、".join(fld.choice_label(v, lang) for v in value)
    if fld.type == "boolean":
        return ("是" if value else "否") if lang == "zh_CN" else ("yes" if value else "no")
    if fld.type == "money" and isinstance(value, int):
        return f"{value // 100}.{value % 100:02d}" if value >= 0 else f"-{-value / 100:.2f}"
    return value


def cell_value(form: Any, column: Column, value: Any, *, for_csv: bool, lang: str) -> Any:
    """What goes into the cell for a stored value."""
    fld = form.field(column.field_id)
    if fld.type == "repeat":
        sub = [f.id for f in fld.fields]

        def label(fid: str, v: Any) -> str:
            return str(_label(fld.field(fid), v, lang))

        return format_changes(value, sub, label) if value else None
    out = _label(fld, value, lang)
    if fld.type == "date" and isinstance(out, str) and not for_csv:
        try:
            return _dt.date.fromisoformat(out)
        except ValueError:
            return out
    return out


class _Sink:
    """Rows into an .xlsx (write-only, streaming) or a .csv (UTF-8 with BOM, for Excel)."""

    def __init__(self, path: Path, kind: str, columns: list[Column], sheet_title: str) -> None:
        self.path = path
        self.kind = kind
        self.columns = columns
        if self.kind == "csv":
            self._fh = path.open("w", encoding="utf-8-sig", newline="")
            self._csv = csv.writer(self._fh)
        else:
            import openpyxl

            self._wb = openpyxl.Workbook(write_only=True)
            self._ws = self._wb.create_sheet(sheet_title)
            self._text = [c.type in TEXT_TYPES for c in columns] + [True]

    def header(self, headers: list[str]) -> None:
        if self.kind == "csv":
            self._csv.writerow(headers)
            return
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font, PatternFill

        bold = Font(bold=True)
        fill = PatternFill("solid", fgColor="DDEBF7")
        cells = []
        for text in headers:
            cell = WriteOnlyCell(self._ws, value=text)
            cell.font, cell.fill = bold, fill
            cells.append(cell)
        for i, col in enumerate(headers):
            letter = _letter(i)
            self._ws.column_dimensions[letter].width = max(10, min(40, len(col) * 2 + 4))
        self._ws.freeze_panes = "A2"
        self._ws.append(cells)

    def row(self, values: list[Any]) -> None:
        if self.kind == "csv":
            self._csv.writerow(["" if v is None else _csv_text(v) for v in values])
            return
        from openpyxl.cell import WriteOnlyCell

        cells = []
        for i, v in enumerate(values):
            if i < len(self._text) and self._text[i] and v is not None:
                cell = WriteOnlyCell(self._ws, value=str(v))
                cell.number_format = "@"
            else:
                cell = WriteOnlyCell(self._ws, value=v)
                if isinstance(v, _dt.date):
                    cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        self._ws.append(cells)

    def close(self) -> None:
        if self.kind == "csv":
            self._fh.close()
        else:
            self._wb.save(self.path)


def _csv_text(v: Any) -> str:
    if isinstance(v, _dt.date):
        return v.isoformat()
    return str(v)


def _letter(i: int) -> str:
    from desktop.reports.import_plan import column_letter

    return column_letter(i)


@dataclass
class ExportResult:
    path: Path
    rows: int
    masked: bool
    cancelled: bool = False


def iter_records(
    ws: Workspace, form_id: str, filters: dict[str, Any] | None, *, unmask: bool = False
) -> Iterator[Any]:
    """The records page by page (unmasked pages are audited by the store, one entry a record)."""
    offset = 0
    while True:
        page = ws.records.query(
            form_id,
            filters=filters,
            order_by="created_at",
            limit=PAGE,
            offset=offset,
            unmask=unmask,
        )
        yield from page
        if len(page) < PAGE:
            return
        offset += PAGE


def export_records(
    ws: Workspace,
    form_id: str,
    path: Path | str,
    *,
    union_uuid: str | None = None,
    unmask: bool = False,
    lang: str = "zh_CN",
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> ExportResult:
    """Write every ``member`` (of one union, if given) or ``union`` record to ``path``."""
    if form_id not in EXPORT_FORMS:
        raise ExportError(f"Only members and unions can be exported, not '{form_id}'.")
    path = Path(path)
    kind = path.suffix.lower().lstrip(".")
    if kind not in ("xlsx", "csv"):
        raise ExportError(f"Choose a file name ending in .xlsx or .csv, not '{path.name}'.")
    form = ws.forms.latest(form_id)
    columns = form_columns(form, lang)
    reveal = unmask and ws.user.can("unmask")
    sensitive = [c.field_id for c in columns if c.sensitive]
    union_names = _union_names(ws) if form_id == "member" else {}
    headers = [c.header for c in columns]
    if form_id == "member":
        headers.append(UNION_COLUMN.get(lang, UNION_COLUMN["zh_CN"]))
    member_filter = {"union": union_uuid} if union_uuid and form_id == "member" else None
    total = ws.records.count(form_id, filters=member_filter)
    tmp = path.with_name(path.name + ".part")  # the named file appears only when complete
    sink = _Sink(tmp, kind, columns, form.title.get(lang, form_id)[:31])
    written, cancelled = 0, False
    try:
        sink.header(headers)
        for record in iter_records(ws, form_id, member_filter, unmask=reveal):
            data = record.data
            row = [
                cell_value(form, c, data.get(c.field_id), for_csv=sink.kind == "csv", lang=lang)
                for c in columns
            ]
            if form_id == "member":
                row.append(union_names.get(str(data.get("union")), ""))
            sink.row(row)
            written += 1
            if written % 500 == 0:
                if progress:
                    progress(written, max(total, written))
                if cancel and cancel():
                    cancelled = True
                    break
        sink.close()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if cancelled:
        tmp.unlink(missing_ok=True)
        return ExportResult(path, written, not reveal, cancelled=True)
    tmp.replace(path)
    if progress:
        progress(written, written)
    return ExportResult(path, written, masked=bool(sensitive) and not reveal)


def _union_names(ws: Workspace) -> dict[str, str]:
    return {r.uuid: str(r.data.get("full_name", "")) for r in iter_records(ws, "union", None)}
