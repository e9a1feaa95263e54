"""The province's aggregate totals (``province_totals``), kept incrementally: per (county,
township, form) the number of ``province_facts`` rows (``records``) and the sum of each of their
``FACT_COLUMNS``.

Every write to ``province_facts`` calls :func:`apply` in its own transaction with the fact rows it
removed or overwrote (``old``) and the rows it wrote (``new``): their differences are summed per
key in memory and written as one adding upsert (:func:`sync.server.store.add_to_counts`), in key order, so two transactions that touch the same
keys wait for each other instead of deadlocking; the key starts with the county, so two counties
relaying at once never touch the same row. A key left without records is deleted, so the table
always equals :func:`recount`, the ``GROUP BY`` over ``province_facts`` it replaces (kept as the
reference: tests, the bench's baseline, :func:`refill`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Connection

from sync.server.store import add_to_counts
from sync.server.tables import FACT_COLUMNS, facts, province_totals

#: the kept columns besides the key: the count of fact rows, then the sum of each fact column
TOTAL_COLUMNS = ("records", *FACT_COLUMNS)
KEY_COLUMNS = ("county", "township", "form_id")

Key = tuple[str, str, str]


def _key(row: Mapping[Any, Any]) -> Key:
    return (str(row["county"]), str(row["township"]), str(row["form_id"]))


def deltas(
    old: Iterable[Mapping[Any, Any]], new: Iterable[Mapping[Any, Any]]
) -> dict[Key, tuple[int, ...]]:
    """What replacing the fact rows ``old`` by ``new`` changes, per key (zero changes left
    out), in :data:`TOTAL_COLUMNS` order."""
    out: dict[Key, list[int]] = {}
    for sign, rows in ((-1, old), (1, new)):
        for row in rows:
            sums = out.setdefault(_key(row), [0] * len(TOTAL_COLUMNS))
            sums[0] += sign
            for i, name in enumerate(FACT_COLUMNS, start=1):
                sums[i] += sign * int(row[name] or 0)
    return {key: tuple(sums) for key, sums in out.items() if any(sums)}


def apply(
    conn: Connection, old: Iterable[Mapping[Any, Any]], new: Iterable[Mapping[Any, Any]]
) -> None:
    """Add ``new`` fact rows' contributions to the totals and take ``old`` ones' away, in the
    caller's transaction (the one that wrote ``province_facts``)."""
    changed = sorted(deltas(old, new).items())
    if not changed:
        return
    rows = [
        {**dict(zip(KEY_COLUMNS, key, strict=True)), **dict(zip(TOTAL_COLUMNS, sums, strict=True))}
        for key, sums in changed
    ]
    add_to_counts(conn, province_totals, KEY_COLUMNS, TOTAL_COLUMNS, rows)
    t = province_totals.c
    for (county, township, form_id), sums in changed:
        if sums[0] < 0:  # fewer records there: none left, no row (as the GROUP BY has it)
            conn.execute(
                delete(province_totals).where(
                    t.county == county, t.township == township, t.form_id == form_id,
                    t.records == 0,
                )
            )  # fmt: skip


def recount_query() -> Any:
    """The totals computed from ``province_facts`` (a scan of every record's facts)."""
    keys = [facts.c[k] for k in KEY_COLUMNS]
    sums = [func.coalesce(func.sum(facts.c[n]), 0).label(n) for n in FACT_COLUMNS]
    return select(*keys, func.count().label("records"), *sums).group_by(*keys)


def recount(conn: Connection) -> dict[Key, tuple[int, ...]]:
    """The totals as a ``GROUP BY`` over ``province_facts`` has them (the reference)."""
    return {
        _key(r._mapping): tuple(int(r._mapping[n]) for n in TOTAL_COLUMNS)
        for r in conn.execute(recount_query())
    }


def stored(conn: Connection) -> dict[Key, tuple[int, ...]]:
    """The totals as kept in ``province_totals``."""
    return {
        _key(r._mapping): tuple(int(r._mapping[n]) for n in TOTAL_COLUMNS)
        for r in conn.execute(select(province_totals))
    }


def refill(conn: Connection) -> None:
    """Make the totals again from ``province_facts`` (after filling that table directly, as
    the benches do; revision 0012 does the same with its own copy of the query)."""
    conn.execute(delete(province_totals))
    query = recount_query()
    conn.execute(
        province_totals.insert().from_select([*KEY_COLUMNS, "records", *FACT_COLUMNS], query)
    )
