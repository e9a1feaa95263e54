"""The one table of field types: which parser reads a raw value, how the value is stored
(dumped to JSON), how a ``calculate``/``fill`` result is coerced, and which widget kind shows it.

The parsers live in ``forms.parsers``. Money: a str / float / Decimal is yuan as typed; an int is
already fen (the stored form), so validating stored values again changes nothing.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from forms.parsers import (
    _boolean,
    _choice,
    _date,
    _datetime,
    _decimal,
    _division,
    _id_document,
    _integer,
    _mobile,
    _money,
    _multi,
    _reference,
    _repeat,
    _resident_id,
    _show,
    _text,
    _uscc,
    _year,
    check_other_document,
    to_ascii,
)

__all__ = ["INVALID_CODE", "TODAY_AWARE", "TYPES", "FieldType", "check_other_document", "to_ascii"]


def _same(v: Any) -> Any:
    return v


def _iso(v: Any) -> Any:
    return v.isoformat()


def _dump_decimal(v: Decimal) -> int | float:
    return int(v) if v == v.to_integral_value() else float(v)


def _compute_number(v: Any) -> Any:
    if isinstance(v, bool) or not isinstance(v, int | Decimal):
        return None
    return v


def _compute_int(v: Any) -> int | None:
    if isinstance(v, bool) or not isinstance(v, int | Decimal):
        return None
    return int(Decimal(v).quantize(Decimal(1), rounding="ROUND_HALF_UP"))


def _compute_date(v: Any) -> _dt.date | None:
    from forms.expr import as_date

    return as_date(v)


def _compute_bool(v: Any) -> bool | None:
    from forms.expr import truth

    return truth(v)


def _compute_str(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, _dt.date):
        return v.isoformat()
    return str(_show(v)) if not isinstance(v, str) else v


@dataclass(frozen=True, slots=True)
class FieldType:
    """One row of the type table."""

    name: str
    parse: Callable[..., Any]
    dump: Callable[[Any], Any]
    compute: Callable[[Any], Any]
    storage: str  # JSON shape of the stored value: "string", "integer", "number", "boolean", ...
    widget: str  # the widget kind desktop/ui builds for it
    note: str


TYPES: dict[str, FieldType] = {
    t.name: t
    for t in (
        FieldType(
            "text", _text, _same, _compute_str, "string", "line_edit", "one line, spaces collapsed"
        ),
        FieldType("multiline", _text, _same, _compute_str, "string", "text_edit", "several lines"),
        FieldType(
            "integer",
            _integer,
            _same,
            _compute_int,
            "integer",
            "spin_box",
            "'1,234', '12人', 12.0 ok",
        ),
        FieldType(
            "decimal",
            _decimal,
            _dump_decimal,
            _compute_number,
            "number",
            "decimal_edit",
            "places= limits decimals",
        ),
        FieldType(
            "money",
            _money,
            _same,
            _compute_int,
            "integer (fen)",
            "money_edit",
            "yuan typed, fen stored; shown as yuan with 2 decimals",
        ),
        FieldType(
            "date",
            _date,
            _iso,
            _compute_date,
            "string YYYY-MM-DD",
            "date_edit",
            "2024-01-05, 2024/1/5, 2024年1月5日, 20240105",
        ),
        FieldType(
            "datetime",
            _datetime,
            _iso,
            _same,
            "string YYYY-MM-DDTHH:MM:SS",
            "datetime_edit",
            "local time, no zone",
        ),
        FieldType(
            "year", _year, _same, _compute_int, "integer", "year_edit", "1900..2100, '2024年' ok"
        ),
        FieldType(
            "boolean",
            _boolean,
            _same,
            _compute_bool,
            "boolean",
            "check_box",
            "是/否, true/false, 1/0, yes/no, √/×",
        ),
        FieldType(
            "choice",
            _choice,
            _same,
            _compute_str,
            "string (choice value)",
            "combo_box",
            "value or label in either language",
        ),
        FieldType(
            "multi_choice",
            _multi,
            list,
            _same,
            "list of choice values",
            "check_list",
            "list or '、,;'-separated text",
        ),
        FieldType(
            "resident_id",
            _resident_id,
            _same,
            _compute_str,
            "string (18 chars, X upper)",
            "id_edit",
            "GB 11643; 15-digit upgraded",
        ),
        FieldType(
            "id_document",
            _id_document,
            _same,
            _compute_str,
            "string",
            "id_edit",
            "resident ID or passport/permit per id_type_field",
        ),
        FieldType(
            "uscc",
            _uscc,
            _same,
            _compute_str,
            "string (18 chars)",
            "code_edit",
            "GB 32100; union codes start with 8",
        ),
        FieldType(
            "mobile",
            _mobile,
            _same,
            _compute_str,
            "string (11 digits)",
            "phone_edit",
            "+86 and separators dropped",
        ),
        FieldType(
            "division_code",
            _division,
            _same,
            _compute_str,
            "string (6/9/12 digits)",
            "code_edit",
            "GB/T 2260 style",
        ),
        FieldType(
            "reference",
            _reference,
            _same,
            _compute_str,
            "string (uuid)",
            "reference_picker",
            "ref_form= the referenced form",
        ),
        FieldType(
            "repeat",
            _repeat,
            _same,
            _same,
            "list of row objects",
            "table",
            "rows of the group's own fields",
        ),
    )
}

#: The code a type reports for a value it cannot read at all (also the validator's safety net).
INVALID_CODE: dict[str, str] = {
    "text": "text.format",
    "multiline": "text.format",
    "integer": "integer.format",
    "decimal": "decimal.format",
    "money": "money.format",
    "date": "date.format",
    "datetime": "datetime.format",
    "year": "year.format",
    "boolean": "boolean.format",
    "choice": "choice.unknown",
    "multi_choice": "multi_choice.format",
    "resident_id": "id_number.format",
    "id_document": "id_number.format",
    "uscc": "uscc.format",
    "mobile": "mobile.format",
    "division_code": "division_code.format",
    "reference": "reference.format",
    "repeat": "repeat.format",
}

#: Types whose parse takes a ``today`` argument (date bounds such as ``"max": "today"``).
TODAY_AWARE = {"date"}
