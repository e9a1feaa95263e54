"""The statistics tables (forms.stats.Report) as an .xlsx workbook: one sheet per table, a title
with the reporting unit, as-of date, period and definition version, two-level merged headers
(column group over column), rows indented by org level with subtotals and the total in bold,
frozen panes under the headers, number formats (counts, percentages, yuan), the rules used under
the table, and an A4 landscape fit-to-width page setup.

Pure openpyxl over the plain Report: no workspace, no Qt and no desktop import, so the desktop
and the county / provincial server (``uniondesk-server report stats``) use this one writer.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from forms import stats

_FORMATS = {"int": "#,##0", "percent": "0.0%", "fen": "#,##0.00"}
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_ROWS = 4  # title, subtitle, group header, column header


def _cell_value(col: stats.Column, value: stats.Value) -> float | int | None:
    if value is None:
        return None
    if col.format == "fen":
        return int(value) / 100
    if col.kind == "ratio":
        return float(value)
    return int(value)


def _sheet(wb: Workbook, report: stats.Report, table: stats.Table, lang: str) -> None:
    d = table.definition
    ws = wb.create_sheet(d.title[lang][:31])
    last = len(d.columns) + 1
    ws.cell(1, 1, f"{report.unit.name} {d.title[lang]}").font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    sub = (
        f"截至 {report.as_of}　统计期间 {report.period} 年　报表定义 v{report.definition.version}"
        if lang == "zh_CN"
        else f"As of {report.as_of}   period {report.period}   "
        f"definition v{report.definition.version}"
    )
    ws.cell(2, 1, sub)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
    unit_head = ws.cell(3, 1, "单位" if lang == "zh_CN" else "Unit")
    ws.merge_cells(start_row=3, start_column=1, end_row=4, end_column=1)
    unit_head.alignment = Alignment(horizontal="center", vertical="center")
    start = 0
    for i, col in enumerate(d.columns):
        c = ws.cell(4, i + 2, col.label[lang])
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        c.font = Font(bold=True)
        ends = i + 1 == len(d.columns) or d.columns[i + 1].group != col.group
        if ends:
            g = ws.cell(3, start + 2, report.definition.groups.get(col.group, {}).get(lang, ""))
            g.alignment = Alignment(horizontal="center")
            g.font = Font(bold=True)
            if i > start:
                ws.merge_cells(start_row=3, start_column=start + 2, end_row=3, end_column=i + 2)
            start = i + 1
    for r in range(3, 5):
        for c in range(1, last + 1):
            ws.cell(r, c).border = _BOX
    for n, row in enumerate(table.rows, start=HEADER_ROWS + 1):
        label = row.name
        if row.kind == "subtotal":
            label += " 小计" if lang == "zh_CN" else " subtotal"
        elif row.kind == "total":
            label += " 合计" if lang == "zh_CN" else " total"
        first = ws.cell(n, 1, label)
        first.alignment = Alignment(indent=max(row.level - 1, 0) * 2 if row.level else 0)
        bold = row.kind != "unit"
        first.font = Font(bold=bold)
        first.border = _BOX
        for i, col in enumerate(d.columns):
            c = ws.cell(n, i + 2, _cell_value(col, row.values[col.id]))
            c.number_format = _FORMATS.get(col.format, "General")
            c.font = Font(bold=bold)
            c.border = _BOX
    note = HEADER_ROWS + len(table.rows) + 2
    ws.cell(note, 1, report.definition.rules_text[lang]).alignment = Alignment(wrap_text=True)
    ws.merge_cells(start_row=note, start_column=1, end_row=note, end_column=last)
    ws.row_dimensions[note].height = 45
    ws.column_dimensions["A"].width = 24
    for i in range(len(d.columns)):
        ws.column_dimensions[get_column_letter(i + 2)].width = 11
    ws.freeze_panes = ws.cell(HEADER_ROWS + 1, 2)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"3:{HEADER_ROWS}"


def write_stats_xlsx(
    report: stats.Report,
    dest: str | Path,
    *,
    tables: tuple[str, ...] | None = None,
    lang: str = "zh_CN",
) -> Path:
    """Write ``report`` (only the ``tables`` ids given, all by default) to ``dest``."""
    wb = Workbook()
    wb.remove(wb.active)
    for table in report.tables:
        if tables is None or table.definition.id in tables:
            _sheet(wb, report, table, lang)
    if not wb.sheetnames:
        raise ValueError(f"tables: none of {tables!r} is in the report")
    out = Path(dest)
    wb.save(out)
    return out
