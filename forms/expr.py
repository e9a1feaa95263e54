"""The safe expression language of form definitions (``relevant``, ``constraint``, ``calculate``).

Text is tokenised and parsed here (no ``eval``/``exec``, no Python ``ast``) into closures once,
when a definition loads. A compiled expression is called as ``fn(top, row)``: ``top`` is the
record's dict of typed values (``top["_today"]`` is the date used for ``today()``), ``row`` the
current repeat-group row or None. Nothing but those dicts is reachable.

Grammar (lowest precedence first)::

    expr    := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := sum (("="|"=="|"!="|"<"|"<="|">"|">=") sum)?
    sum     := product (("+"|"-") product)*
    product := unary (("*"|"/"|"%") unary)*
    unary   := "-" unary | power
    power   := primary ("**" unary)?
    primary := number | 'string' | "string" | true | false | null
             | name | group.name | function(args) | "(" expr ")"

Nulls propagate through arithmetic and ordering; ``and``/``or``/``not`` are three-valued.
Any run-time type mismatch or out-of-bounds number gives null, never an exception.
"""

from __future__ import annotations

import datetime as _dt
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from forms import ids

Fn = Callable[[Mapping[str, Any], Mapping[str, Any] | None], Any]

MAX_LENGTH = 2000  #: characters in one expression
MAX_DEPTH = 32  #: nesting of parentheses / function calls / unary operators
MAX_TOKENS = 500
MAX_EXPONENT = 64
MAX_NUMBER = Decimal(10) ** 18
MAX_STRING = 10_000
TODAY_KEY = "_today"

KEYWORDS = {"and", "or", "not", "true", "false", "null"}
_OPS2 = {"**", "==", "!=", "<=", ">="}
_OPS1 = set("+-*/%()<>=,.")


class ExprError(ValueError):
    """Bad syntax, an unknown name or a bound exceeded; ``pos`` is the 0-based column."""

    def __init__(self, message: str, pos: int | None = None) -> None:
        super().__init__(message if pos is None else f"{message} (at column {pos + 1})")
        self.pos = pos


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "num", "str", "name", "op", "end"
    value: Any
    pos: int


def tokenize(text: str) -> list[Token]:
    """Split expression text into tokens; refuses over-long text and ``_``-prefixed names."""
    if len(text) > MAX_LENGTH:
        raise ExprError(f"expression longer than {MAX_LENGTH} characters")
    out: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
            continue
        start = i
        if c.isascii() and c.isdigit():
            while i < n and text[i].isascii() and text[i].isdigit():
                i += 1
            if i < n and text[i] == "." and i + 1 < n and text[i + 1].isdigit():
                i += 1
                while i < n and text[i].isascii() and text[i].isdigit():
                    i += 1
                out.append(Token("num", Decimal(text[start:i]), start))
            else:
                if i - start > 19:
                    raise ExprError("number too long", start)
                out.append(Token("num", int(text[start:i]), start))
        elif c in "'\"":
            i += 1
            buf: list[str] = []
            while i < n and text[i] != c:
                if text[i] == "\\" and i + 1 < n:
                    i += 1
                buf.append(text[i])
                i += 1
            if i >= n:
                raise ExprError("unterminated string", start)
            i += 1
            out.append(Token("str", "".join(buf), start))
        elif c.isascii() and (c.isalpha() or c == "_"):
            while i < n and text[i].isascii() and (text[i].isalnum() or text[i] == "_"):
                i += 1
            word = text[start:i]
            if word.startswith("_"):
                raise ExprError(f"names may not start with '_': {word!r}", start)
            out.append(Token("name", word, start))
        elif text[i : i + 2] in _OPS2:
            out.append(Token("op", text[i : i + 2], start))
            i += 2
        elif c in _OPS1:
            out.append(Token("op", c, start))
            i += 1
        else:
            raise ExprError(f"unexpected character {c!r}", start)
        if len(out) > MAX_TOKENS:
            raise ExprError(f"expression has more than {MAX_TOKENS} tokens")
    out.append(Token("end", None, n))
    return out


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
    d = as_date(d)
    if d is None or not _num(n) or abs(n) > 200_000:
        return None
    try:
        return d + _dt.timedelta(days=int(n))
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


# --- parser / compiler ---------------------------------------------------------------------


@dataclass
class Scope:
    """What names an expression may use.

    ``top``: top-level field ids; ``groups``: repeat field id -> its row field ids;
    ``row``: the row field ids when compiling inside a repeat group (they shadow top-level).
    """

    top: frozenset[str]
    groups: Mapping[str, frozenset[str]]
    row: frozenset[str] | None = None


@dataclass
class Compiled:
    """A parsed expression: its source, the top-level fields and row fields it reads, and fn."""

    source: str
    fn: Fn
    refs: set[str] = field(default_factory=set)
    row_refs: set[str] = field(default_factory=set)

    def __call__(self, top: Mapping[str, Any], row: Mapping[str, Any] | None = None) -> Any:
        return self.fn(top, row)


class _Parser:
    def __init__(self, text: str, scope: Scope) -> None:
        self.toks = tokenize(text)
        self.i = 0
        self.scope = scope
        self.depth = 0
        self.refs: set[str] = set()
        self.row_refs: set[str] = set()

    # token helpers
    def peek(self) -> Token:
        return self.toks[self.i]

    def take(self) -> Token:
        t = self.toks[self.i]
        self.i += 1
        return t

    def at(self, kind: str, value: Any = None) -> bool:
        t = self.toks[self.i]
        return t.kind == kind and (value is None or t.value == value)

    def expect(self, kind: str, value: Any) -> Token:
        if not self.at(kind, value):
            t = self.peek()
            got = "end of expression" if t.kind == "end" else repr(t.value)
            raise ExprError(f"expected {value!r}, found {got}", t.pos)
        return self.take()

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(f"expression nested deeper than {MAX_DEPTH}", self.peek().pos)

    def parse(self) -> Fn:
        fn = self.expr()
        if not self.at("end"):
            t = self.peek()
            raise ExprError(f"unexpected {t.value!r}", t.pos)
        return fn

    def expr(self) -> Fn:
        self.enter()
        left = self.and_()
        while self.at("name", "or"):
            self.take()
            right = self.and_()
            left = _or(left, right)
        self.depth -= 1
        return left

    def and_(self) -> Fn:
        left = self.not_()
        while self.at("name", "and"):
            self.take()
            right = self.not_()
            left = _and(left, right)
        return left

    def not_(self) -> Fn:
        if self.at("name", "not"):
            self.take()
            self.enter()
            inner = self.not_()
            self.depth -= 1

            def f(top: Any, row: Any) -> Any:
                t = truth(inner(top, row))
                return None if t is None else not t

            return f
        return self.compare()

    def compare(self) -> Fn:
        left = self.sum_()
        t = self.peek()
        if t.kind == "op" and t.value in ("=", "==", "!=", "<", "<=", ">", ">="):
            self.take()
            right = self.sum_()
            return _comparison(t.value, left, right)
        return left

    def sum_(self) -> Fn:
        left = self.product()
        while self.peek().kind == "op" and self.peek().value in ("+", "-"):
            op = self.take().value
            left = _binop(op, left, self.product())
        return left

    def product(self) -> Fn:
        left = self.unary()
        while self.peek().kind == "op" and self.peek().value in ("*", "/", "%"):
            op = self.take().value
            left = _binop(op, left, self.unary())
        return left

    def unary(self) -> Fn:
        if self.at("op", "-"):
            self.take()
            self.enter()
            inner = self.unary()
            self.depth -= 1
            return lambda top, row: _arith("-", 0, inner(top, row))
        return self.power()

    def power(self) -> Fn:
        base = self.primary()
        if self.at("op", "**"):
            t = self.take()
            self.enter()
            exp_start = self.i
            exp = self.unary()
            self.depth -= 1
            lit = self.toks[exp_start]
            if lit.kind == "num" and abs(lit.value) > MAX_EXPONENT:
                raise ExprError(f"exponent larger than {MAX_EXPONENT}", t.pos)
            return _binop("**", base, exp)
        return base

    def primary(self) -> Fn:
        t = self.take()
        if t.kind == "num" or t.kind == "str":
            return _const(t.value)
        if t.kind == "op" and t.value == "(":
            inner = self.expr()
            self.expect("op", ")")
            return inner
        if t.kind != "name":
            got = "end of expression" if t.kind == "end" else repr(t.value)
            raise ExprError(f"unexpected {got}", t.pos)
        word = t.value
        if word == "true":
            return lambda top, row: True
        if word == "false":
            return lambda top, row: False
        if word == "null":
            return lambda top, row: None
        if word in KEYWORDS:
            raise ExprError(f"unexpected {word!r}", t.pos)
        if self.at("op", "("):
            return self.call(word, t.pos)
        if self.at("op", "."):
            raise ExprError(f"'{word}.…' is only allowed inside count()/sum()", t.pos)
        return self.ref(word, t.pos)

    def ref(self, name: str, pos: int) -> Fn:
        scope = self.scope
        if scope.row is not None and name in scope.row:
            self.row_refs.add(name)
            fn: Fn = lambda top, row: row.get(name) if row is not None else None  # noqa: E731
            _REFS[fn] = (True, name)
            return fn
        if name in scope.top:
            if name in scope.groups and scope.row is None:
                pass  # a whole group used as a value: allowed (e.g. length(changes))
            self.refs.add(name)
            fn = lambda top, row: top.get(name)  # noqa: E731
            _REFS[fn] = (False, name)
            return fn
        raise ExprError(f"unknown field {name!r}", pos)

    def args(self) -> list[Fn]:
        self.expect("op", "(")
        self.enter()
        out: list[Fn] = []
        if not self.at("op", ")"):
            out.append(self.expr())
            while self.at("op", ","):
                self.take()
                out.append(self.expr())
        self.expect("op", ")")
        self.depth -= 1
        return out

    def call(self, name: str, pos: int) -> Fn:
        if name in ("count", "sum"):
            return self.aggregate(name, pos)
        if name not in FUNCTIONS and name not in SPECIAL:
            raise ExprError(f"unknown function {name!r}", pos)
        args = self.args()
        if name == "today":
            if args:
                raise ExprError("today() takes no arguments", pos)
            return lambda top, row: top.get(TODAY_KEY)
        if name == "if":
            if len(args) != 3:
                raise ExprError("if() takes 3 arguments: condition, then, else", pos)
            c, a, b = args
            return lambda top, row: a(top, row) if truth(c(top, row)) else b(top, row)
        py, lo, hi = FUNCTIONS[name]
        if not lo <= len(args) <= hi:
            raise ExprError(f"{name}() takes {lo}..{hi} arguments, got {len(args)}", pos)
        if len(args) == 1:
            (a0,) = args
            return lambda top, row: py(a0(top, row))
        if len(args) == 2:
            a0, a1 = args
            return lambda top, row: py(a0(top, row), a1(top, row))
        return lambda top, row: py(*[a(top, row) for a in args])

    def aggregate(self, name: str, pos: int) -> Fn:
        """count(group), count(group, cond), sum(group.field), sum(group, expr)."""
        self.expect("op", "(")
        self.enter()
        g = self.take()
        if g.kind != "name" or g.value not in self.scope.groups:
            raise ExprError(f"{name}() needs a repeat group as its first argument", g.pos)
        group = g.value
        if self.scope.row is not None:
            raise ExprError(f"{name}() cannot be used inside a repeat group row", pos)
        self.refs.add(group)
        row_fields = self.scope.groups[group]
        inner: Fn | None = None
        if self.at("op", "."):
            self.take()
            f = self.take()
            if f.kind != "name" or f.value not in row_fields:
                raise ExprError(f"unknown field {group}.{f.value}", f.pos)
            fid = f.value

            def inner(top: Any, row: Any) -> Any:
                return row.get(fid)

        elif self.at("op", ","):
            self.take()
            saved, saved_rows = self.scope, self.row_refs
            self.scope = Scope(saved.top, saved.groups, row_fields)
            self.row_refs = set()
            inner = self.expr()
            self.scope, self.row_refs = saved, saved_rows
        self.expect("op", ")")
        self.depth -= 1
        if name == "count":
            if inner is None:
                return lambda top, row: len(top.get(group) or ())
            cond = inner
            return lambda top, row: sum(
                1 for r in (top.get(group) or ()) if truth(cond(top, r)) is True
            )
        if inner is None:
            raise ExprError("sum() needs group.field or group, expression", pos)
        item = inner

        def total(top: Any, row: Any) -> Any:
            acc: Any = 0
            for r in top.get(group) or ():
                v = item(top, r)
                if v is not None:
                    acc = _arith("+", acc, v)
                    if acc is None:
                        return None
            return acc

        return total


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
    fast = {
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }[op]

    def order(top: Any, row: Any) -> Any:
        a, b = left(top, row), right(top, row)
        if a.__class__ is b.__class__ and a is not None and a.__class__ in _ORDERED:
            return fast(a, b)
        return _compare(op, a, b)

    return order


_ORDERED = frozenset({int, Decimal, str, _dt.date, _dt.datetime})


def _binop(op: str, left: Fn, right: Fn) -> Fn:
    return lambda top, row: _arith(op, left(top, row), right(top, row))


def _and(left: Fn, right: Fn) -> Fn:
    def f(top: Any, row: Any) -> Any:
        a = left(top, row)
        if a is False or (a is not True and (a := truth(a)) is False):
            return False
        b = right(top, row)
        if b is False or (b is not True and (b := truth(b)) is False):
            return False
        return None if a is None or b is None else True

    return f


def _or(left: Fn, right: Fn) -> Fn:
    def f(top: Any, row: Any) -> Any:
        a = left(top, row)
        if a is True or (a is not False and (a := truth(a)) is True):
            return True
        b = right(top, row)
        if b is True or (b is not False and (b := truth(b)) is True):
            return True
        return None if a is None or b is None else False

    return f


def compile_expr(text: str, scope: Scope) -> Compiled:
    """Parse ``text`` once into a :class:`Compiled`; raises :class:`ExprError`."""
    if not isinstance(text, str):
        raise ExprError("an expression must be a string")
    p = _Parser(text, scope)
    inner = p.parse()

    def fn(top: Mapping[str, Any], row: Mapping[str, Any] | None) -> Any:
        try:
            return inner(top, row)
        except (ArithmeticError, ValueError, TypeError, AttributeError, RecursionError):
            return None  # an odd value at run time gives null, never an exception

    return Compiled(text, fn, p.refs, p.row_refs)
