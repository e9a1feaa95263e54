"""The error report of an import (.xlsx): the rejected rows as they were, and what is wrong.

Sheet 1 (导入错误) repeats each rejected row with its original cells, its row number in the
source file and one line per problem (column + words), so the clerk can fix the rows there and
import the report itself again (the extra columns are ignored by the import). Sheet 2 (错误明细)
lists one problem per line (row, column letter, column, error code, words); sheet 3 (未导入) lists
duplicates that were skipped and rows the store refused or never reached. The file holds personal
data, so it is only written where the user chose to save it.
"""

from __future__ import annotations

from pathlib import Path

from desktop.reports.import_messages import row_message
from desktop.reports.import_plan import CellError, ImportOutcome, ImportPlan

HEADINGS = {
    "zh_CN": {
        "errors": "导入错误",
        "details": "错误明细",
        "skipped": "未导入",
        "row": "原行号",
        "problems": "错误说明",
        "letter": "列号",
        "column": "列名",
        "code": "错误代码",
        "message": "说明",
        "value": "表中内容",
        "reason": "原因",
        "not_reached": "已取消：第 {first} 行起的 {count} 行未导入",
    },
    "en": {
        "errors": "Import errors",
        "details": "Error details",
        "skipped": "Not imported",
        "row": "Source row",
        "problems": "Problems",
        "letter": "Col",
        "column": "Column",
        "code": "Error code",
        "message": "Message",
        "value": "Cell as typed",
        "reason": "Reason",
        "not_reached": "Cancelled: {count} rows from row {first} on were not imported",
    },
}
REPORT_ROW_HEADER = ("原行号", "错误说明", "Source row", "Problems")


def describe(err: CellError, lang: str = "zh_CN") -> str:
    """``身份证号（C列）：身份证号码校验位不正确`` — the column and the words."""
    words = row_message(err.code, lang, **err.params)
    if err.column and err.letter:
        where = (
            f"{err.column}（{err.letter}列）" if lang == "zh_CN" else f"{err.column} ({err.letter})"
        )
    else:
        where = err.column or ("整行" if lang == "zh_CN" else "row")
    value = getattr(err, "value", "")
    if value and value not in words:
        words += f"（表中为“{value}”）" if lang == "zh_CN" else f" (cell: '{value}')"
    return f"{where}：{words}" if lang == "zh_CN" else f"{where}: {words}"


def write_error_report(
    plan: ImportPlan, path: Path | str, outcome: ImportOutcome | None = None, lang: str = "zh_CN"
) -> Path:
    """Write the report of ``plan`` (and of the import ``outcome`` when it ran) to ``path``."""
    import openpyxl

    h = HEADINGS.get(lang, HEADINGS["zh_CN"])
    path = Path(path)
    wb = openpyxl.Workbook(write_only=True)
    errors_ws = wb.create_sheet(h["errors"])
    headers = list(plan.source.headers)
    errors_ws.append([h["row"], h["problems"], *headers])
    all_errors: dict[int, list[CellError]] = dict(plan.errors)
    for row, raw in plan.bad:
        lines = "\n".join(describe(e, lang) for e in plan.errors.get(row, []))
        errors_ws.append([row, lines, *[_plain(v) for v in raw]])
    details = wb.create_sheet(h["details"])
    details.append([h["row"], h["letter"], h["column"], h["code"], h["message"], h["value"]])
    if outcome is not None:
        all_errors.update(outcome.failed)
    for row in sorted(all_errors):
        for e in all_errors[row]:
            words = row_message(e.code, lang, **e.params)
            details.append([row, e.letter, e.column, e.code, words, getattr(e, "value", "")])
    skipped = wb.create_sheet(h["skipped"])
    skipped.append([h["row"], h["reason"]])
    if outcome is not None:
        for row, code, params in sorted(outcome.skipped, key=lambda x: x[0]):
            skipped.append([row, row_message(code, lang, **params)])
        for row in sorted(outcome.failed):
            skipped.append([row, "\n".join(describe(e, lang) for e in outcome.failed[row])])
        if outcome.cancelled and outcome.not_reached:
            written = set(outcome.written_rows) | {r for r, _, _ in outcome.skipped}
            written |= set(outcome.failed)
            first = min((r for r, _, _ in plan.good if r not in written), default=0)
            skipped.append([first, h["not_reached"].format(first=first, count=outcome.not_reached)])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _plain(value: object) -> object:
    """Cells copied as they were; a float that was an ID number keeps Excel's digits."""
    return value
