"""Tokens of the expression language: limits, keywords, the error type and the tokenizer.

Text is split by hand (no ``eval``, no Python tokenizer); over-long text, too many tokens and
names starting with ``_`` are refused here, before any parsing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

MAX_LENGTH = 2000  #: characters in one expression
MAX_DEPTH = 32  #: nesting of parentheses / function calls / unary operators
MAX_TOKENS = 500
MAX_EXPONENT = 64
MAX_NUMBER = Decimal(10) ** 18
MAX_STRING = 10_000
TODAY_KEY = "_today"  #: where validate puts the date today() returns

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
