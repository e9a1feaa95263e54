"""Run-time values of the expression language: truth, dates, null-propagating arithmetic and
comparison, the function table, and the closure combinators the parser builds from.

Every operation is bounded (numbers up to 10**18, exponents up to 64, strings up to 10,000
characters) and turns a type mismatch into null instead of raising.
"""

from __future__ import annotations

import datetime as _dt
import weakref
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from forms import ids
from forms.dates import MonthDate
from forms.expr_tokens import MAX_EXPONENT, MAX_NUMBER, MAX_STRING

Fn = Callable[[Mapping[str, Any], Mapping[str, Any] | None], Any]

# --- value helpers -------------------------------------------------------------------------


def truth(v: Any) -> bool | None:
    """Three-valued truth of a value: None stays None."""
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, int | Decimal | float):
        return v != 0
    if isinstance(v, str | list | tuple):
        return len(v) > 0
    return True


def _num(v: Any) -> bool:
    return isinstance(v, int | Decimal) and not isinstance(v, bool)


def _bounded(v: Any) -> Any:
    if _num(v) and abs(v) > MAX_NUMBER:
        return None
    return v


def as_date(v: Any) -> _dt.date | None:
    """A date from a date/datetime or an ISO string, else None."""
    if v.__class__ is _dt.date:
        return v
    if isinstance(v, _dt.datetime):
        return v.date()
    if isinstance(v, _dt.date):
        return v
    if isinstance(v, str):
        try:
            return _dt.date.fromisoformat(v[:10])
        except ValueError:
            pass
        if len(v) == 7 and v[4] == "-" and v[:4].isdigit() and v[5:].isdigit():
            try:
                return MonthDate(int(v[:4]), int(v[5:]))  # a stored year-month
            except ValueError:
                return None
    return None


def _arith(op: str, a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    try:
        if op == "+":
            if isinstance(a, str) and isinstance(b, str):
                return a + b if len(a) + len(b) <= MAX_STRING else None
            if isinstance(a, _dt.date) and _num(b):
                return a + _dt.timedelta(days=int(b))
            if _num(a) and _num(b):
                return _bounded(a + b)
            return None
        if op == "-":
            if isinstance(a, _dt.date) and _num(b):
                return a - _dt.timedelta(days=int(b))
            if isinstance(a, _dt.date) and isinstance(b, _dt.date):
                return (as_date(a) - as_date(b)).days  # type: ignore[operator]
            return _bounded(a - b) if _num(a) and _num(b) else None
        if not (_num(a) and _num(b)):
            return None
        if op == "*":
            return _bounded(a * b)
        if op == "/":
            if b == 0:
                return None
            q = Decimal(a) / Decimal(b)
            return _bounded(int(q) if q == q.to_integral_value() else q)
        if op == "%":
            return None if b == 0 else a % b
        if op == "**":
            if abs(b) > MAX_EXPONENT or abs(a) > 10**6 or (a == 0 and b < 0):
                return None
            if isinstance(b, int) and b >= 0 and isinstance(a, int):
                return _bounded(a**b)
            return _bounded(Decimal(a) ** Decimal(b))
    except (ArithmeticError, InvalidOperation, OverflowError, ValueError):
        return None
    return None


def _coerce_pair(a: Any, b: Any) -> tuple[Any, Any]:
    if isinstance(a, _dt.date) and isinstance(b, str):
        return a, as_date(b) if not isinstance(a, _dt.datetime) else b
    if isinstance(b, _dt.date) and isinstance(a, str):
        return (as_date(a) if not isinstance(b, _dt.datetime) else a), b
    if isinstance(a, _dt.datetime) and isinstance(b, _dt.date) and not isinstance(b, _dt.datetime):
        return a.date(), b
    if isinstance(b, _dt.datetime) and isinstance(a, _dt.date) and not isinstance(a, _dt.datetime):
        return a, b.date()
    return a, b


def _compare(op: str, a: Any, b: Any) -> Any:
    a, b = _coerce_pair(a, b)
    if op in ("==", "="):
        return a == b
    if op == "!=":
        return a != b
    if a is None or b is None:
        return None
    try:
        if op == "<":
            return a < b
        if op == "<=":
            return a <= b
        if op == ">":
            return a > b
        return a >= b
    except TypeError:
        return None


# --- functions -----------------------------------------------------------------------------


def _f_length(v: Any) -> int:
    return len(v) if isinstance(v, str | list | tuple) else (0 if v is None else len(str(v)))


def _f_days(a: Any, b: Any) -> int | None:
    da, db = as_date(a), as_date(b)
    return None if da is None or db is None else (db - da).days


def _f_add_days(d: Any, n: Any) -> _dt.date | None:
    day = as_date(d)
    if day is None or not _num(n) or abs(n) > 200_000:
        return None
    try:
        return day + _dt.timedelta(days=int(n))
    except OverflowError:
        return None


def _f_add_years(d: Any, n: Any) -> _dt.date | None:
    d = as_date(d)
    if d is None or not _num(n) or not 1 <= d.year + int(n) <= 9999:
        return None
    try:
        return _dt.date(d.year + int(n), d.month, d.day)
    except ValueError:  # 29 February
        return _dt.date(d.year + int(n), d.month, 28)


def _f_age(birth: Any, at: Any) -> int | None:
    b, a = as_date(birth), as_date(at)
    if b is None or a is None:
        return None
    if isinstance(a, MonthDate) or isinstance(b, MonthDate):  # whole years counted by month
        return a.year - b.year - (a.month < b.month)
    return a.year - b.year - ((a.month, a.day) < (b.month, b.day))


def _part(attr: str) -> Callable[[Any], int | None]:
    def get(v: Any) -> int | None:
        d = as_date(v)
        return None if d is None else getattr(d, attr)

    return get


def _f_minmax(pick: Callable[..., Any]) -> Callable[..., Any]:
    def f(*args: Any) -> Any:
        vals = [a for a in args if a is not None]
        try:
            return pick(vals) if vals else None
        except TypeError:
            return None

    return f


def _f_round(x: Any, places: Any = 0) -> Any:
    if not _num(x) or not _num(places) or not 0 <= places <= 10:
        return None
    r = Decimal(x).quantize(Decimal(1).scaleb(-int(places)), rounding="ROUND_HALF_UP")
    return int(r) if places == 0 else r


def _f_contains(container: Any, item: Any) -> bool | None:
    if container is None:
        return False
    if isinstance(container, str):
        return isinstance(item, str) and item in container
    if isinstance(container, list | tuple):
        return item in container
    return None


def _f_starts_with(s: Any, prefix: Any) -> bool | None:
    if s is None:
        return None
    return isinstance(s, str) and isinstance(prefix, str) and s.startswith(prefix)


def _f_coalesce(*args: Any) -> Any:
    for a in args:
        if a is not None and a != "":
            return a
    return None


def _f_id_birth_date(v: Any) -> _dt.date | None:
    """Birth date of a resident ID that passes every check but the future one (cached)."""
    if v.__class__ is not str:
        return None
    _, born, code, _ = ids._ric(v)
    return born if code is None else None


def _f_id_gender(v: Any) -> str | None:
    if v.__class__ is not str:
        return None
    s, _, code, _ = ids._ric(v)
    return None if code is not None else ("male" if int(s[16]) % 2 else "female")


def _f_abs(x: Any) -> Any:
    return abs(x) if _num(x) else None


def _f_date(v: Any) -> _dt.date | None:
    return as_date(v)


#: name -> (python function, min args, max args). ``today``/``count``/``sum``/``if`` are special.
FUNCTIONS: dict[str, tuple[Callable[..., Any], int, int]] = {
    "length": (_f_length, 1, 1),
    "days": (_f_days, 2, 2),
    "add_days": (_f_add_days, 2, 2),
    "add_years": (_f_add_years, 2, 2),
    "age": (_f_age, 2, 2),
    "year": (_part("year"), 1, 1),
    "month": (_part("month"), 1, 1),
    "day": (_part("day"), 1, 1),
    "date": (_f_date, 1, 1),
    "min": (_f_minmax(min), 1, 20),
    "max": (_f_minmax(max), 1, 20),
    "abs": (_f_abs, 1, 1),
    "round": (_f_round, 1, 2),
    "contains": (_f_contains, 2, 2),
    "starts_with": (_f_starts_with, 2, 2),
    "coalesce": (_f_coalesce, 1, 20),
    "id_birth_date": (_f_id_birth_date, 1, 1),
    "id_gender": (_f_id_gender, 1, 1),
}
SPECIAL = {"if", "today", "count", "sum"}


# --- closure combinators --------------------------------------------------------------------

#: Closures that read one field / return one literal, so comparisons can skip calling them.
_REFS: weakref.WeakKeyDictionary[Fn, tuple[bool, str]] = weakref.WeakKeyDictionary()
_CONSTS: weakref.WeakKeyDictionary[Fn, Any] = weakref.WeakKeyDictionary()


def _const(v: Any) -> Fn:
    fn: Fn = lambda top, row: v  # noqa: E731
    _CONSTS[fn] = v
    return fn


def _field_equals(op: str, ref: tuple[bool, str], c: Any) -> Fn:
    """``field == literal`` / ``field != literal`` in one closure (the common relevance test)."""
    in_row, name = ref
    cls = c.__class__
    negate = op == "!="

    def eq(top: Any, row: Any) -> Any:
        src = row if in_row else top
        a = src.get(name) if src is not None else None
        r = a == c if a.__class__ is cls or a is None else _compare("==", a, c)
        return (not r) if negate else r

    return eq


def _comparison(op: str, left: Fn, right: Fn) -> Fn:
    """A comparison closure with a fast path when both sides have the same type."""
    if op in ("=", "==", "!="):
        if left in _REFS and right in _CONSTS:
            return _field_equals(op, _REFS[left], _CONSTS[right])
        if right in _REFS and left in _CONSTS:
            return _field_equals(op, _REFS[right], _CONSTS[left])
    lref = _REFS.get(left)
    if op in ("=", "==") and lref is not None and not lref[0]:
        name = lref[1]  # field == expression: read the field without a call

        def eq_field(top: Any, row: Any) -> Any:
            a, b = top.get(name), right(top, row)
            if a.__class__ is b.__class__ or a is None or b is None:
                return a == b
            return _compare("==", a, b)

        return eq_field
    if op in ("=", "=="):

        def eq(top: Any, row: Any) -> Any:
            a, b = left(top, row), right(top, row)
            if a.__class__ is b.__class__ or a is None or b is None:
                return a == b
            return _compare("==", a, b)

        return eq
    if op == "!=":

        def ne(top: Any, row: Any) -> Any:
            a, b = left(top, row), right(top, row)
            if a.__class__ is b.__class__ or a is None or b is None:
                return a != b
            return _compare("!=", a, b)

        return ne
    fast: Callable[[Any, Any], bool] = {
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }[op]

    rref = _REFS.get(right)
    if lref is not None and not lref[0] and rref is not None and not rref[0]:
        lname, rname = lref[1], rref[1]  # field < field (join_date > birth_date)

        def order_fields(top: Any, row: Any) -> Any:
            a, b = top.get(lname), top.get(rname)
            if a.__class__ is b.__class__ and a is not None and a.__class__ in _ORDERED:
                return fast(a, b)
            return _compare(op, a, b)

        return order_fields

    def order(top: Any, row: Any) -> Any:
        a, b = left(top, row), right(top, row)
        if a.__class__ is b.__class__ and a is not None and a.__class__ in _ORDERED:
            return fast(a, b)
        return _compare(op, a, b)

    return order


_ORDERED = frozenset({int, Decimal, str, _dt.date, _dt.datetime})


def _binop(op: str, left: Fn, right: Fn) -> Fn:
    return lambda top, row: _arith(op, left(top, row), right(top, row))


def _junction(stop: bool, left: Fn, right: Fn) -> Fn:
    """Three-valued ``and`` (stop=False) / ``or`` (stop=True), short-circuiting on ``stop``."""
    go = not stop

    def f(top: Any, row: Any) -> Any:
        a = left(top, row)
        if a is stop or (a is not go and (a := truth(a)) is stop):
            return stop
        b = right(top, row)
        if b is stop or (b is not go and (b := truth(b)) is stop):
            return stop
        return None if a is None or b is None else go

    return f


def _and(left: Fn, right: Fn) -> Fn:
    return _junction(False, left, right)


def _or(left: Fn, right: Fn) -> Fn:
    return _junction(True, left, right)
