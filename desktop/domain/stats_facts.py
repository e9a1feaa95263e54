"""The statistics tables of an open township workspace: its records turned into the plain fact
rows :func:`forms.stats.compute` counts (categories and counts, never a name or an ID number),
with the township as the reporting unit and each grassroots union a row under it.

Rules (the definition's ``rules_text`` states them to the reader):

- *period* = the chosen year up to the as-of date; records dated after the as-of date are left
  out (unions founded later, members who joined later, changes, sessions, checklists);
- union, assessment and checklist drafts do not count; a union's members are the member records
  referring to it, drafts included (a member entered with fields missing is still a member: the
  real-name table shows it as incomplete);
- a member is current by its latest membership change up to the as-of date
  (:mod:`forms.membership`: 转出 / 退会 / 除名 do not count, a pending transfer out still does);
- an ID number is valid by its type's check (GB 11643 for resident IDs) and unique when no other
  current member of the workspace has the same one; a record is complete when no required field
  is missing;
- 会员评家: the sessions of the period's year held by the as-of date; the satisfaction band by the
  overall rate (≥ 90 %, ≥ 2/3, below); open items are rectifications not done by the as-of date;
- 经费审查: signed-off checklists (corrected ones left out) audited in the period; non-compliant
  items by area (income / spending / the rest) and their amount; overdue = rectification items
  past their deadline on the as-of date and not done (any year).
"""

from __future__ import annotations

import datetime as _dt
import json
from collections import Counter
from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from desktop.domain import assessments
from desktop.domain import checklists as audits
from desktop.domain.transfers import pending_member_uuids
from desktop.store import facts as kept
from desktop.store.facts import raw_records
from forms import membership, stats
from forms.checklist import NONCOMPLIANT, OVERDUE, rectification_state
from forms.ids import is_valid_resident_id, normalise_resident_id
from forms.stat_facts import day

if TYPE_CHECKING:
    from desktop.store import Workspace

LEAVE_KINDS = ("withdraw", "expel")
_MEMBER_FACTS = (
    "unit",
    "current",
    "female",
    "migrant",
    "new_form_kind",
    "joined_in_period",
    "transferred_in_in_period",
    "transferred_out_in_period",
    "left_in_period",
    "id_valid",
    "complete",
    "id_unique",
)


def _in_period(value: Any, period: int, as_of: str) -> bool:
    text = str(value or "")
    return text[:4] == str(period) and text <= as_of


def _not_after(value: Any, as_of: str) -> bool:
    return not value or str(value) <= as_of


def _union_facts(
    ws: Workspace, as_of: str, period: int
) -> tuple[list[stats.Unit], list[dict[str, Any]]]:
    top = ws.org_unit.code
    units, rows = [], []
    for uuid, status, _locked, d in raw_records(ws, "union"):
        if status == "draft" or not _not_after(d.get("founded_date"), as_of):
            continue
        name = str(d.get("full_name") or d.get("short_name") or uuid)
        units.append(stats.Unit(uuid, name, top))
        rows.append(
            {
                "unit": uuid,
                "union_type": d.get("union_type"),
                "employer_nature": d.get("employer_nature"),
                "status": d.get("status"),
                "founded_in_period": _in_period(d.get("founded_date"), period, as_of),
                **{
                    f: bool(d.get(f))
                    for f in (
                        "has_workers_congress",
                        "has_funds_committee",
                        "has_women_committee",
                        "has_collective_contract",
                        "has_factory_affairs_open",
                    )
                },
                "workers_home_level": d.get("workers_home_level"),
                "employees": int(d.get("employees") or 0),
                "female_employees": int(d.get("female_employees") or 0),
            }
        )
    return units, rows


def _id_key(d: Mapping[str, Any]) -> tuple[str, str, bool]:
    """(id type, normalised number, valid)."""
    kind = str(d.get("id_type") or "resident_id")
    raw = d.get("id_number")
    if kind == "resident_id":
        number = normalise_resident_id(raw)
        return kind, number, is_valid_resident_id(number)
    number = str(raw or "").strip().upper()
    return kind, number, bool(number)


def member_facts_from_records(
    ws: Workspace, as_of: str, period: int, unions: set[str]
) -> list[dict[str, Any]]:
    """One fact row per distinct combination of facts, with its count ``n``, from a pass over
    the member records (the reference the kept facts are checked against, and the bench's
    baseline)."""
    pending = pending_member_uuids(ws)
    complete = kept.completeness(ws.forms.latest("member"))
    rows: list[tuple[Any, ...]] = []
    keys: list[tuple[str, str]] = []
    for uuid, _status, _locked, d in raw_records(ws, "member"):
        unit = str(d.get("union") or "")
        if unit not in unions or not _not_after(d.get("join_date"), as_of):
            continue
        changes = [c for c in d.get("changes") or [] if isinstance(c, Mapping)]
        upto = [c for c in changes if _not_after(c.get("date"), as_of)]
        kinds = {str(c.get("kind")) for c in upto if _in_period(c.get("date"), period, as_of)}
        has_join_row = any(c.get("kind") == "join" for c in changes)
        current = membership.counts(upto, transfer_pending=uuid in pending)
        kind, number, valid = _id_key(d)
        new_form = d.get("new_form_kind") if d.get("employment_form") == "new_form" else None
        rows.append(
            (
                unit,
                current,
                d.get("gender") == "female",
                bool(d.get("migrant_worker")),
                new_form,
                "join" in kinds
                or (not has_join_row and _in_period(d.get("join_date"), period, as_of)),
                "transfer_in" in kinds,
                "transfer_out" in kinds,
                any(k in kinds for k in LEAVE_KINDS),
                valid,
                complete(d),
            )
        )
        keys.append((kind, number) if current and number else ("", uuid))
    seen = Counter(keys)
    grouped = Counter((*row, seen[key] == 1) for row, key in zip(rows, keys, strict=True))
    return [{**dict(zip(_MEMBER_FACTS, row, strict=True)), "n": n} for row, n in grouped.items()]


def _member_facts(ws: Workspace, as_of: str, period: int, unions: set[str]) -> list[dict[str, Any]]:
    """What :func:`member_facts_from_records` gives, from the kept member facts
    (:func:`desktop.store.facts.member_facts_as_of`): a ``GROUP BY`` for the members whose
    counting does not depend on the date beyond their join day, the same rules as the pass over
    the records for the few others (histories, ID numbers more than one record has)."""
    when = day(as_of)
    lo, hi = period * 10000 + 101, min(when, period * 10000 + 1231)
    groups, others = kept.member_facts_as_of(ws, when, lo, hi)
    grouped: Counter[tuple[Any, ...]] = Counter()
    for unit, female, migrant, new_form, joined, valid, complete, n in groups:
        if unit in unions:
            flags = (bool(joined), False, False, False, bool(valid), bool(complete), True)
            grouped[(unit, True, bool(female), bool(migrant), new_form, *flags)] += n
    pending = pending_member_uuids(ws) if others else set()
    rows: list[tuple[Any, ...]] = []
    keys: list[tuple[str, str]] = []
    for uuid, unit, female, migrant, new_form, since, simple, joined_day, history, valid, digest, \
            complete in others:  # fmt: skip
        if unit not in unions:
            continue
        if simple:
            if since > when:
                continue
            current, joined, kinds = True, lo <= joined_day <= hi, set()
        else:
            h = json.loads(history)
            if not _not_after(h.get("join_date"), as_of):
                continue
            changes = [{"date": c[0], "kind": c[1]} for c in h.get("changes") or []]
            upto = [c for c in changes if _not_after(c.get("date"), as_of)]
            kinds = {str(c.get("kind")) for c in upto if _in_period(c.get("date"), period, as_of)}
            has_join_row = any(c.get("kind") == "join" for c in changes)
            current = membership.counts(upto, transfer_pending=uuid in pending)
            joined = "join" in kinds or (
                not has_join_row and _in_period(h.get("join_date"), period, as_of)
            )
        rows.append(
            (
                unit,
                current,
                bool(female),
                bool(migrant),
                new_form,
                joined,
                "transfer_in" in kinds,
                "transfer_out" in kinds,
                any(k in kinds for k in LEAVE_KINDS),
                bool(valid),
                bool(complete),
            )
        )
        keys.append(("#", digest) if current and digest else ("", uuid))
    seen = Counter(keys)
    for row, key in zip(rows, keys, strict=True):
        grouped[(*row, seen[key] == 1)] += 1
    return [{**dict(zip(_MEMBER_FACTS, row, strict=True)), "n": n} for row, n in grouped.items()]


def _band(rate: Fraction | None) -> str | None:
    if rate is None:
        return None
    if rate >= Fraction(9, 10):
        return "90"
    return "67" if rate >= Fraction(2, 3) else "low"


def _first_in_year(rows: list[dict[str, Any]], key: str) -> None:
    """Mark the first in-year row per unit (by ``key``): the unit counts once as covered."""
    done: set[str] = set()
    for row in sorted(rows, key=lambda r: str(r.pop(key))):
        row["first_in_year"] = bool(row["in_year"]) and row["unit"] not in done
        if row["first_in_year"]:
            done.add(row["unit"])


def _assessment_facts(
    ws: Workspace, as_of: str, period: int, unions: set[str]
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for uuid, status, locked, d in raw_records(ws, assessments.FORM_ID):
        unit = str(d.get("union") or "")
        if status == "draft" or unit not in unions:
            continue
        session = assessments.Session.from_data(dict(d), uuid=uuid, status=status, locked=locked)
        in_year = session.year == period and _not_after(session.date, as_of)
        result = session.compute(assessments.template_for(session, ws))
        rows.append(
            {
                "unit": unit,
                "in_year": in_year,
                "band": _band(result.overall_rate) if result.ok else None,
                "rectification_required": bool(result.ok and result.rectification_required),
                "open_items": sum(
                    1 for r in session.rectifications if not r.done_date or str(r.done_date) > as_of
                ),
                "_order": f"{session.date}|{uuid}",
            }
        )
    _first_in_year(rows, "_order")
    return rows


def _audit_facts(
    ws: Workspace, as_of: str, period: int, unions: set[str], names: Mapping[str, str]
) -> list[dict[str, Any]]:
    records = [
        ws.records.get(uuid)
        for uuid, status, locked, _d in raw_records(ws, audits.CHECKLIST_FORM)
        if locked and status != "draft"
    ]
    replaced = audits.superseded_ids(records)
    today = _dt.date.fromisoformat(as_of)
    rows: list[dict[str, Any]] = []
    for rec in records:
        d = rec.data
        unit = str(d.get("union") or "") or names.get(str(d.get("union_name") or ""), "")
        if rec.uuid in replaced or unit not in unions:
            continue
        template = audits.template_of_record(ws, rec)
        area_of = {item.id: item.area for item in template.items}
        outcomes = audits.outcomes_of(ws, rec.uuid)
        nc: Counter[str] = Counter()
        amount = overdue = 0
        for item in d.get("items") or []:
            area = area_of.get(str(item.get("item_id")), "other")
            if item.get("result") == NONCOMPLIANT:
                nc[area if area in ("income", "spending") else "other"] += 1
                if isinstance(item.get("amount"), int):
                    amount += int(item["amount"])
            if item.get("rectify"):
                state, _days = rectification_state(
                    item.get("deadline"), outcomes.get(str(item.get("item_id"))), today
                )
                overdue += state == OVERDUE
        rows.append(
            {
                "unit": unit,
                "in_year": _in_period(d.get("audit_date"), period, as_of),
                "nc_income": nc["income"],
                "nc_spending": nc["spending"],
                "nc_other": nc["other"],
                "amount": amount,
                "overdue": overdue,
                "_order": f"{d.get('audit_date')}|{rec.uuid}",
            }
        )
    _first_in_year(rows, "_order")
    return rows


def township_facts(
    ws: Workspace, as_of: str, period: int, *, from_records: bool = False
) -> tuple[list[stats.Unit], str, dict[str, list[dict[str, Any]]]]:
    """(org tree, reporting unit code, facts by source) of the open workspace; the member
    facts from the kept ones, or (``from_records``) from a pass over the member records."""
    top = stats.Unit(ws.org_unit.code, ws.org_unit.name or ws.org_unit.code, None)
    units, union_rows = _union_facts(ws, as_of, period)
    codes = {u.code for u in units}
    names = {u.name: u.code for u in units}
    facts: dict[str, list[dict[str, Any]]] = {
        "unions": union_rows,
        "members": (member_facts_from_records if from_records else _member_facts)(
            ws, as_of, period, codes
        ),
        "assessments": _assessment_facts(ws, as_of, period, codes),
        "audits": _audit_facts(ws, as_of, period, codes, names),
    }
    return [top, *units], top.code, facts


def township_report(
    ws: Workspace,
    as_of: str,
    period: int | None = None,
    definition: stats.ReportDef | None = None,
    *,
    from_records: bool = False,
) -> stats.Report:
    """The statistics tables of the open workspace as of ``as_of`` (ISO date) for ``period``
    (a year; the as-of date's year by default). ``from_records``: count the members by a pass
    over their records instead of the kept facts (the reference; slow at 200k)."""
    _dt.date.fromisoformat(as_of)  # ValueError names a bad date
    year = int(period) if period is not None else int(as_of[:4])
    units, top, facts = township_facts(ws, as_of, year, from_records=from_records)
    return stats.compute(definition or stats.shipped_definition(), units, top, facts,
                         as_of=as_of, period=year)  # fmt: skip
