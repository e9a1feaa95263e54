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

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from forms.expr_tokens import (
    KEYWORDS,
    MAX_DEPTH,
    MAX_EXPONENT,
    TODAY_KEY,
    ExprError,
    Token,
    tokenize,
)
from forms.expr_values import (
    _REFS,
    FUNCTIONS,
    SPECIAL,
    Fn,
    _and,
    _arith,
    _binop,
    _comparison,
    _const,
    _or,
    as_date,
    truth,
)

__all__ = [
    "KEYWORDS",
    "TODAY_KEY",
    "Compiled",
    "ExprError",
    "Scope",
    "as_date",
    "compile_expr",
    "truth",
]

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
            ref = _REFS.get(a0)
            if ref is not None and not ref[0]:  # f(field): read the field without a call
                name = ref[1]
                return lambda top, row: py(top.get(name))
            return lambda top, row: py(a0(top, row))
        if len(args) == 2:
            a0, a1 = args
            ref = _REFS.get(a1)
            if ref is not None and not ref[0]:  # f(x, field), e.g. coalesce(…, gender)
                name = ref[1]
                return lambda top, row: py(a0(top, row), top.get(name))
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
