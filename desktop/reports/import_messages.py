"""Words for the import's own error codes (file-level and cell-level), in Chinese and English.

Validation codes of the member form (``required``, ``id_number.checksum`` …) come from
``forms.message``; this catalogue only holds what the import itself detects before validating:
unreadable files, ID numbers Excel turned into floating point, unreadable dates, values that are
masked, duplicates. :func:`row_message` answers for either kind of code.
"""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, dict[str, str]] = {
    "file.not_found": {
        "zh_CN": "找不到文件“{file}”。",
        "en": "File '{file}' was not found.",
    },
    "file.not_spreadsheet": {
        "zh_CN": "“{file}”不是电子表格：请选择 .xlsx、.xls、.ods、.et 或 .csv 文件。",
        "en": "'{file}' is not a spreadsheet: choose an .xlsx, .xls, .ods, .et or .csv file.",
    },
    "file.encrypted": {
        "zh_CN": "“{file}”设置了打开密码：请在 Excel 中取消密码（文件—信息—保护工作簿）后另存，再导入。",
        "en": "'{file}' is password-protected: remove the password in Excel "
        "(File > Info > Protect Workbook), save it, then import again.",
    },
    "file.legacy_xls": {
        "zh_CN": "“{file}”是旧版 Excel 97-2003 / WPS 格式，但已损坏或无法读取："
        "请在 Excel 或 WPS 中打开后另存为 .xlsx，再导入。",
        "en": "'{file}' is an old Excel 97-2003 / WPS file that cannot be read: open it in "
        "Excel or WPS, save it as .xlsx, then import it.",
    },
    "file.damaged": {
        "zh_CN": "“{file}”已损坏或不是有效的 Excel 文件，无法读取。",
        "en": "'{file}' is damaged or not a valid Excel file and cannot be read.",
    },
    "file.encoding": {
        "zh_CN": "“{file}”的文字编码无法识别：请另存为 UTF-8 或 GB18030 编码的 CSV。",
        "en": "The text encoding of '{file}' is not recognised: save it as UTF-8 or GB18030 CSV.",
    },
    "file.empty": {
        "zh_CN": "“{file}”是空表，没有任何内容。",
        "en": "'{file}' is empty: the sheet has no content.",
    },
    "file.no_header": {
        "zh_CN": "“{file}”前 15 行中找不到表头（如“姓名”“身份证号”），请使用导入模板。",
        "en": "No header row (e.g. 姓名, 身份证号) in the first 15 rows of '{file}': "
        "use the import template.",
    },
    "file.header_only": {
        "zh_CN": "“{file}”只有表头，没有会员数据行。",
        "en": "'{file}' has a header row but no member rows.",
    },
    "file.no_such_sheet": {
        "zh_CN": "“{file}”中没有名为“{sheet}”的工作表。",
        "en": "'{file}' has no worksheet named '{sheet}'.",
    },
    "file.unmapped_required": {
        "zh_CN": "“{file}”缺少必填列：{columns}。请在列对应中指定。",
        "en": "'{file}' lacks required columns: {columns}. Map them in the column mapping.",
    },
    "file.no_union": {
        "zh_CN": "工作区中没有编号为 {union} 的工会。",
        "en": "There is no union {union} in this workspace.",
    },
    "file.too_many_errors": {
        "zh_CN": "“{file}”错误过多，已停止检查。",
        "en": "Too many errors in '{file}'; checking stopped.",
    },
    "import.id_precision_lost": {
        "zh_CN": "身份证号被 Excel 变成了数字 {value}，后几位已丢失：请把该列设置为“文本”格式后重新填写",
        "en": "the ID number became the number {value} in Excel and its last digits are "
        "lost (precision lost): format the column as text and type the numbers again",
    },
    "import.number_precision_lost": {
        "zh_CN": "“{value}”被 Excel 变成了科学计数法，数字已丢失：请把该列设置为“文本”格式",
        "en": "'{value}' was turned into scientific notation by Excel and digits are "
        "lost (precision lost): format the column as text",
    },
    "import.date_unreadable": {
        "zh_CN": "无法识别的日期“{value}”（应为 2020-01-31 这样的日期）",
        "en": "'{value}' is not a date (expected a date like 2020-01-31)",
    },
    "import.month_ambiguous": {
        "zh_CN": "“{value}”被 Excel 存成了数字，无法分辨是 {year} 年 1 月还是 10 月：请把该列设置为“文本”格式后填写（如 {year}-01）",
        "en": "'{value}' was stored as a number by Excel: January or October {year} cannot be "
        "told apart; format the column as text and type it again (e.g. {year}-01)",
    },
    "import.choice_unknown": {
        "zh_CN": "“{value}”不是可选项（可选：{choices}）",
        "en": "'{value}' is not one of the choices ({choices})",
    },
    "import.bool_unknown": {
        "zh_CN": "“{value}”应填“是”或“否”",
        "en": "'{value}' should be 是 (yes) or 否 (no)",
    },
    "import.masked_value": {
        "zh_CN": "该值已被遮蔽（含 *），不是完整号码：请使用未遮蔽的导出文件",
        "en": "the value is masked (contains *), not the full number: use an unmasked export",
    },
    "import.changes_unreadable": {
        "zh_CN": "会籍变化第 {line} 行无法识别",
        "en": "membership change line {line} cannot be read",
    },
    "import.duplicate_in_file": {
        "zh_CN": "身份证号与本文件第 {other_row} 行重复",
        "en": "same ID number as row {other_row} of this file",
    },
    "import.duplicate_in_workspace": {
        "zh_CN": "身份证号已存在于工作区（会员 {name}）",
        "en": "ID number already in the workspace (member {name})",
    },
    "import.changed_not_updated": {
        "zh_CN": "会员 {name} 已在工作区，本行的 {columns} 与之不同，未更新（选择“更新”可写入）",
        "en": "member {name} is already in the workspace; this row's {columns} differ and "
        "were not written (choose 'update' to write them)",
    },
    "import.conflicting_name": {
        "zh_CN": "身份证号属于工作区中的会员 {name}，与本行姓名“{typed}”不一致：请核对身份证号和姓名",
        "en": "the ID number belongs to member {name} in the workspace, not to '{typed}' "
        "as on this row: check the ID number and the name",
    },
    "import.contradicts_id": {
        "zh_CN": "{column}填的是“{typed}”，身份证号显示为“{from_id}”：按选择未导入此行",
        "en": "{column} is '{typed}' but the ID number says '{from_id}': row left out as chosen",
    },
    "import.contradiction": {
        "zh_CN": "{column}填的是“{typed}”，与身份证号（“{from_id}”）不一致",
        "en": "{column} is '{typed}' but the ID number says '{from_id}'",
    },
    "import.unchanged": {
        "zh_CN": "与工作区中的会员 {name} 完全相同，无需导入",
        "en": "identical to member {name} in the workspace; nothing to import",
    },
    "import.save_failed": {
        "zh_CN": "保存失败：{detail}",
        "en": "saving failed: {detail}",
    },
    "ledger.missing_column": {
        "zh_CN": "“{file}”中找不到“{column}”列：请确认这是序时账或明细账导出文件（需有日期、凭证字号、摘要、借方金额、贷方金额）。",
        "en": "'{file}' has no '{column}' column: export the journal with date, voucher number, "
        "summary, debit and credit.",
    },
    "ledger.no_lines": {
        "zh_CN": "“{file}”中没有{period}年度的记账行。",
        "en": "'{file}' has no journal lines for {period}.",
    },
}


def _fill(template: str, params: dict[str, Any]) -> str:
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def file_message(code: str, lang: str = "zh_CN", **params: Any) -> str:
    """The words for one of this module's codes; the code itself when unknown."""
    entry = MESSAGES.get(code)
    if entry is None:
        return code
    return _fill(entry.get(lang) or entry["en"], params)


def row_message(code: str, lang: str = "zh_CN", **params: Any) -> str:
    """Words for a cell error: the import's own codes first, then the forms catalogue."""
    if code in MESSAGES:
        return file_message(code, lang, **params)
    try:
        import forms

        text = forms.message(code, lang=lang, **params)
    except Exception:  # forms not importable or code unknown to it: show the code
        text = None
    return text or code
