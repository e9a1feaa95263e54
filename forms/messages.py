"""The one catalogue of error words: code -> zh_CN and en message with ``{param}`` slots.

Codes come from field types, ID helpers, the validator and the upgrade report; definitions
carry messages for their own constraint codes, which are added here when a form loads.
"""

from __future__ import annotations

import re
from typing import Any

LANGUAGES = ("zh_CN", "en")

CATALOGUE: dict[str, dict[str, str]] = {
    "required": {"zh_CN": "必填项，不能为空", "en": "This field is required"},
    "constraint": {"zh_CN": "不符合填写规则", "en": "The value breaks a rule of this form"},
    "record.format": {"zh_CN": "记录格式不正确", "en": "The record is not a set of fields"},
    "field.unknown": {"zh_CN": "表单中没有此项，已忽略", "en": "Not a field of this form; ignored"},
    "text.format": {"zh_CN": "应为文字", "en": "Expected text"},
    "text.too_long": {
        "zh_CN": "最多 {max} 个字（现有 {length} 个）",
        "en": "At most {max} characters (now {length})",
    },
    "text.too_short": {
        "zh_CN": "至少 {min} 个字（现有 {length} 个）",
        "en": "At least {min} characters (now {length})",
    },
    "text.pattern": {"zh_CN": "格式不正确", "en": "Wrong format"},
    "integer.format": {"zh_CN": "应为整数", "en": "Expected a whole number"},
    "decimal.format": {"zh_CN": "应为数字", "en": "Expected a number"},
    "decimal.places": {
        "zh_CN": "最多 {places} 位小数",
        "en": "At most {places} decimal places",
    },
    "number.too_small": {"zh_CN": "不能小于 {min}", "en": "Must be at least {min}"},
    "number.too_large": {"zh_CN": "不能大于 {max}", "en": "Must be at most {max}"},
    "money.format": {"zh_CN": "金额格式不正确（单位：元）", "en": "Not an amount in yuan"},
    "money.places": {"zh_CN": "金额最多精确到分", "en": "An amount has at most 2 decimals (fen)"},
    "money.negative": {"zh_CN": "金额不能为负数", "en": "An amount cannot be negative"},
    "date.format": {
        "zh_CN": "日期格式不正确（如 2024-01-05）",
        "en": "Not a date (e.g. 2024-01-05)",
    },
    "date.invalid": {"zh_CN": "日期不存在", "en": "No such date"},
    "date.day_required": {
        "zh_CN": "只填了年月，此项需要完整日期（如 2024-01-05）",
        "en": "Only a year and month: this needs a full date (e.g. 2024-01-05)",
    },
    "date.too_early": {"zh_CN": "日期不能早于 {min}", "en": "The date cannot be before {min}"},
    "date.too_late": {"zh_CN": "日期不能晚于 {max}", "en": "The date cannot be after {max}"},
    "date.future": {"zh_CN": "日期不能晚于今天", "en": "The date cannot be in the future"},
    "datetime.format": {
        "zh_CN": "时间格式不正确（如 2024-01-05 09:30）",
        "en": "Not a date and time (e.g. 2024-01-05 09:30)",
    },
    "datetime.invalid": {"zh_CN": "时间不存在", "en": "No such date or time"},
    "year.format": {"zh_CN": "应为年份（如 2024）", "en": "Expected a year (e.g. 2024)"},
    "year.range": {"zh_CN": "年份应在 {min} 至 {max} 之间", "en": "The year must be {min}–{max}"},
    "boolean.format": {"zh_CN": "应填“是”或“否”", "en": "Expected yes or no"},
    "choice.unknown": {
        "zh_CN": "“{value}”不是可选项",
        "en": "“{value}” is not one of the options",
    },
    "multi_choice.format": {"zh_CN": "多选项格式不正确", "en": "Expected a list of options"},
    "multi_choice.unknown": {
        "zh_CN": "“{value}”不是可选项",
        "en": "“{value}” is not one of the options",
    },
    "id_number.length": {
        "zh_CN": "身份证号码应为 18 位（现有 {length} 位）",
        "en": "A resident ID number has 18 characters (this one has {length})",
    },
    "id_number.format": {
        "zh_CN": "身份证号码应为 17 位数字加 1 位数字或 X",
        "en": "A resident ID number is 17 digits and a digit or X",
    },
    "id_number.region": {
        "zh_CN": "身份证号码的地区码 {region} 不存在",
        "en": "The region code {region} of the ID number does not exist",
    },
    "id_number.birth_date": {
        "zh_CN": "身份证号码中的出生日期 {date} 不是有效日期",
        "en": "The birth date {date} in the ID number is not a real date",
    },
    "id_number.birth_date_future": {
        "zh_CN": "身份证号码中的出生日期 {date} 晚于今天",
        "en": "The birth date {date} in the ID number is in the future",
    },
    "id_number.checksum": {
        "zh_CN": "身份证号码校验位不正确，请核对每一位",
        "en": "The ID number's check character is wrong; check every digit",
    },
    "id_number.document_format": {
        "zh_CN": "证件号码应为 5 至 30 位字母或数字",
        "en": "A document number is 5 to 30 letters or digits",
    },
    "id_number.birth_date_mismatch": {
        "zh_CN": "出生日期与身份证号码不一致",
        "en": "The birth date disagrees with the ID number",
    },
    "id_number.gender_mismatch": {
        "zh_CN": "性别与身份证号码不一致",
        "en": "The gender disagrees with the ID number",
    },
    "uscc.length": {
        "zh_CN": "统一社会信用代码应为 18 位（现有 {length} 位）",
        "en": "A unified social credit code has 18 characters (this one has {length})",
    },
    "uscc.format": {
        "zh_CN": "统一社会信用代码含有不允许的字符（不用 I、O、S、V、Z）",
        "en": "The credit code has characters that are not allowed (no I, O, S, V, Z)",
    },
    "uscc.checksum": {
        "zh_CN": "统一社会信用代码校验位不正确，请核对每一位",
        "en": "The credit code's check character is wrong; check every character",
    },
    "mobile.format": {
        "zh_CN": "手机号码应为 11 位，以 13–19 开头",
        "en": "A mobile number has 11 digits and starts with 13–19",
    },
    "division_code.format": {
        "zh_CN": "行政区划代码应为 6、9 或 12 位数字",
        "en": "A division code has 6, 9 or 12 digits",
    },
    "division_code.region": {
        "zh_CN": "行政区划代码的省级代码 {region} 不存在",
        "en": "The province code {region} does not exist",
    },
    "reference.format": {"zh_CN": "关联记录标识不正确", "en": "Not a valid record reference"},
    "repeat.format": {"zh_CN": "应为若干行", "en": "Expected a list of rows"},
    "repeat.row_format": {"zh_CN": "此行格式不正确", "en": "This row is not a set of fields"},
    "repeat.too_few": {"zh_CN": "至少需要 {min} 行", "en": "At least {min} rows are needed"},
    "repeat.too_many": {"zh_CN": "最多 {max} 行", "en": "At most {max} rows"},
    "upgrade.unmapped_field": {
        "zh_CN": "旧版本的“{field}”在新版本中没有对应项，未转入",
        "en": "“{field}” of the old version has no place in the new one and was not carried over",
    },
    "upgrade.unmapped_value": {
        "zh_CN": "“{field}”的值“{value}”在新版本中不是可选项",
        "en": "“{value}” of “{field}” is not an option in the new version",
    },
}

_DEFINED: dict[str, dict[str, str]] = {}


def register(messages: dict[str, dict[str, str]]) -> None:
    """Add the messages a loaded definition carries for its own constraint codes."""
    _DEFINED.update(messages)


_SLOT = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def message(code: str, lang: str = "zh_CN", **params: Any) -> str:
    """The sentence for an error code in ``lang`` (zh_CN default, en), params filled in."""
    entry = CATALOGUE.get(code) or _DEFINED.get(code)
    if entry is None:
        return code if not params else f"{code} {params}"
    text = entry.get(lang) or entry.get("zh_CN") or code
    # plain {name} slots only (no format-spec mini language: definitions are data)
    return _SLOT.sub(lambda m: str(params[m[1]]) if m[1] in params else m[0], text)
