"""Dates known to the month only (入会年月 ``2019-05``) next to full dates.

A date field declares the precisions it takes (``"precision": ["day", "month"]``; the default is
day only, see FORMAT.md). A value typed as a year and a month (``2019-05``, ``2019.05``, ``2019/5``,
``2019年5月``, ``201905``) becomes a :class:`MonthDate`: a ``datetime.date`` on the first of the
month whose ISO form is ``YYYY-MM`` (stored, shown and exported as such). Compared with a full
date, a month date compares by year and month only: ``2019-05`` is neither before nor after
``2019-05-20`` (so ``2026-12`` is not "in the future" on 2026-12-07), and ``age`` counts whole
years by month when either date is a month.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

PRECISIONS = ("day", "month")
_MONTH_RE = re.compile(r"(\d{4})\s*(?:[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月?|(\d{2}))")


class MonthDate(_dt.date):
    """A year and a month (the day is 1 and means nothing)."""

    __slots__ = ()

    def __new__(cls, year: int, month: int, day: int = 1) -> MonthDate:
        return super().__new__(cls, year, month, 1)

    def isoformat(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    __str__ = isoformat

    def __repr__(self) -> str:
        return f"MonthDate({self.year}, {self.month})"

    def __reduce__(self) -> Any:
        return (MonthDate, (self.year, self.month))

    def _key(self, other: Any) -> tuple[tuple[int, int], tuple[int, int]] | None:
        if isinstance(other, _dt.datetime):
            other = other.date()
        if not isinstance(other, _dt.date):
            return None
        return (self.year, self.month), (other.year, other.month)

    def __eq__(self, other: object) -> bool:
        k = self._key(other)
        return NotImplemented if k is None else k[0] == k[1]

    def __ne__(self, other: object) -> bool:
        k = self._key(other)
        return NotImplemented if k is None else k[0] != k[1]

    def __lt__(self, other: Any) -> bool:
        k = self._key(other)
        return NotImplemented if k is None else k[0] < k[1]

    def __le__(self, other: Any) -> bool:
        k = self._key(other)
        return NotImplemented if k is None else k[0] <= k[1]

    def __gt__(self, other: Any) -> bool:
        k = self._key(other)
        return NotImplemented if k is None else k[0] > k[1]

    def __ge__(self, other: Any) -> bool:
        k = self._key(other)
        return NotImplemented if k is None else k[0] >= k[1]

    def __hash__(self) -> int:
        return hash(("month", self.year, self.month))


def parse_month(text: str) -> MonthDate | None:
    """``2019-05``, ``2019.05``, ``2019/5``, ``2019年5月``, ``201905`` as a month; else None.

    Raises ``ValueError`` for a month that does not exist (``2019-13``)."""
    m = _MONTH_RE.fullmatch(text.strip())
    if not m:
        return None
    month = m.group(2) or m.group(3) or m.group(4)
    y, mo = int(m.group(1)), int(month)
    if not 1 <= mo <= 12:
        raise ValueError("month")
    return MonthDate(y, mo)


def is_month(value: Any) -> bool:
    return isinstance(value, MonthDate)
