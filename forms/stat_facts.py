"""Per-record statistics facts (issue 18) that the township workspace and the servers both keep:
the pieces of a record the statistics tables count, taken from its data the same way at every
level. Pure functions over one record's data — no I/O; the callers store the result (a
township's ``member_facts`` table, a server's ``stat_facts`` rows).

Facts are categories, dates and flags. Dates are YYYYMMDD integers (0: none) so an as-of date
is a comparison in SQL; an ID number is reduced to its key ``type|number`` (the callers keep
only a keyed digest of it) and whether it passes its type's check (GB 11643 for resident IDs).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from forms.ids import is_valid_resident_id, normalise_resident_id

#: union form fields kept as flags, and the column names the servers give them
UNION_FLAGS = {
    "has_workers_congress": "has_congress",
    "has_funds_committee": "has_funds_committee",
    "has_women_committee": "has_women_committee",
    "has_collective_contract": "has_contract",
    "has_factory_affairs_open": "has_affairs_open",
}
#: change kinds after which a member has left (not a transfer)
LEAVE_KINDS = ("withdraw", "expel")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def text(value: Any) -> str:
    """``value`` when it is a string, else ``""``."""
    return value if isinstance(value, str) else ""


def integer(value: Any) -> int:
    """``value`` when it is an int (not a bool), else 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def day(value: Any) -> int:
    """An ISO date as the integer YYYYMMDD (0 for none or a malformed one)."""
    t = text(value)
    digits = t[:4] + t[5:7] + t[8:10]
    return int(digits) if len(t) >= 10 and digits.isdigit() else 0


def plain_day(value: Any) -> bool:
    """Whether ``value`` is empty or exactly ``YYYY-MM-DD`` (so comparing it as text with an
    ISO as-of date is comparing its :func:`day`)."""
    return value in (None, "") or (isinstance(value, str) and bool(_ISO_DAY.fullmatch(value)))


def id_key(d: Mapping[str, Any]) -> tuple[str, bool]:
    """(``type|number`` normalised, valid) of a member's ID number; ``""`` when there is none."""
    kind = str(d.get("id_type") or "resident_id")
    if kind == "resident_id":
        number = normalise_resident_id(d.get("id_number"))
        return (f"{kind}|{number}" if number else ""), is_valid_resident_id(number)
    number = str(d.get("id_number") or "").strip().upper()
    return (f"{kind}|{number}" if number else ""), bool(number)


def union_facts(d: Mapping[str, Any]) -> dict[str, Any]:
    """A union record's counted facts, by the servers' column names."""
    return {
        "union_type": text(d.get("union_type")),
        "employer_nature": text(d.get("employer_nature")),
        "union_status": text(d.get("status")),
        "founded_date": day(d.get("founded_date")),
        **{col: int(d.get(name) is True) for name, col in UNION_FLAGS.items()},
        "home_level": text(d.get("workers_home_level")),
        "employees": integer(d.get("employees")),
        "female_employees": integer(d.get("female_employees")),
    }


def change_rows(d: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The membership change rows of a member record (rows that are not objects left out)."""
    return [c for c in d.get("changes") or [] if isinstance(c, Mapping)]


def simple_joined_day(d: Mapping[str, Any]) -> int | None:
    """For a member whose history cannot make it stop counting — no change rows, or one 入会
    row — with plain dates: the day it joined for the period counts (the 入会 row's date, else
    the join date; 0: none). None for every other member (its rows decide as of each date)."""
    changes = change_rows(d)
    if not plain_day(d.get("join_date")):
        return None
    if not changes:
        return day(d.get("join_date"))
    if len(changes) == 1 and changes[0].get("kind") == "join" and plain_day(changes[0].get("date")):
        return day(changes[0].get("date"))
    return None
