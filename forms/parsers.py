"""Parsers of the field types: raw value (what a widget or a spreadsheet gives; strings are
always fine) -> the typed value used by expressions, or :class:`InvalidValue` with a code.

Each takes ``(raw, field)`` (dates also ``today`` for ``"max": "today"``). Money: a str / float /
Decimal is yuan as typed; an int is already fen (the stored form). The table that says which
parser a type uses is ``forms.types.TYPES``.
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, TypeVar

from forms import ids
from forms.dates import MonthDate, parse_month
from forms.errors import InvalidValue

if TYPE_CHECKING:
    from forms.model import Field

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
_FULLWIDTH[0x3002] = ord(".")  # 。 typed for a decimal point
_NUMBER_JUNK = {ord(c): None for c in " ,_\u00a0'"}
_UNIT_JUNK = re.compile("[¥￥元人名个]|RMB|CNY")
_TRUE = {"1", "true", "t", "yes", "y", "是", "有", "√", "✓", "✔", "对", "on"}
_FALSE = {"0", "false", "f", "no", "n", "否", "无", "没有", "×", "✗", "✘", "错", "off"}


_N = TypeVar("_N", int, Decimal)


def to_ascii(s: str) -> str:
    """Full-width characters to ASCII, then strip."""
    return s.translate(_FULLWIDTH).strip()


_WS = re.compile(r"\s{2,}|[\t\n\r\f\v\u3000\u00a0]")


def _text(raw: Any, f: Field) -> str:
    if raw.__class__ is str:
        s = raw.strip()
    elif isinstance(raw, bool | list | dict | tuple | set):
        raise InvalidValue("text.format")
    else:
        s = str(raw).strip()
    # a printable string's only whitespace is the ASCII space (every other one is a separator
    # or control character), so the regex reduces to looking for two spaces in a row
    if f.type == "text" and ("  " in s if s.isprintable() else _WS.search(s)):
        s = " ".join(s.split())
    if len(s) > f.max_length:
        raise InvalidValue("text.too_long", max=f.max_length, length=len(s))
    if f.min_length and len(s) < f.min_length:
        raise InvalidValue("text.too_short", min=f.min_length, length=len(s))
    if f.pattern is not None and not f.pattern.fullmatch(s):
        raise InvalidValue("text.pattern")
    return s


def _range(v: _N, f: Field) -> _N:
    if f.min is not None and v < f.min:
        raise InvalidValue("number.too_small", min=_show(f.min), value=_show(v))
    if f.max is not None and v > f.max:
        raise InvalidValue("number.too_large", max=_show(f.max), value=_show(v))
    return v


def _show(v: Any) -> Any:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else str(v)
    return v


def _decimal_text(raw: Any, code: str) -> Decimal:
    if isinstance(raw, bool):
        raise InvalidValue(code)
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise InvalidValue(code)
        return raw
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise InvalidValue(code)
        return Decimal(repr(raw))
    if not isinstance(raw, str):
        raise InvalidValue(code)
    s = to_ascii(raw).translate(_NUMBER_JUNK)
    s = _UNIT_JUNK.sub("", s)
    if not s or len(s) > 30 or not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", s):
        raise InvalidValue(code)
    try:
        return Decimal(s)
    except InvalidOperation as exc:
        raise InvalidValue(code) from exc


def _integer(raw: Any, f: Field) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        v = raw
    else:
        d = _decimal_text(raw, "integer.format")
        if d != d.to_integral_value():
            raise InvalidValue("integer.format")
        v = int(d)
    if abs(v) > 10**15:
        raise InvalidValue("number.too_large", max=10**15, value=v)
    return _range(v, f)


def _decimal(raw: Any, f: Field) -> Decimal:
    d = _decimal_text(raw, "decimal.format")
    if abs(d) > 10**15:
        raise InvalidValue("number.too_large", max=10**15, value=_show(d))
    if f.places is not None and -d.as_tuple().exponent > f.places:  # type: ignore[operator]
        raise InvalidValue("decimal.places", places=f.places)
    return _range(d, f)


def _money(raw: Any, f: Field) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        fen = raw
    else:
        yuan = _decimal_text(raw, "money.format")
        fen_d = yuan * 100
        if fen_d != fen_d.to_integral_value():
            raise InvalidValue("money.places")
        fen = int(fen_d)
    if abs(fen) > 10**15:
        raise InvalidValue("number.too_large", max=10**13, value=fen // 100)
    if f.min is None and fen < 0:
        raise InvalidValue("money.negative")
    return _range(fen, f)


_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_DATETIME_RE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*[T ]?\s*"
    r"(?:(\d{1,2})\s*[:时]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2}(?:\.\d+)?))?\s*秒?)?"
)


def _date_text(s: str) -> _dt.date:
    if not s.isascii():
        s = s.translate(_FULLWIDTH)
    s = s.strip()
    if len(s) == 10 and s[4] == "-" and s[7] == "-":  # ISO, the stored form: fast path
        try:
            return _dt.date.fromisoformat(s)
        except ValueError:
            pass
    for sep in "/-.":
        if s.count(sep) == 2:
            ys, ms, ds = s.split(sep)
            if ys.isdigit() and ms.isdigit() and ds.isdigit() and len(ys) == 4 and s.isascii():
                try:
                    return _dt.date(int(ys), int(ms), int(ds))
                except ValueError as exc:
                    raise InvalidValue("date.invalid") from exc
    m = _DATE_RE.fullmatch(s)
    if m:
        y, mo, d = (int(x) for x in m.groups())
    elif len(s) == 8 and s.isdigit():
        y, mo, d = int(s[:4]), int(s[4:6]), int(s[6:])
    else:
        m2 = _DATETIME_RE.fullmatch(s)  # a datetime typed into a date: keep the date
        if not m2:
            raise InvalidValue("date.format")
        y, mo, d = (int(x) for x in m2.groups()[:3])
    try:
        return _dt.date(y, mo, d)
    except ValueError as exc:
        raise InvalidValue("date.invalid") from exc


def _date_bounds(v: _dt.date, f: Field, today: _dt.date) -> _dt.date:
    lo = f.min_date if f.min_date != "today" else today
    hi = f.max_date if f.max_date != "today" else today
    if lo is not None and v < lo:
        raise InvalidValue("date.too_early", min=str(lo))
    if hi is not None and v > hi:
        code = "date.future" if f.max_date == "today" else "date.too_late"
        raise InvalidValue(code, max=str(hi))
    return v


def _month_or_date(s: str, f: Field) -> _dt.date:
    """A full date, or (when the field takes it) a year and month; ``date.day_required`` when
    a year and month were typed into a field that needs the day."""
    try:
        return _date_text(s)
    except InvalidValue as exc:
        if exc.code != "date.format":
            raise
        text = s.translate(_FULLWIDTH) if not s.isascii() else s
        try:
            month = parse_month(text)
        except ValueError:
            raise InvalidValue("date.invalid") from None
        if month is None:
            raise
        if "month" not in f.precision:
            raise InvalidValue("date.day_required") from None
        return month


def _date(raw: Any, f: Field, today: _dt.date | None = None) -> _dt.date:
    if raw.__class__ is str:
        if len(raw) == 10 and raw[4] == "-" and raw[7] == "-" and raw.isascii():
            # ISO, the stored form (what _date_text's fast path would take): straight through
            try:
                v = _dt.date.fromisoformat(raw)
            except ValueError:
                v = _month_or_date(raw, f)
        else:
            v = _month_or_date(raw, f)
    elif isinstance(raw, MonthDate):
        if "month" not in f.precision:
            raise InvalidValue("date.day_required")
        v = raw
    elif isinstance(raw, _dt.datetime):
        v = raw.date()
    elif isinstance(raw, _dt.date):
        v = raw
    elif isinstance(raw, str):
        v = _month_or_date(str(raw), f)
    else:
        raise InvalidValue("date.format")
    if v.year < 1800:
        raise InvalidValue("date.too_early", min="1800-01-01")
    return _date_bounds(v, f, today or _dt.date.today())


def _datetime(raw: Any, f: Field) -> _dt.datetime:
    if isinstance(raw, _dt.datetime):
        return _dt.datetime(raw.year, raw.month, raw.day, raw.hour, raw.minute, raw.second)
    if isinstance(raw, _dt.date):
        return _dt.datetime(raw.year, raw.month, raw.day)
    if not isinstance(raw, str):
        raise InvalidValue("datetime.format")
    m = _DATETIME_RE.fullmatch(to_ascii(raw))
    if not m:
        raise InvalidValue("datetime.format")
    y, mo, d, hh, mi, ss = m.groups()
    try:
        return _dt.datetime(
            int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(float(ss or 0))
        )
    except ValueError as exc:
        raise InvalidValue("datetime.invalid") from exc


def _year(raw: Any, f: Field) -> int:
    if isinstance(raw, str):
        raw = to_ascii(raw).removesuffix("年").strip()
    try:
        v = _integer(raw, f)
    except InvalidValue as exc:
        raise InvalidValue("year.format") from exc
    if not 1900 <= v <= 2100:
        raise InvalidValue("year.range", min=1900, max=2100)
    return v


def _boolean(raw: Any, f: Field) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        s = to_ascii(raw).lower()
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
    raise InvalidValue("boolean.format")


def _choice(raw: Any, f: Field) -> str:
    key = raw if isinstance(raw, str) else str(raw)
    v = f.choice_lookup.get(key)
    if v is None:
        v = f.choice_lookup.get(to_ascii(key).casefold())
    if v is None:
        raise InvalidValue("choice.unknown", value=str(raw)[:50])
    return v


_SPLIT = re.compile(r"[,，、;；|\n]")


def _multi(raw: Any, f: Field) -> list[str]:
    items = _SPLIT.split(raw) if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple | set | frozenset):
        raise InvalidValue("multi_choice.format")
    chosen: set[str] = set()
    for item in items:
        if isinstance(item, str) and not item.strip():
            continue
        try:
            chosen.add(_choice(item.strip() if isinstance(item, str) else item, f))
        except InvalidValue as exc:
            raise InvalidValue("multi_choice.unknown", value=str(item)[:50]) from exc
    return [c.value for c in f.choices if c.value in chosen]


def _resident_id(raw: Any, f: Field) -> str:
    return ids.validate_resident_id(raw if isinstance(raw, str) else str(raw))


def _id_document(raw: Any, f: Field) -> str:
    """Checked as a resident ID unless the field's id_type_field says another document."""
    return ids.clean_code(raw)  # the kind-dependent check runs in validate (needs the sibling)


_DOC_RE = re.compile(r"[A-Z0-9]{5,30}")


def check_other_document(s: str) -> str:
    """A passport / permit number: 5-30 letters or digits."""
    if not _DOC_RE.fullmatch(s):
        raise InvalidValue("id_number.document_format")
    return s


def _uscc(raw: Any, f: Field) -> str:
    return ids.validate_uscc(raw if isinstance(raw, str) else str(raw))


def _mobile(raw: Any, f: Field) -> str:
    if (
        raw.__class__ is str
        and len(raw) == 11
        and raw.isdigit()
        and raw.isascii()
        and raw[0] == "1"
        and raw[1] in "3456789"
    ):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise InvalidValue("mobile.format")
        raw = str(int(raw))
    return ids.validate_mobile(raw if isinstance(raw, str) else str(raw))


def _division(raw: Any, f: Field) -> str:
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    return ids.validate_division_code(raw if isinstance(raw, str) else str(raw))


_UUID_RE = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _reference(raw: Any, f: Field) -> str:
    if raw.__class__ is str and len(raw) == 36 and _CANONICAL_UUID.fullmatch(raw):
        return raw
    s = str(raw).strip().lower().removeprefix("urn:uuid:").strip("{}")
    if not _UUID_RE.fullmatch(s):
        raise InvalidValue("reference.format")
    h = "".join(s.split("-"))
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _repeat(raw: Any, f: Field) -> Any:  # rows are parsed by the validator
    return raw
