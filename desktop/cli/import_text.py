"""The words of ``uniondesk import members`` in the language of ``--lang`` (zh_CN or en)."""

from __future__ import annotations

from typing import Any

TEXT: dict[str, dict[str, str]] = {
    "columns": {"zh_CN": "列对应：{columns}", "en": "columns: {columns}"},
    "map_syntax": {
        "zh_CN": "--map 的写法是 列名=字段，而不是“{pair}”",
        "en": "--map takes HEADER=FIELD, not '{pair}'",
    },
    "map_no_column": {
        "zh_CN": "--map：表中没有“{header}”列",
        "en": "--map: the sheet has no column '{header}'",
    },
    "map_no_field": {
        "zh_CN": "--map：会员表单没有字段“{field}”",
        "en": "--map: the member form has no field '{field}'",
    },
    "ignored": {"zh_CN": "（不导入）", "en": "(ignored)"},
    "checked": {
        "zh_CN": "共 {total} 行：{good} 行可导入，{errors} 行有错误",
        "en": "{total} rows: {good} good, {errors} with errors",
    },
    "classes": {
        "zh_CN": "可导入的 {good} 行中：新会员 {new}，与工作区相同 {unchanged}，有改动 {changed}，"
        "姓名冲突 {conflicting}，文件内重复 {repeat}",
        "en": "of the {good} good rows: {new} new, {unchanged} unchanged, {changed} changed, "
        "{conflicting} conflicting, {repeat} repeated in the file",
    },
    "contradictions": {
        "zh_CN": "{count} 行的性别或出生日期与身份证号不一致（默认按身份证号导入；"
        "--on-contradiction exclude 则不导入这些行）：",
        "en": "{count} rows have a gender or birth date contradicting the ID number (imported "
        "with the ID's values; --on-contradiction exclude leaves them out):",
    },
    "row": {"zh_CN": "  第 {row} 行：{text}", "en": "  row {row}: {text}"},
    "changed_row": {
        "zh_CN": "  第 {row} 行 有改动：{columns}",
        "en": "  row {row} changed: {columns}",
    },
    "more_errors": {
        "zh_CN": "  …… 另有 {count} 行有错误（见错误报告）",
        "en": "  … and {count} more rows with errors (see the report)",
    },
    "cancelled": {
        "zh_CN": "已取消：第 {ranges} 行已导入，{count} 行未导入",
        "en": "cancelled: rows {ranges} imported, {count} not",
    },
    "imported": {
        "zh_CN": "导入结果：新增 {created}，更新 {updated}，相同未写入 {unchanged}，跳过 {skipped}，"
        "被拒绝 {refused}",
        "en": "imported: {created} new, {updated} updated, {unchanged} unchanged, "
        "{skipped} skipped, {refused} refused",
    },
    "report": {"zh_CN": "错误报告：{path}", "en": "error report: {path}"},
    "progress_check": {"zh_CN": "正在检查", "en": "checking"},
    "progress_import": {"zh_CN": "正在导入", "en": "importing"},
    "stopping": {
        "zh_CN": "写完当前这一批后停止……",
        "en": "stopping after the current chunk…",
    },
}


def say(key: str, lang: str, **params: Any) -> str:
    """The text of ``key`` in ``lang`` (English when the language is unknown)."""
    entry = TEXT[key]
    return (entry.get(lang) or entry["en"]).format(**params)
