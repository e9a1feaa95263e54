"""The blank member import template (.xlsx): the form's columns with their Chinese headers.

Required columns have red headers; ID-number and phone columns are formatted as text so Excel
keeps every digit; choice and yes/no columns get drop-down lists; date columns a date format;
a second sheet (填写说明) explains each column. The columns are :func:`form_columns`, the same
the export writes and the import reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.reports.excel_export import TEXT_TYPES, _letter, form_columns


def write_template(path: Path | str, form: Any, lang: str = "zh_CN") -> Path:
    """The blank import template: headers (required ones in red), text-formatted code columns,
    drop-down lists for choices, and an instructions sheet listing each column's rules."""
    import openpyxl
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    path = Path(path)
    columns = form_columns(form, lang)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "会员" if lang == "zh_CN" else "Members"
    fill = PatternFill("solid", fgColor="DDEBF7")
    lists = wb.create_sheet("选项" if lang == "zh_CN" else "Choices")
    lists.sheet_state = "hidden"
    for i, col in enumerate(columns):
        letter = _letter(i)
        cell = ws.cell(row=1, column=i + 1, value=col.header)
        cell.font = Font(bold=True, color="C00000" if col.required else "000000")
        cell.fill = fill
        ws.column_dimensions[letter].width = max(10, min(40, len(col.header) * 2 + 4))
        if col.type in TEXT_TYPES:
            for r in range(2, 1002):
                ws.cell(row=r, column=i + 1).number_format = "@"
        fld = form.field(col.field_id)
        labels: list[str] = []
        if fld.type == "choice":
            labels = [c.label.get(lang) or c.value for c in fld.choices]
        elif fld.type == "boolean":
            labels = ["是", "否"] if lang == "zh_CN" else ["yes", "no"]
        if labels:
            for r, text in enumerate(labels, start=1):
                lists.cell(row=r, column=i + 1, value=text)
            dv = DataValidation(
                type="list",
                formula1=f"='{lists.title}'!${letter}$1:${letter}${len(labels)}",
                allow_blank=True,
            )
            dv.add(f"{letter}2:{letter}5000")
            ws.add_data_validation(dv)
        elif fld.type == "date":
            for r in range(2, 1002):
                ws.cell(row=r, column=i + 1).number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("填写说明" if lang == "zh_CN" else "Instructions")
    notes.append(
        [
            "列" if lang == "zh_CN" else "Column",
            "必填" if lang == "zh_CN" else "Required",
            "说明" if lang == "zh_CN" else "Notes",
        ]
    )
    for col in columns:
        fld = form.field(col.field_id)
        hint = fld.help.get(lang, "") if fld.help else ""
        if fld.type == "choice":
            hint = ("可选：" if lang == "zh_CN" else "One of: ") + "、".join(
                c.label.get(lang) or c.value for c in fld.choices
            )
        elif fld.type == "date":
            hint = "日期，如 2024-01-05" if lang == "zh_CN" else "A date, e.g. 2024-01-05"
        elif fld.type == "repeat":
            hint = ("每行一条：" if lang == "zh_CN" else "One per line: ") + " | ".join(
                f.label.get(lang, f.id) for f in fld.fields
            )
        notes.append(
            [
                col.header,
                ("是" if col.required else "")
                if lang == "zh_CN"
                else ("yes" if col.required else ""),
                hint,
            ]
        )
    notes.column_dimensions["A"].width = 20
    notes.column_dimensions["C"].width = 80
    wb.save(path)
    return path
