"""Member figures for the dashboard from a small counts table the database keeps itself.

``member_tally`` (schema step 4) holds one row per combination of union, female, migrant
worker, new employment form and kind of the latest membership change, with how many member
records have it. Triggers on ``records`` keep it in step inside the same transaction as every
insert, data update or delete of a member record — whichever code path writes it (bulk import,
edits, transfers, sync). Status changes do not touch the facts counted.

:func:`member_figures` reads those few rows and applies the rule of :mod:`forms.membership` (as
:func:`desktop.domain.transfers.is_current_member` does): a member whose latest change is an exit
(转出 / 退会 / 除名) does not count, unless it is a transfer out still pending — those few
members are looked up one by one. So the dashboard needs no scan of the member records.

The SQL below is the one schema step 4 installed: changing what is counted needs a new step.

**Bulk inserts (schema step 10).** The insert trigger costs about 35 us per member (it parses
the record's JSON five times and updates one count), a third of a large import's database
time. A batch of new member records (:func:`desktop.store.writer.write_all`) instead names the
range of ids it is about to insert in ``member_tally_deferred``, which the insert trigger skips,
inserts them, removes the range and adds their counts with one ``GROUP BY`` over exactly that
range — the same expressions, in the same transaction, so a batch that fails or is rolled back
takes its counts with it, and no committed state ever has a range in the table.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from forms import membership

if TYPE_CHECKING:
    from desktop.store.workspace import Workspace

FACT_COLUMNS = ("union_uuid", "female", "migrant", "new_form", "last_change")


def fact_exprs(row: str) -> tuple[str, ...]:
    """SQL expressions of the counted facts of a ``records`` row named ``row`` (NEW, OLD, r)."""
    data = f"{row}.data"
    latest_kind = (
        f"(SELECT json_extract(c.value, '$.kind') FROM json_each({data}, '$.changes') AS c"
        f" WHERE json_type({data}, '$.changes') = 'array' AND c.type = 'object'"
        " ORDER BY coalesce(json_extract(c.value, '$.date'), '') DESC, c.key DESC LIMIT 1)"
    )
    return (
        f"coalesce(json_extract({data}, '$.union'), '')",
        f"coalesce(json_extract({data}, '$.gender') = 'female', 0)",
        f"coalesce(json_extract({data}, '$.migrant_worker') = 1, 0)",
        f"coalesce(json_extract({data}, '$.employment_form') = 'new_form', 0)",
        f"coalesce({latest_kind}, '')",
    )


def _matches(row: str) -> str:
    return " AND ".join(
        f"{col} = {expr}" for col, expr in zip(FACT_COLUMNS, fact_exprs(row), strict=True)
    )


def _add(row: str, when: str) -> str:
    cols = ", ".join(FACT_COLUMNS)
    return (
        f"INSERT INTO member_tally ({cols}, n) SELECT {', '.join(fact_exprs(row))}, 1"
        f" WHERE {when} ON CONFLICT ({cols}) DO UPDATE SET n = n + 1"
    )


def _remove(row: str, when: str) -> str:
    return f"UPDATE member_tally SET n = n - 1 WHERE {when} AND {_matches(row)}"


_WAS_MEMBER = "OLD.form_id = 'member'"
_IS_MEMBER = "NEW.form_id = 'member'"

#: schema step 4: the table, filled from the records there are, and its triggers
SCHEMA = (
    "CREATE TABLE member_tally ("
    " union_uuid TEXT NOT NULL, female INTEGER NOT NULL, migrant INTEGER NOT NULL,"
    " new_form INTEGER NOT NULL, last_change TEXT NOT NULL, n INTEGER NOT NULL,"
    " PRIMARY KEY (union_uuid, female, migrant, new_form, last_change)) WITHOUT ROWID",
    "INSERT INTO member_tally"
    f" SELECT {', '.join(fact_exprs('r'))}, count(*) FROM records r WHERE r.form_id = 'member'"
    " GROUP BY 1, 2, 3, 4, 5",
    "CREATE TRIGGER member_tally_insert AFTER INSERT ON records WHEN NEW.form_id = 'member'"
    f" BEGIN {_add('NEW', 'TRUE')}; END",
    "CREATE TRIGGER member_tally_delete AFTER DELETE ON records WHEN OLD.form_id = 'member'"
    f" BEGIN {_remove('OLD', 'TRUE')}; END",
    "CREATE TRIGGER member_tally_update AFTER UPDATE OF form_id, data ON records"
    " WHEN (OLD.form_id = 'member' OR NEW.form_id = 'member')"
    " AND (OLD.data IS NOT NEW.data OR OLD.form_id IS NOT NEW.form_id)"
    f" BEGIN {_remove('OLD', _WAS_MEMBER)}; {_add('NEW', _IS_MEMBER)}; END",
)


#: schema step 10: the insert trigger skips the ids of a bulk insert (counted per batch instead)
DEFERRED_SCHEMA = (
    "CREATE TABLE member_tally_deferred (lo INTEGER NOT NULL, hi INTEGER NOT NULL)",
    "DROP TRIGGER member_tally_insert",
    "CREATE TRIGGER member_tally_insert AFTER INSERT ON records WHEN NEW.form_id = 'member'"
    " AND NOT EXISTS (SELECT 1 FROM member_tally_deferred WHERE NEW.id BETWEEN lo AND hi)"
    f" BEGIN {_add('NEW', 'TRUE')}; END",
)
#: new member records written at once from which counting them per batch pays off
BULK_ROWS = 64


def has_deferral(conn: Any) -> bool:
    """False on a schema before step 10 (the trigger counts every insert there)."""
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'member_tally_deferred'"
    ).fetchone()
    return found is not None


def defer(conn: Any, lo: int, hi: int) -> None:
    """Before inserting records with ids ``lo``..``hi``: the trigger leaves them uncounted
    (call :func:`count_range` after the inserts, in the same transaction)."""
    conn.execute("INSERT INTO member_tally_deferred (lo, hi) VALUES (?, ?)", (lo, hi))


def count_range(conn: Any, lo: int, hi: int) -> None:
    """After the inserts: the range is counted like any insert again, and the member records
    in it are added to the counts (one ``GROUP BY``, the trigger's expressions)."""
    conn.execute("DELETE FROM member_tally_deferred WHERE lo = ? AND hi = ?", (lo, hi))
    cols = ", ".join(FACT_COLUMNS)
    conn.execute(
        f"INSERT INTO member_tally ({cols}, n)"
        f" SELECT {', '.join(fact_exprs('r'))}, count(*) FROM records r"
        " WHERE r.id BETWEEN ? AND ? AND r.form_id = 'member' GROUP BY 1, 2, 3, 4, 5"
        f" ON CONFLICT ({cols}) DO UPDATE SET n = n + excluded.n",
        (lo, hi),
    )


@dataclass
class MemberFigures:
    """Current members (is_current_member rules) in all and by union."""

    members: int = 0
    female: int = 0
    migrant: int = 0
    new_form: int = 0
    by_union: Counter[str] = field(default_factory=Counter)

    def add(self, union_uuid: str, female: int, migrant: int, new_form: int, n: int) -> None:
        self.members += n
        self.female += n * bool(female)
        self.migrant += n * bool(migrant)
        self.new_form += n * bool(new_form)
        self.by_union[union_uuid] += n


def member_figures(ws: Workspace) -> MemberFigures:
    """The dashboard's member figures, read from ``member_tally`` (no scan of the members)."""
    from desktop.store.transfer_state import pending_member_uuids

    ws._require_open()
    conn = ws._connection()
    out = MemberFigures()
    for union_uuid, female, migrant, new_form, last, n in conn.execute(
        f"SELECT {', '.join(FACT_COLUMNS)}, n FROM member_tally WHERE n > 0"
    ):
        if membership.counts_by_kind(last, transfer_pending=False):
            out.add(union_uuid, female, migrant, new_form, n)
    pending = sorted(pending_member_uuids(ws))
    for k in range(0, len(pending), 500):
        part = pending[k : k + 500]
        marks = ",".join("?" * len(part))
        for union_uuid, female, migrant, new_form, last in conn.execute(
            f"SELECT {', '.join(fact_exprs('r'))} FROM records r"
            f" WHERE r.uuid IN ({marks}) AND +r.form_id = 'member'",  # by uuid, never a scan
            part,
        ):
            # still ours until the other township confirms (the rest was counted above)
            if last == membership.TRANSFER_OUT and membership.counts_by_kind(last, True):
                out.add(union_uuid, female, migrant, new_form, 1)
    return out


def drift(conn: Any) -> list[str]:
    """Problems when the kept counts differ from a recount of the member records (``ws.check``)."""
    cols = ", ".join(FACT_COLUMNS)
    kept = {
        tuple(r[:-1]): r[-1]
        for r in conn.execute(f"SELECT {cols}, n FROM member_tally WHERE n != 0")
    }
    recount = {
        tuple(r[:-1]): r[-1]
        for r in conn.execute(
            f"SELECT {', '.join(fact_exprs('r'))}, count(*) FROM records r"
            " WHERE r.form_id = 'member' GROUP BY 1, 2, 3, 4, 5"
        )
    }
    if kept == recount:
        return []
    return ["The kept member counts differ from the member records (the dashboard would be wrong)."]
