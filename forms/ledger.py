"""A union's journal (序时账 / 明细账) as plain data: lines, vouchers, account classes.

One :class:`Line` per debit or credit as the finance software exports it; the lines sharing a
voucher number (凭证字号) in one month form a :class:`Voucher`. Amounts are integer fen. Which
account belongs to which class (会费收入, 职工活动支出, 库存现金 …) is data: an
:class:`AccountClasses` built from the ``accounts`` block of a scan rule set, matching the
account name (a sub-account ``职工活动支出-文体活动`` belongs to its parent) or a code prefix.
Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Line:
    """One journal line: a debit or a credit of one voucher."""

    date: str  # ISO date
    voucher: str  # 凭证字号 as written, e.g. 记-0012
    summary: str = ""  # 摘要
    account_code: str = ""
    account_name: str = ""
    debit: int = 0  # fen
    credit: int = 0  # fen
    payee: str = ""  # 对方单位
    attachments: int | None = None  # 附件张数; None when the export has no such column
    row: int = 0  # row number in the file

    @property
    def month(self) -> str:
        return self.date[:7]

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Line:
        return cls(**{k: raw[k] for k in cls.__dataclass_fields__ if k in raw})


def voucher_key(line: Line) -> str:
    """Identifies a voucher across the year: voucher numbers restart every month."""
    return f"{line.month}/{line.voucher}"


@dataclass(eq=False)
class Voucher:
    """The lines of one voucher, in file order (hashed by identity)."""

    key: str
    number: str
    date: str
    lines: list[Line] = field(default_factory=list)

    @property
    def payee(self) -> str:
        return next((x.payee for x in self.lines if x.payee), "")

    @property
    def attachments(self) -> int | None:
        known = [x.attachments for x in self.lines if x.attachments is not None]
        return max(known) if known else None


def vouchers(lines: Iterable[Line]) -> list[Voucher]:
    """Lines grouped into vouchers, in order of first appearance."""
    out: dict[str, Voucher] = {}
    for line in lines:
        key = voucher_key(line)
        v = out.get(key)
        if v is None:
            v = out[key] = Voucher(key, line.voucher, line.date)
        v.lines.append(line)
    return list(out.values())


@dataclass(frozen=True)
class AccountClass:
    names: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()

    def matches(self, line: Line) -> bool:
        name = line.account_name
        if any(n in name for n in self.names):
            return True
        return bool(line.account_code) and any(line.account_code.startswith(c) for c in self.codes)


class AccountClasses:
    """Account class id (``expense``, ``cash`` …) -> what the ledger calls it."""

    def __init__(self, raw: Mapping[str, Any] | None) -> None:
        self.classes: dict[str, AccountClass] = {}
        for cid, spec in (raw or {}).items():
            spec = spec or {}
            self.classes[str(cid)] = AccountClass(
                tuple(str(x) for x in spec.get("names") or ()),
                tuple(str(x) for x in spec.get("codes") or ()),
            )
        self._cache: dict[tuple[str, str, str], bool] = {}

    def is_(self, cls: str, line: Line) -> bool:
        key = (cls, line.account_code, line.account_name)
        hit = self._cache.get(key)
        if hit is None:
            ac = self.classes.get(cls)
            hit = self._cache[key] = bool(ac and ac.matches(line))
        return hit

    def any_of(self, classes: Sequence[str], line: Line) -> bool:
        return any(self.is_(c, line) for c in classes)
