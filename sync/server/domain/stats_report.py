"""The statistics tables at a county or a province (issue 18): the shipped report definition and
:func:`forms.stats.compute` — the township's own core — over ``GROUP BY`` rows of ``stat_facts``
(:mod:`sync.server.domain.stats_facts`), with the org-unit tree the server keeps.

Rules at a server (stated in the report's rules text; the same at county and province):

- a record counts by its newest accepted version (at a province: relayed, so accepted);
- rows are the org units under the reporting unit (townships; at a province counties and their
  townships from each county's org-unit tree), with subtotals up the tree and the total;
- a member counts as of D from its join date while its latest membership change does not end
  it (转出 once accepted, 退会, 除名) on or before D; joins / transfers / leaving in the period
  by the latest change of that kind;
- an ID number is valid by its type's check (made while the record was open at acceptance) and
  unique when no other member of the same county current as of D has the same blind-index digest;
- unions founded after D do not count; assessments of the period's year held by D, funds reviews
  audited in the period by D (a correction replaces the checklist it corrects); open
  rectification items are those without a done date.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select, text
from sqlalchemy.engine import Connection

from forms import stats
from forms.stat_facts import day
from sync.server.domain.member_counts import NO_UNTIL, PERIOD_DATES
from sync.server.store import Store
from sync.server.tables import member_counts as mc
from sync.server.tables import stat_facts as sf

SERVER_RULES = {
    "zh_CN": "服务端:每条记录按其最新一个已审核通过的版本计算;证件号唯一性在同一县(区)内按盲索引判断;"
    "截至日后成立的工会不计;未写完成日期的整改事项为未完成。",
    "en": "Server: each record counts by its newest accepted version; ID numbers are unique within "
    "the county by blind index; unions founded after the as-of date do not count; rectification "
    "items without a done date are open.",
}


def _in(column: Any, lo: int, hi: int) -> Any:
    return and_(column >= lo, column <= hi)


def _flag(cond: Any) -> Any:
    return case((cond, 1), else_=0)


def _current(as_of: int) -> Any:
    return and_(
        sf.c.member_from <= as_of,
        or_(sf.c.member_until.is_(None), sf.c.member_until > as_of),
    )


def _grouped(
    conn: Connection,
    columns: Mapping[str, Any],
    where: Any,
    source: Any = None,
    sums: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """``GROUP BY`` the unit and ``columns``, with the count ``n`` and the totals of ``sums``."""
    summed = dict(sums or {})
    inner = select(
        sf.c.township.label("unit"),
        *(e.label(k) for k, e in columns.items()),
        *(e.label(k) for k, e in summed.items()),
    )
    if source is not None:
        inner = inner.select_from(source)
    sub = inner.where(where).subquery()
    keys = [sub.c.unit, *(sub.c[k] for k in columns)]
    totals = [func.coalesce(func.sum(sub.c[k]), 0).label(k) for k in summed]
    query = select(*keys, func.count().label("n"), *totals).group_by(*keys)
    return [dict(r._mapping) for r in conn.execute(query)]


def _bools(rows: list[dict[str, Any]], names: tuple[str, ...]) -> list[dict[str, Any]]:
    for row in rows:
        for name in names:
            if name in row:
                row[name] = bool(row[name])
    return rows


def _unions(conn: Connection, scope: Any, as_of: int, lo: int, hi: int) -> list[dict[str, Any]]:
    founded = sf.c.founded_date
    cols = {
        "union_type": sf.c.union_type,
        "employer_nature": sf.c.employer_nature,
        "status": sf.c.union_status,
        "founded_in_period": _flag(_in(founded, lo, hi)),
        "has_workers_congress": sf.c.has_congress,
        "has_funds_committee": sf.c.has_funds_committee,
        "has_women_committee": sf.c.has_women_committee,
        "has_collective_contract": sf.c.has_contract,
        "has_factory_affairs_open": sf.c.has_affairs_open,
        "workers_home_level": sf.c.home_level,
    }
    where = and_(scope, sf.c.source == "unions", founded <= as_of)
    # employees summed in the database: the rows are categories, not one per union
    sums = {"employees": sf.c.employees, "female_employees": sf.c.female_employees}
    rows = _grouped(conn, cols, where, sums=sums)
    for row in rows:
        row["totals"] = True
    return _bools(rows, ("founded_in_period", *(k for k in cols if k.startswith("has_"))))


def _members(
    conn: Connection, under: str | None, as_of: int, period: int, counted: bool
) -> list[dict[str, Any]]:
    """The members' rows: from ``member_counts`` and the few rows of members with a date in
    the as-of year (``counted``), or all from ``stat_facts`` (the raw query, the baseline)."""
    scope = or_(sf.c.county == under, sf.c.township == under) if under else literal(True)
    lo, hi = period * 10000 + 101, min(as_of, period * 10000 + 1231)
    current = _current(as_of)
    members = and_(scope, sf.c.source == "members")
    shared = (  # the duplicates as of the date, among the few rows that share a digest
        select(sf.c.county.label("s_county"), sf.c.id_digest.label("s_digest"))
        .where(members, current, sf.c.id_shared == 1)
        .group_by(sf.c.county, sf.c.id_digest)
        .having(func.count() > 1)
        .subquery()
    )
    cols = {
        "current": _flag(current),
        "female": sf.c.female,
        "migrant": sf.c.migrant,
        "new_form_kind": func.nullif(sf.c.new_form_kind, ""),
        "joined_in_period": _flag(_in(sf.c.joined_date, lo, hi)),
        "transferred_in_in_period": _flag(_in(sf.c.transfer_in_date, lo, hi)),
        "transferred_out_in_period": _flag(_in(sf.c.transfer_out_date, lo, hi)),
        "left_in_period": _flag(_in(sf.c.left_date, lo, hi)),
        "id_valid": sf.c.id_valid,
        "complete": sf.c.complete,
        "id_unique": case((and_(current, shared.c.s_digest.is_not(None)), 0), else_=1),
    }
    where = and_(members, sf.c.member_from <= as_of)
    names = tuple(k for k in cols if k != "new_form_kind")
    joined = sf.outerjoin(
        shared, and_(shared.c.s_county == sf.c.county, shared.c.s_digest == sf.c.id_digest)
    )
    # the rows that share no digest (nearly all) are unique whatever the date: no join for them,
    # and their 0/1 columns grouped as one packed integer (one hash key instead of ten)
    alone = sf.c.id_shared == 0  # members rows always have 0 or 1
    if counted:
        rows = _counted_members(conn, under, as_of, period)
        rows += _packed_members(conn, cols, and_(where, alone, _boundary(as_of, period)))
    else:
        rows = _packed_members(conn, cols, and_(where, alone))
    rows += _grouped(conn, cols, and_(where, sf.c.id_shared == 1), joined)
    return _bools(rows, names)


def _split(as_of: int, period: int) -> bool:
    """Whether the period's dates in the as-of year need more than their year: the period is
    the as-of date's year and ends at the date (not at Dec 31)."""
    return period == as_of // 10000 and as_of % 10000 != 1231


def _boundary(as_of: int, period: int) -> Any:
    """The ``stat_facts`` members rows that ``member_counts`` cannot answer as of ``as_of``
    for ``period`` (see :mod:`sync.server.domain.member_counts`): joined in the as-of year,
    left in its month, and when :func:`_split` a period date in the as-of year (joined) or
    month (the others). Each term a range on its partial index (``ix_stat_facts_<column>``,
    whose ``column > 0`` the term repeats so the planner sees it)."""
    y, month = as_of // 10000, as_of // 100

    def within(column: Any, lo: int, hi: int) -> Any:
        return and_(sf.c[column] > 0, sf.c[column] >= lo, sf.c[column] <= hi)

    terms = [
        within("member_from", y * 10000, y * 10000 + 9999),
        within("member_until", month * 100, month * 100 + 99),
    ]
    if _split(as_of, period):
        for column, unit in PERIOD_DATES.values():  # the rows whose bucket is y or M
            b = y if unit == 10000 else month
            lo, hi = max(b * unit, y * 10000 + 101), min(b * unit + unit - 1, y * 10000 + 1231)
            terms.append(within(column, lo, hi))
    return or_(*terms)


def _counted_members(
    conn: Connection, under: str | None, as_of: int, period: int
) -> list[dict[str, Any]]:
    """The rows of ``_packed_members`` for the members ``member_counts`` answers exactly (see
    :mod:`sync.server.domain.member_counts`): all but those of :func:`_boundary`."""
    y, month = as_of // 10000, as_of // 100
    split = _split(as_of, period)
    exact = [mc.c.from_year < y, mc.c.until_month != month]
    if split:
        exact += [
            mc.c[c] != (y if unit == 10000 else month) for c, (_, unit) in PERIOD_DATES.items()
        ]
    if under:
        exact.append(or_(mc.c.county == under, mc.c.township == under))

    def in_period(name: str) -> Any:
        bucket, unit = mc.c[name], PERIOD_DATES[name][1]
        if period > y:
            return literal(0)
        if not split:  # the whole calendar year P
            return _flag(
                and_(bucket >= period * 10000 // unit, bucket <= (period * 10000 + 9999) // unit)
            )
        if unit == 10000:  # year y is boundary (excluded above); no other year is in the period
            return literal(0)
        return _flag(and_(bucket >= y * 100, bucket < month))  # the months of y before M

    cols = {
        "current": _flag(or_(mc.c.until_month == NO_UNTIL, mc.c.until_month > month)),
        "female": mc.c.female,
        "migrant": mc.c.migrant,
        "new_form_kind": func.nullif(mc.c.new_form_kind, ""),
        "joined_in_period": in_period("joined_year"),
        "transferred_in_in_period": in_period("tin_month"),
        "transferred_out_in_period": in_period("tout_month"),
        "left_in_period": in_period("left_month"),
        "id_valid": mc.c.id_valid,
        "complete": mc.c.complete,
    }
    keys = [mc.c.township.label("unit"), *(e.label(k) for k, e in cols.items())]
    total = func.sum(mc.c.n)
    query = (
        select(*keys, total.label("n"))
        .where(*exact)
        .group_by(mc.c.township, *cols.values())
        .having(total > 0)
    )
    rows = []
    for r in conn.execute(query):
        row = dict(r._mapping)
        row["n"] = int(row["n"])
        row["id_unique"] = 1
        rows.append(row)
    return rows


def _packed_members(conn: Connection, cols: Mapping[str, Any], where: Any) -> list[dict[str, Any]]:
    """``_grouped`` of the members rows by unit, ``new_form_kind`` and the 0/1 columns of
    ``cols`` packed into one integer (bit i = the i-th of them), unpacked here; ``id_unique``
    is 1. The same rows as ``_grouped(conn, {**cols, "id_unique": literal(1)}, where)``."""
    flags = [k for k in cols if k not in ("new_form_kind", "id_unique")]
    packed = sum((func.coalesce(cols[k], 0) * (1 << i) for i, k in enumerate(flags)), literal(0))
    grouped = _grouped(
        conn, {"new_form_kind": cols["new_form_kind"], "packed_flags": packed}, where
    )
    rows = []
    for row in grouped:
        bits = int(row.pop("packed_flags"))
        row.update({k: (bits >> i) & 1 for i, k in enumerate(flags)})
        row["id_unique"] = 1
        rows.append(row)
    return rows


def _events(
    conn: Connection, scope: Any, source: str, period: int, as_of: int, lo: int, hi: int
) -> list[dict[str, Any]]:
    """Assessments or funds reviews: the rows of the year, and per unit how many unions were
    covered in it (``first_in_year``: each union once)."""
    live = and_(scope, sf.c.source == source)
    if source == "audits":
        replaced = select(sf.c.replaces).where(live, func.coalesce(sf.c.replaces, "") != "")
        live = and_(live, sf.c.record_uuid.not_in(replaced))
        in_year = _in(sf.c.event_date, lo, hi)
        cols: dict[str, Any] = {
            "in_year": _flag(in_year),
            "nc_income": sf.c.nc_income,
            "nc_spending": sf.c.nc_spending,
            "nc_other": sf.c.nc_other,
            "amount": sf.c.amount,
        }
    else:
        in_year = and_(sf.c.event_year == period, sf.c.event_date <= as_of)
        cols = {
            "in_year": _flag(in_year),
            "band": func.nullif(sf.c.band, ""),
            "rectification_required": sf.c.rectification_required,
            "open_items": sf.c.open_items,
        }
    rows = _bools(_grouped(conn, cols, live), ("in_year", "rectification_required"))
    for row in rows:
        row["first_in_year"] = False
        row.setdefault("overdue", 0)
    if source == "audits":
        rows += _overdue(conn, scope, live, as_of)
    unions = func.count(func.distinct(sf.c.union_uuid)).label("n")
    covered = select(sf.c.township, unions).where(live, in_year).group_by(sf.c.township)
    for r in conn.execute(covered):
        rows.append({"unit": r.township, "first_in_year": True, "in_year": False, "n": r.n})
    return rows


def _overdue(conn: Connection, scope: Any, checklists: Any, as_of: int) -> list[dict[str, Any]]:
    """Per unit, the items to rectify of the counted checklists past their deadline on the
    as-of date without an outcome ``done`` dated by then (any year)."""
    done = sf.alias("done")
    closed = (
        select(literal(1))
        .where(
            done.c.source == "audit_outcomes",
            done.c.union_uuid == sf.c.union_uuid,
            done.c.item_id == sf.c.item_id,
            done.c.band == "done",
            done.c.event_date <= as_of,
        )
        .exists()
    )
    kept = select(sf.c.record_uuid).where(checklists)
    query = (
        select(sf.c.township, func.count().label("n"))
        .where(scope, sf.c.source == "audit_items", sf.c.union_uuid.in_(kept))
        .where(sf.c.event_date != 0, sf.c.event_date < as_of, ~closed)
        .group_by(sf.c.township)
    )
    return [
        {"unit": r.township, "overdue": int(r.n), "in_year": False, "first_in_year": False}
        for r in conn.execute(query)
    ]


def server_units(store: Store) -> list[stats.Unit]:
    """The org-unit tree the server keeps: its own units, and at a province each county's
    latest tree (townships)."""
    from sync.server.domain.org_tree import latest_trees

    units = {u.code: stats.Unit(u.code, u.name, u.parent) for u in store.all_org_units()}
    for county, tree in latest_trees(store).items():
        for u in tree:
            code = str(u.get("code"))
            if code not in units:
                parent = u.get("parent") or county
                units[code] = stats.Unit(code, str(u.get("name") or code), str(parent))
    return list(units.values())


def facts(
    store: Store, as_of: str, period: int, under: str | None = None, counted: bool = True
) -> dict[str, list[dict[str, Any]]]:
    """The fact rows (``GROUP BY`` results with their count ``n``) of the county or township
    ``under`` (None: every record of this server). ``counted``: the members from the kept
    ``member_counts`` (False: the raw query over every member row, the same rows)."""
    when = day(as_of)
    lo, hi = period * 10000 + 101, min(when, period * 10000 + 1231)
    scope = or_(sf.c.county == under, sf.c.township == under) if under else literal(True)
    pg = store.engine.dialect.name == "postgresql"
    with store.read() as conn, conn.begin():
        if pg:
            conn.execute(text("SET LOCAL work_mem = '64MB'"))
        out = {"unions": _unions(conn, scope, when, lo, hi)}
        if pg:  # a few thousand groups of millions of rows: hash them (the planner would sort)
            conn.execute(text("SET LOCAL enable_sort = off"))
        out["members"] = _members(conn, under, when, period, counted)
        if pg:
            conn.execute(text("SET LOCAL enable_sort = on"))
        out["assessments"] = _events(conn, scope, "assessments", period, when, lo, hi)
        out["audits"] = _events(conn, scope, "audits", period, when, lo, hi)
        return out


def report(
    store: Store,
    top: str,
    as_of: str,
    period: int | None = None,
    definition: stats.ReportDef | None = None,
    counted: bool = True,
) -> stats.Report:
    """The statistics tables of org unit ``top`` (this server's own unit, or at a province one
    of its counties) as of ``as_of`` for ``period`` (the as-of date's year by default)."""
    import datetime as _dt

    _dt.date.fromisoformat(as_of)  # ValueError names a bad date
    year = int(period) if period is not None else int(as_of[:4])
    units = server_units(store)
    by_code = {u.code: u for u in units}
    if top not in by_code:
        raise stats.StatsInputError(f"{top!r} is not an org unit of this server")
    rows = facts(store, as_of, year, None if by_code[top].parent is None else top, counted)
    for source_rows in rows.values():  # a township the tree does not name yet: under its county
        for r in source_rows:
            if r["unit"] not in by_code:
                by_code[r["unit"]] = stats.Unit(r["unit"], r["unit"], top)
    definition = definition or stats.shipped_definition()
    rules_text = {k: f"{v} {SERVER_RULES.get(k, '')}" for k, v in definition.rules_text.items()}
    definition = _with_rules(definition, rules_text)
    return stats.compute(definition, list(by_code.values()), top, rows, as_of=as_of, period=year)


def _with_rules(d: stats.ReportDef, rules_text: dict[str, str]) -> stats.ReportDef:
    from dataclasses import replace

    return replace(d, rules_text=rules_text)


def for_device(
    server: Any, device: Any, as_of: str, period: int | None, unit: str | None
) -> dict[str, Any]:
    """``GET /v1/stats``: the tables of ``unit`` (the device's own org unit by default) for a
    reviewer device (or, at a province, a county's device) whose org unit covers it."""
    from sync.server.errors import SyncError

    if device.role not in ("reviewer", "county"):
        raise SyncError(403, "not_allowed", "statistics tables are for reviewer devices")
    top = unit or device.org_unit
    if not server.store.is_within(top, device.org_unit):
        raise SyncError(403, "not_allowed", "that org unit is not within this device's unit")
    try:
        result = report(server.store, top, as_of, period)
    except ValueError as exc:  # a bad date, an unknown unit
        raise SyncError(422, "bad_request", str(exc)) from exc
    return {"protocol": 1, "type": "stats_report", **stats.report_to_doc(result)}
