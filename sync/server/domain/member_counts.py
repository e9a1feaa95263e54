"""Member counts kept pre-counted (issue 18 at a province of 10 million members, issue 20's
"facts for statistics kept incrementally in the ingest transaction").

``member_counts`` holds, for the ``stat_facts`` members rows that share no ID digest
(``id_shared = 0``: nearly all), how many rows have each combination of unit, static flags
(female, migrant, ID valid, complete, new-employment-form kind) and coarse buckets of their
dates: the *year* of ``member_from`` and of the joined date (which is nearly always the join
date: the bulk of the members, so years, which compress), the *month* of ``member_until`` and
of the transfer-in / transfer-out / leaving dates (the few members who have one). Exact dates
would compress nothing. The statistics tables as of a date D (year y, month M) for a
calendar-year period P are exact from the buckets for every member outside a small boundary
that :mod:`sync.server.domain.stats_report` counts from its rows:

- ``member_from`` before year y: on or before D (year y: boundary); ``member_until`` before
  month M: not a member at D, after M (or none): a member at D (month M: boundary);
- a period date in the period P0101..min(D, P1231): when P < y or D is Dec 31 its year is P;
  when P > y never; when P = y and D is before Dec 31 (the *split* case) a joined date in year
  y is boundary, and a month-bucketed date is in the period for a month before M, boundary in
  month M, out after it.

The buckets of ``member_from`` / ``member_until`` are the integers ``date / 10000`` and
``date / 100`` (so the boundary is an integer range the query takes by index); a period date's
bucket counts only for a month and day in 0101..1231 (else -1, never in any period), the
range a period is.

Every write of ``stat_facts`` (:mod:`sync.server.domain.stats_facts`, the only writer) runs inside
:func:`kept` for the rows it touches: their cells are counted before and after the change and
the difference is added in the same transaction (:func:`sync.server.store.add_to_counts`; the key starts with the county, so provinces ingesting different counties at once
never touch the same row). :func:`fill` recounts the whole table (revision 0011, the benches);
:func:`differences` compares the table with a recount (the tests).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from sync.server.store import add_to_counts
from sync.server.tables import member_counts as mc
from sync.server.tables import stat_facts as sf

Key = tuple[Any, ...]
NO_FROM = 99999  # from_year of a row without a member_from: never counts
NO_UNTIL = -1  # until_month of a member now (member_until null)
NO_YEAR = -1  # a period date's year when it is none or not a real day
#: the period dates' bucket columns: name → (the stat_facts column, its unit: 10000 a year,
#: 100 a month)
PERIOD_DATES = {
    "joined_year": ("joined_date", 10000),
    "tin_month": ("transfer_in_date", 100),
    "tout_month": ("transfer_out_date", 100),
    "left_month": ("left_date", 100),
}
KEY = tuple(c.name for c in mc.primary_key.columns)
_CHUNK = 400


def _period_bucket(column: Any, unit: int) -> ColumnElement[Any]:
    day = column % 10000
    return func.coalesce(
        case((and_(day >= 101, day <= 1231), column // unit), else_=NO_YEAR), NO_YEAR
    )


def cell_columns() -> dict[str, ColumnElement[Any]]:
    """The ``member_counts`` key of a ``stat_facts`` members row, as SQL over its columns."""
    cols: dict[str, ColumnElement[Any]] = {
        "county": sf.c.county,
        "township": sf.c.township,
        "female": func.coalesce(sf.c.female, 0),
        "migrant": func.coalesce(sf.c.migrant, 0),
        "id_valid": func.coalesce(sf.c.id_valid, 0),
        "complete": func.coalesce(sf.c.complete, 0),
        "new_form_kind": func.coalesce(sf.c.new_form_kind, ""),
        "from_year": func.coalesce(sf.c.member_from // 10000, NO_FROM),
        "until_month": func.coalesce(sf.c.member_until // 100, NO_UNTIL),
    }
    for name, (column, unit) in PERIOD_DATES.items():
        cols[name] = _period_bucket(sf.c[column], unit)
    assert tuple(cols) == KEY
    return cols


#: the ``stat_facts`` columns :func:`cell_of` reads
CELL_SOURCES = (
    "source", "id_shared", "county", "township", "female", "migrant", "id_valid", "complete",
    "new_form_kind", "member_from", "member_until", *(c for c, _unit in PERIOD_DATES.values()),
)  # fmt: skip


def _int(value: Any, none: int) -> int:
    return none if value is None else int(value)


def _period_bucket_of(value: Any, unit: int) -> int:
    if value is None:
        return NO_YEAR
    v = int(value)  # dates are YYYYMMDD, never negative: // and % as in SQL
    return v // unit if 101 <= v % 10000 <= 1231 else NO_YEAR


def cell_of(row: Mapping[str, Any]) -> Key | None:
    """The key of one ``stat_facts`` row (a mapping of its columns, :data:`CELL_SOURCES` at
    least) in Python, the same as :func:`cell_columns` in SQL; None for a row not counted.
    The writes use it for the rows they hold anyway (no query to read them back)."""
    if row.get("source") != "members" or row.get("id_shared") is None:
        return None
    if int(row["id_shared"]) != 0:
        return None
    return (
        row["county"],
        row["township"],
        _int(row.get("female"), 0),
        _int(row.get("migrant"), 0),
        _int(row.get("id_valid"), 0),
        _int(row.get("complete"), 0),
        row.get("new_form_kind") or "",
        _int(row.get("member_from"), NO_FROM * 10000) // 10000,
        _int(row.get("member_until"), NO_UNTIL * 100) // 100,
        *(_period_bucket_of(row.get(c), unit) for c, unit in PERIOD_DATES.values()),
    )


def tally(rows: Iterable[Mapping[str, Any]], sign: int = 1) -> Counter[Key]:
    """``sign`` × the cells of ``rows`` (:func:`cell_of`)."""
    out: Counter[Key] = Counter()
    for row in rows:
        key = cell_of(row)
        if key is not None:
            out[key] += sign
    return out


def counted_rows() -> ColumnElement[bool]:
    """The ``stat_facts`` rows ``member_counts`` counts."""
    return and_(sf.c.source == "members", sf.c.id_shared == 0)


def _cells_query(where: Any) -> Any:
    cols = cell_columns()
    keys = [e.label(k) for k, e in cols.items()]
    return (
        select(*keys, func.count().label("n")).where(counted_rows(), where).group_by(*cols.values())
    )


def cells(conn: Connection, where: Any = None) -> Counter[Key]:
    """The cells (key → rows) of the counted ``stat_facts`` rows matching ``where``."""
    query = _cells_query(literal(True) if where is None else where)
    out: Counter[Key] = Counter()
    for r in conn.execute(query):
        out[tuple(r[:-1])] += int(r[-1])
    return out


def _cells_of(conn: Connection, uuids: Sequence[str]) -> Counter[Key]:
    out: Counter[Key] = Counter()
    for start in range(0, len(uuids), _CHUNK):
        out.update(cells(conn, sf.c.record_uuid.in_(uuids[start : start + _CHUNK])))
    return out


def add(conn: Connection, delta: Counter[Key] | dict[Key, int]) -> None:
    """Add ``delta`` (key → rows, negative to take away) to ``member_counts``."""
    rows = [{**dict(zip(KEY, k, strict=True)), "n": n} for k, n in delta.items() if n]
    add_to_counts(conn, mc, KEY, ("n",), rows)  # sorted by key: one lock order for every writer


def _difference(before: Counter[Key], after: Counter[Key]) -> dict[Key, int]:
    return {k: after.get(k, 0) - before.get(k, 0) for k in before.keys() | after.keys()}


@contextmanager
def kept(
    conn: Connection, *, uuids: Sequence[str] | None = None, where: Any = None
) -> Iterator[None]:
    """Keep ``member_counts`` right across a change of the ``stat_facts`` rows with record ids
    ``uuids`` (or matching ``where``) made inside the block: every row the block inserts,
    deletes or updates must be among them, before and after."""
    if (uuids is None) == (where is None):
        raise ValueError("kept() takes uuids or where")
    ids = sorted(set(uuids)) if uuids is not None else []

    def count() -> Counter[Key]:
        return _cells_of(conn, ids) if uuids is not None else cells(conn, where)

    before = count()
    yield
    add(conn, _difference(before, count()))


def fill(conn: Connection) -> int:
    """Recount ``member_counts`` from ``stat_facts`` in one statement (revision 0011, benches);
    the number of cells."""
    conn.execute(mc.delete())
    conn.execute(mc.insert().from_select([*KEY, "n"], _cells_query(literal(True))))
    return int(conn.execute(select(func.count()).select_from(mc)).scalar() or 0)


def differences(conn: Connection) -> dict[Key, tuple[int, int]]:
    """The cells where ``member_counts`` and a recount from ``stat_facts`` differ: key → (kept,
    recounted); empty when they agree (cells of 0 are as good as none)."""
    recount = cells(conn)
    stored: Counter[Key] = Counter()
    for r in conn.execute(select(*(mc.c[k] for k in KEY), mc.c.n)):
        stored[tuple(r[:-1])] += int(r[-1])
    return {
        k: (stored.get(k, 0), recount.get(k, 0))
        for k in stored.keys() | recount.keys()
        if stored.get(k, 0) != recount.get(k, 0)
    }
