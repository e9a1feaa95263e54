"""Record data for counting (the statistics tables), never shown. Not audited as an unmask:
only counts leave the callers (:mod:`desktop.domain.stats_facts`), never a value.

- :func:`raw_records`: every record of a form with its values as stored, read in one pass (the
  few unions, assessment sessions and checklists of a township);
- ``member_facts`` (schema step 7): one row per member record with what the tables count of it
  — union, female, migrant worker, new-employment-form kind, join day, ID number valid and a
  keyed digest of it (uniqueness without the number), every required field filled — written by
  :func:`keep_members` in the same transaction as every write of a member record (single save,
  bulk save and import, transfers, sync: they all go through :func:`desktop.store.writer.
  write_all`), so a 200k-member report is a ``GROUP BY``, not a pass over the records.

A member whose history can make it stop counting (a 转出 / 退会 / 除名 row, several rows, dates
that are not plain ISO days) keeps its change rows (dates and kinds, nothing personal) in
``history``; the report decides those few as of its date in Python. ``member_tally`` (schema
step 4, :mod:`desktop.store.tally`) stays what the dashboard reads: its latest-change counts
cannot answer "as of a date".
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import forms
from desktop.store.field_cipher import GM, PLAIN, FieldCipher
from forms.stat_facts import change_rows, day, id_key, simple_joined_day
from sync.crypto_gm import hmac_sm3

if TYPE_CHECKING:
    import sqlcipher3

    from desktop.store.workspace import Workspace


def raw_records(ws: Workspace, form_id: str) -> Iterator[tuple[str, str, bool, dict[str, Any]]]:
    """(uuid, status, locked, data) of every record of ``form_id``, in creation order."""
    ws._require_open()
    cursor = ws._connection().execute(
        "SELECT uuid, status, locked, data FROM records WHERE form_id = ? ORDER BY id", (form_id,)
    )
    for uuid, status, locked, data in cursor:
        try:
            values = json.loads(data) if isinstance(data, str | bytes) else {}
            if isinstance(values, dict):
                values = ws._cipher.open_data(str(uuid), values)
        except ValueError:
            values = {}
        yield str(uuid), str(status), bool(locked), values if isinstance(values, dict) else {}


# --- kept member facts (schema step 7) ---------------------------------------------------------

#: schema step 7: one row per member record with what the statistics tables count of it
MEMBER_FACTS_SCHEMA = (
    "CREATE TABLE member_facts ("
    " rec INTEGER PRIMARY KEY,"  # records.id
    " unit TEXT NOT NULL,"  # the union the member belongs to (uuid)
    " female INTEGER NOT NULL, migrant INTEGER NOT NULL,"
    " new_form_kind TEXT,"  # the sub-kind when the employment form is new_form, else NULL
    " member_from INTEGER NOT NULL,"  # join date YYYYMMDD (0: none)
    " simple INTEGER NOT NULL,"  # 1: counts from member_from on, joined on joined_date
    " joined_date INTEGER NOT NULL,"
    " history TEXT,"  # simple = 0: the join date and change rows (dates and kinds only)
    " id_valid INTEGER NOT NULL,"
    " id_digest TEXT NOT NULL,"  # keyed digest of type|number ('' without a number)
    " complete INTEGER NOT NULL,"
    " form_version INTEGER NOT NULL)",  # of the member form `complete` was judged by
    "CREATE INDEX member_facts_digest ON member_facts (id_digest) WHERE id_digest != ''",
)
_KEY_SETTING = "stat_facts.key"
_INSERT = (
    "INSERT OR REPLACE INTO member_facts (rec, unit, female, migrant, new_form_kind, member_from,"
    " simple, joined_date, history, id_valid, id_digest, complete, form_version)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEYWORDS = frozenset({"and", "or", "not", "in", "True", "False", "None", "true", "false"})


def _relevance_names(form: Any) -> tuple[str, ...]:
    """Every name a ``relevant`` expression of the form mentions (its value decides whether a
    required field is asked for, so it is part of a record's completeness shape)."""
    found: set[str] = set()

    def walk(fields: Any) -> None:
        for f in fields or []:
            if isinstance(f, Mapping):
                found.update(_NAME.findall(str(f.get("relevant") or "")))
                walk(f.get("fields"))

    raw = getattr(form, "raw", None) or {}
    for section in raw.get("sections") or []:
        walk(section.get("fields"))
    return tuple(sorted(found - _KEYWORDS))


_BLANKS: tuple[Any, ...] = (None, "", [], {})


def _present(values: Mapping[str, Any]) -> frozenset[str]:
    return frozenset(k for k, v in values.items() if v not in _BLANKS)


class Completeness:
    """Whether a member record has every required field, by :func:`forms.validate` (required
    does not depend on the day: only ``max: today`` constraints do); records of the same shape
    (fields filled, values the relevance rules look at) share one answer, so a large roster is
    validated a few dozen times, not once a member."""

    def __init__(self, form: Any) -> None:
        self.form = form
        self.version = int(getattr(form, "version", 0) or 0)
        self.names = _relevance_names(form)
        self.known: dict[Any, bool] = {}

    def __call__(self, d: Mapping[str, Any]) -> bool:
        pick = self.names
        key = (
            frozenset(  # (a non-empty string is no blank: most values, told apart quickly)
                k
                for k, v in d.items()
                if (v.__class__ is str and v or v not in _BLANKS) and k != "changes"
            ),
            tuple(str(d.get(n)) for n in pick),
            tuple((_present(c), tuple(str(c.get(n)) for n in pick)) for c in change_rows(d)),
        )
        ok = self.known.get(key)
        if ok is None:
            result = forms.validate(self.form, dict(d), today=_dt.date.today())
            ok = self.known[key] = not any(e.code == "required" for e in result.errors)
        return ok


_JUDGES: dict[tuple[str, int], Completeness] = {}


def completeness(form: Any) -> Completeness:
    """The (shared, memoised) completeness judge of a member form version."""
    key = (str(getattr(form, "id", "")), int(getattr(form, "version", 0) or 0))
    judge = _JUDGES.get(key)
    if judge is None or judge.form is not form and judge.form.raw != getattr(form, "raw", None):
        judge = _JUDGES[key] = Completeness(form)
    return judge


def _digest_key(conn: sqlcipher3.Connection) -> bytes:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (_KEY_SETTING,)).fetchone()
    if row is None:  # made by schema step 7; a new random key if it is gone
        value = os.urandom(32).hex()
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?)", (_KEY_SETTING, json.dumps(value))
        )
        return bytes.fromhex(value)
    return bytes.fromhex(str(json.loads(row[0])))


def _id_digest(key: bytes, number: str, suite: str) -> str:
    """The keyed digest of an ID number that tells shared numbers apart without the number:
    HMAC-SM3 on a ``gm`` workspace, HMAC-SHA256 on ``intl``."""
    if not number:
        return ""
    if suite == GM:
        return hmac_sm3(key, number.encode()).hex()[:32]
    base = _SHA256_KEYED.get(key)
    if base is None:  # the keyed state once per key (a copy per number is half the work)
        _SHA256_KEYED.clear()
        base = _SHA256_KEYED[key] = hmac.new(key, digestmod=hashlib.sha256)
    h = base.copy()
    h.update(number.encode())
    return h.hexdigest()[:32]


_SHA256_KEYED: dict[bytes, hmac.HMAC] = {}


def member_fact_row(
    rec_id: int, d: Mapping[str, Any], judge: Completeness, key: bytes, suite: str = "intl"
) -> tuple[Any, ...]:
    """The ``member_facts`` row of one member record (for :data:`_INSERT`)."""
    joined = simple_joined_day(d)
    history = None
    if joined is None:
        history = json.dumps(
            {
                "join_date": d.get("join_date"),
                "changes": [[c.get("date"), c.get("kind")] for c in change_rows(d)],
            },
            ensure_ascii=False,
        )
    number, valid = id_key(d)
    digest = _id_digest(key, number, suite)
    new_form = d.get("new_form_kind") if d.get("employment_form") == "new_form" else None
    return (
        rec_id,
        str(d.get("union") or ""),
        int(d.get("gender") == "female"),
        int(bool(d.get("migrant_worker"))),
        None if new_form is None else str(new_form),
        day(d.get("join_date")),
        int(joined is not None),
        joined or 0,
        history,
        int(valid),
        digest,
        int(judge(d)),
        judge.version,
    )


def _has_table(conn: sqlcipher3.Connection) -> bool:
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'member_facts'"
    ).fetchone()
    return found is not None


def keep_members(
    conn: sqlcipher3.Connection,
    member_form: Any,
    items: Iterable[tuple[int, Mapping[str, Any]]],
    suite: str = "intl",
) -> None:
    """Write the ``member_facts`` rows of ``items`` ((records.id, plain data) of member records)
    in the caller's transaction (``suite``: the workspace's, for the ID digest)."""
    items = list(items)
    if not items or not _has_table(conn):
        return  # a workspace before schema step 7 (being written by the steps before it)
    judge, key = completeness(member_form), _digest_key(conn)
    rows = [member_fact_row(rid, d, judge, key, suite) for rid, d in items]
    conn.executemany(_INSERT, rows)


def _member_items(cursor: Any, cipher: FieldCipher) -> Iterator[tuple[int, dict[str, Any]]]:
    """(records.id, plain data) of ``(id, uuid, data)`` rows (sealed fields opened)."""
    for rid, uuid, data in cursor:
        try:
            values = json.loads(data)
            if isinstance(values, dict):
                values = cipher.open_data(str(uuid), values)
        except ValueError:
            values = {}
        yield int(rid), values if isinstance(values, dict) else {}


def fill_members(
    conn: sqlcipher3.Connection, member_form: Any, where: str = "", cipher: FieldCipher = PLAIN
) -> int:
    """(Re)make the rows of every member record (``where``: more of the ``records r`` filter);
    returns how many. Schema step 7, :func:`refresh_members` and the move to ``gm`` use it."""
    cursor = conn.execute(
        "SELECT r.id, r.uuid, r.data FROM records r"
        f" WHERE r.form_id = 'member' {where} ORDER BY r.id"
    )
    done = 0
    while batch := cursor.fetchmany(5000):
        keep_members(conn, member_form, _member_items(batch, cipher), cipher.suite)
        done += len(batch)
    return done


def refresh_members(
    conn: sqlcipher3.Connection, member_form: Any, cipher: FieldCipher = PLAIN
) -> int:
    """Rows judged complete by another member form version than ``member_form`` (a new version
    came by sync), or missing: made again (inside the caller's transaction). Returns how many."""
    version = int(getattr(member_form, "version", 0) or 0)
    return fill_members(
        conn,
        member_form,
        "AND NOT EXISTS (SELECT 1 FROM member_facts f WHERE f.rec = r.id"
        f" AND f.form_version = {version})",
        cipher,
    )


def stale_members(conn: sqlcipher3.Connection, member_form: Any) -> bool:
    """Whether any member row was judged by another form version (or a record lacks its row)."""
    version = int(getattr(member_form, "version", 0) or 0)
    other = conn.execute(
        "SELECT 1 FROM member_facts WHERE form_version != ? LIMIT 1", (version,)
    ).fetchone()
    if other is not None:
        return True
    kept = conn.execute("SELECT count(*) FROM member_facts").fetchone()[0]
    records = conn.execute("SELECT count(*) FROM records WHERE form_id = 'member'").fetchone()[0]
    return bool(kept != records)


def member_drift(
    conn: sqlcipher3.Connection, member_form: Any, cipher: FieldCipher = PLAIN
) -> list[str]:
    """Problems when the kept member facts differ from the member records (``ws.check``)."""
    judge, key = completeness(member_form), _digest_key(conn)
    kept = {r[0]: tuple(r) for r in conn.execute("SELECT * FROM member_facts")}
    cursor = conn.execute("SELECT id, uuid, data FROM records WHERE form_id = 'member'")
    fresh = {
        rid: member_fact_row(rid, d, judge, key, cipher.suite)
        for rid, d in _member_items(cursor, cipher)
    }
    if kept == fresh:
        return []
    return ["The kept member facts differ from the member records (statistics would be wrong)."]


_SHARED = (
    "WITH shared AS (SELECT id_digest FROM member_facts WHERE id_digest != ''"
    " GROUP BY id_digest HAVING count(*) > 1) "
)


def member_facts_as_of(
    ws: Workspace, as_of: int, lo: int, hi: int
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The kept member facts for a report as of day ``as_of`` with the period ``lo``..``hi``
    (YYYYMMDD), as (groups, others):

    - groups: ``(unit, female, migrant, new_form_kind, joined_in_period, id_valid, complete,
      n)`` of the members that count whatever the date once joined (``simple``), joined by
      ``as_of`` and with an ID number no other member record has;
    - others: ``(uuid, unit, female, migrant, new_form_kind, member_from, simple, joined_date,
      history, id_valid, id_digest, complete)`` of the rest (histories, shared numbers).

    Rows judged by an older member form, or missing, are made again first."""
    ws._require_open()
    conn = ws._connection()
    form = ws.forms.latest("member")
    if stale_members(conn, form):
        from desktop.store import db

        with db.transaction(conn, "updating the statistics facts"):
            refresh_members(conn, form, ws._cipher)
    groups = conn.execute(
        _SHARED + "SELECT unit, female, migrant, new_form_kind, joined_date BETWEEN ? AND ?,"
        " id_valid, complete, count(*) FROM member_facts"
        " WHERE simple = 1 AND member_from <= ? AND id_digest NOT IN shared"
        " GROUP BY 1, 2, 3, 4, 5, 6, 7",
        (lo, hi, as_of),
    ).fetchall()
    others = conn.execute(
        _SHARED + "SELECT r.uuid, f.unit, f.female, f.migrant, f.new_form_kind, f.member_from,"
        " f.simple, f.joined_date, f.history, f.id_valid, f.id_digest, f.complete"
        " FROM member_facts f JOIN records r ON r.id = f.rec"
        " WHERE f.simple = 0 OR f.id_digest IN shared ORDER BY f.rec"
    ).fetchall()
    return groups, others
