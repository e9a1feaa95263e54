"""Turning one spreadsheet cell into a value the member form can validate.

Township sheets carry every Excel artefact there is: ID numbers Excel turned into ``1.1E+17``
(rejected — the lost digits are never guessed), dates as Excel serial numbers or typed as text in
a dozen ways, full-width digits, stray and full-width spaces, ``'`` and ``="…"`` text markers,
choice labels instead of stored values. :func:`normalise_cell` cleans one cell for one field and
either returns the value or a :class:`CellIssue` (an error code with parameters, no words).
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from desktop.store.masking import mask

#: field ids whose values are codes: NFKC, no inner spaces, numbers in cells lose digits
CODE_FIELDS = {"id_number", "mobile", "card_number", "employer_uscc", "union_uscc", "chair_mobile"}
ID_FIELDS = {"id_number"}
ID_TYPES = {"resident_id", "id_document"}
CODE_TYPES = {"resident_id", "id_document", "mobile", "uscc", "division_code"}
DATE_TYPES = {"date"}
_STRIP = " \t\r\n\u3000\u00a0\u200b\u200c\u200d\ufeff\u2028\u2029"
_SCI = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_EXCEL_EPOCH = _dt.date(1899, 12, 30)
_CJK_NAME = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff·\s\u3000]+$")
_MASK = re.compile(r"\*{2,}")


@dataclass(frozen=True)
class CellIssue:
    """Why a cell cannot be used: an error code and its parameters (for ``row_message``)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)


def strip_text(value: str) -> str:
    """Remove spaces (ASCII, full-width, no-break, zero-width) and Excel text markers at the ends."""
    s = value.strip(_STRIP)
    if s.startswith('="') and s.endswith('"') and len(s) >= 3:
        s = s[2:-1].strip(_STRIP)
    if s.startswith("'"):
        s = s[1:].strip(_STRIP)
    return s


_SQUEEZE = {ord(ch): None for ch in _STRIP}


def _squeeze(s: str) -> str:
    return s.translate(_SQUEEZE)


def _number_text(value: float | int) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if value.is_integer():
        return str(int(value))
    return repr(value)


_LONG_DIGITS = re.compile(r"\d{7,}[\dXx]*")


def safe_text(text: str, limit: int = 40) -> str:
    """A cell's text fit for a message: long digit runs (an ID or phone number) masked."""
    return _LONG_DIGITS.sub(lambda m: mask(m.group(0)), text[:limit])


#: columns whose values are personal numbers: shown masked in messages (the wrong part only)
MASKED_FIELDS = {"id_number", "mobile", "chair_mobile"}


def shown_id(text: str, code: str = "") -> str:
    """An ID number for a message: masked except the part ``code`` says is wrong (the region
    code, the birth date, the check character); the usual mask otherwise."""
    if len(text) == 18:
        if code == "id_number.region":
            return text[:6] + "*" * 12
        if code in ("id_number.birth_date", "id_number.birth_date_future"):
            return "*" * 6 + text[6:14] + "*" * 4
        if code == "id_number.checksum":
            return "*" * 17 + text[17:]
    return str(mask(text))


def typed_text(value: Any, limit: int = 40) -> str:
    """A cell's value as the user typed / sees it, for a message ("" for a blank cell)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(" ")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value) if not value.is_integer() or abs(value) >= 1e15 else str(int(value))
    text = str(value).strip(_STRIP)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def excel_serial_to_date(serial: float) -> _dt.date | None:
    """An Excel (1900 system) day number as a date; ``None`` outside 1900-01-01 … 9999-12-31."""
    if serial < 1 or serial > 2958465:
        return None
    days = int(serial)
    if days < 61:  # Excel's phantom 1900-02-29: serials before it are one day later
        days += 1
    return _EXCEL_EPOCH + _dt.timedelta(days=days)


def parse_date_text(text: str) -> _dt.date | None:
    """A date typed as text: 2020-01-31, 2020/1/31, 2020.1.31, 2020年1月31日, 20200131."""
    s = _squeeze(unicodedata.normalize("NFKC", text))
    for pattern in _DATE_PATTERNS:
        m = pattern.match(s)
        if m:
            try:
                return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
    if s.isdigit() and 1 <= len(s) <= 5:  # an Excel serial saved into a CSV
        return excel_serial_to_date(int(s))
    return None


def _code(field_id: str, ftype: str, value: Any) -> str | CellIssue:
    is_id = field_id in ID_FIELDS or ftype in ID_TYPES
    if isinstance(value, float | int) and not isinstance(value, bool):
        # Excel keeps 15 significant digits: a longer number has lost its last digits
        digits = _number_text(value)
        if len(digits.lstrip("-")) > 15 or "e" in digits.lower():
            code = "import.id_precision_lost" if is_id else "import.number_precision_lost"
            return CellIssue(code, {"value": f"{float(value):.4G}"})
        return digits
    if isinstance(value, _dt.datetime | _dt.date):
        return CellIssue("import.number_precision_lost", {"value": value.isoformat()[:10]})
    if value.__class__ is str and value.isascii() and value.isalnum():
        s = value  # (most cells) NFKC, the end and inner spaces, text markers: nothing to undo
    else:
        s = _squeeze(unicodedata.normalize("NFKC", strip_text(str(value))))
    if field_id in ("mobile", "chair_mobile"):
        s = s.replace("-", "")
        if s.startswith("+86"):
            s = s[3:]
    if _SCI.match(s):
        code = "import.id_precision_lost" if is_id else "import.number_precision_lost"
        return CellIssue(code, {"value": f"{float(s):.4G}"})  # 4 digits: no personal data
    if _MASK.search(s):
        return CellIssue("import.masked_value", {})
    if is_id:
        s = s.upper()
    return s


def _year_month_number(value: float | int) -> str | CellIssue | None:
    """``2019.05`` typed into a General cell became the number 2019.05: the month 2019-05.

    ``2019.1`` is refused as ambiguous (Excel dropped the 0 of 2019.10, or it was January);
    ``201905`` is the month 2019-05. None when the number is not a year and month."""
    if isinstance(value, int) or float(value).is_integer():
        n = int(value)
        return f"{n // 100:04d}-{n % 100:02d}" if 190001 <= n <= 210012 else None
    if not 1900 < value < 2101:
        return None
    text = repr(float(value))
    year, _, frac = text.partition(".")
    if len(frac) == 1 and frac != "0":
        return CellIssue("import.month_ambiguous", {"value": text, "year": year})
    if len(frac) == 2:
        return f"{year}-{frac}"
    return None


def _date(value: Any, months: bool = False) -> str | CellIssue:
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, float | int) and not isinstance(value, bool):
        if months and (month := _year_month_number(value)) is not None:
            return month
        if 10000000 <= value <= 99991231 and float(value).is_integer():
            parsed = parse_date_text(str(int(value)))
        else:
            parsed = excel_serial_to_date(float(value))
        if parsed is None:
            return CellIssue("import.date_unreadable", {"value": safe_text(_number_text(value))})
        return parsed.isoformat()
    s = strip_text(str(value))
    ascii_s = _squeeze(unicodedata.normalize("NFKC", s))
    if months and ascii_s.isdigit() and len(ascii_s) == 6:  # 201905 typed as text
        return s
    if ascii_s.isdigit() and len(ascii_s) <= 5:  # an Excel serial saved into a CSV
        parsed = excel_serial_to_date(int(ascii_s))
        if parsed is None:
            return CellIssue("import.date_unreadable", {"value": safe_text(s)})
        return parsed.isoformat()
    return s  # typed text: the form's date type reads 2020/1/31, 2020年1月31日, 20200131 …


def normalise_cell(fld: Any, value: Any) -> Any:
    """The value of one cell for field ``fld`` (a forms Field), or a :class:`CellIssue`.

    Returns ``None`` for a blank cell (the field is then left out and ``required`` is the form's
    business). Choice labels, 是/否, full-width digits in numbers and the many ways of typing a
    date are left to the form's own field types; this only undoes what Excel did to the cell.
    """
    return cell_normaliser(fld)(value)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip(_STRIP))


def cell_normaliser(fld: Any) -> Any:
    """:func:`normalise_cell` specialised for one column (decided once, not per cell)."""
    field_id = fld.id
    ftype = str(getattr(fld, "type", "text"))
    if field_id in CODE_FIELDS or ftype in CODE_TYPES:

        def code(value: Any) -> Any:
            if _blank(value):
                return None
            result = _code(field_id, ftype, value)
            return result if result != "" else None

        return code
    if ftype in DATE_TYPES:
        months = "month" in tuple(getattr(fld, "precision", ("day",)))

        def date(value: Any) -> Any:
            return None if _blank(value) else _date(value, months)

        return date

    def text(value: Any) -> Any:
        if type(value) is str:
            s = value.strip(_STRIP)
            if not s:
                return None
            if s[0] in "'=":
                s = strip_text(s)
        elif value is None:
            return None
        elif isinstance(value, bool):
            return value
        elif isinstance(value, _dt.datetime | _dt.date):
            return value.isoformat()[:10]
        elif isinstance(value, float | int):
            return _number_text(value)
        elif _blank(value):  # a str subclass
            return None
        else:
            s = strip_text(str(value))
        if field_id == "name" and _CJK_NAME.match(s):
            return _squeeze(s)  # "张　三" aligned with full-width spaces is 张三
        return s

    return text
