"""数字化审计 over the workspace: import a union's journal, scan it, decide on its doubts.

- :func:`import_ledger` reads a journal export (:mod:`desktop.reports.ledger_read`), remembers
  the column mapping (``audits.ledger.mapping``) and stores the lines for the union and period.
- :func:`scan_ledger` runs the rule set of the checklist template (``x_checklist.scan``,
  :mod:`forms.ledger_scan`) over the stored lines, with the member count of the union (its
  roster, else its record's ``members``) and the payroll when known; each doubt comes back with
  the decision taken on it before (decisions are keyed by rule + vouchers, so a re-scan keeps
  them).
- :func:`confirm` makes a doubt a finding of the linked checklist item (non-compliant, amount
  added, reason appended to the finding, voucher numbers to the evidence); :func:`dismiss` keeps
  it out with a reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.domain.checklists import CHECKLIST_FORM, template_of
from desktop.reports.import_errors import ImportFileError
from desktop.reports.import_read import header_key
from desktop.reports.ledger_read import LedgerFile, read_ledger
from desktop.store.ledgers import Decision
from forms.checklist import NONCOMPLIANT
from forms.ledger import Line
from forms.ledger_scan import Context, Doubt, RuleSet, rules_from_raw, scan

if TYPE_CHECKING:
    from desktop.store import Record, Workspace

MAPPING_KEY = "audits.ledger.mapping"


def remembered_columns(ws: Workspace) -> dict[str, str]:
    value = ws.settings.get(MAPPING_KEY, {}) or {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def read_file(
    ws: Workspace | None,
    path: str | Path,
    period: str | None = None,
    *,
    mapping: Sequence[str | None] | None = None,
    progress: Callable[[int], None] | None = None,
    remembered: Mapping[str, str] | None = None,
) -> LedgerFile:
    """Read a journal export (no store writes: this part may run off the GUI thread; pass
    ``remembered`` from :func:`remembered_columns` and ``ws=None`` there)."""
    year = int(period[:4]) if period and period[:4].isdigit() else None
    if remembered is None and ws is not None:
        remembered = remembered_columns(ws)
    return read_ledger(path, remembered=remembered, mapping=mapping, year=year, progress=progress)


def store_ledger(
    ws: Workspace,
    read: LedgerFile,
    union_uuid: str,
    period: str | None = None,
    *,
    mapping: Sequence[str | None] | None = None,
) -> LedgerFile:
    """Store the lines read for the union and period (replacing an earlier import); without a
    period the latest year in the file is the period (``read.period`` tells which)."""
    if mapping is not None:
        saved = remembered_columns(ws)
        for header, cid in zip(read.headers, mapping, strict=False):
            if header and cid:
                saved[header_key(header)] = cid
        ws.settings.set(MAPPING_KEY, saved)
    if not period:
        period = max((x.date[:4] for x in read.lines), default="")
    read.period = period
    lines = [x for x in read.lines if x.date.startswith(period)]
    if not lines:
        raise ImportFileError("ledger.no_lines", file=read.path.name, period=period)
    ws.ledgers.put(union_uuid, period, read.path.name, [x.to_dict() for x in lines])
    return read


def import_ledger(
    ws: Workspace,
    path: str | Path,
    union_uuid: str,
    period: str | None = None,
    *,
    mapping: Sequence[str | None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> LedgerFile:
    """Read ``path`` and store its lines for the union and period (:func:`store_ledger`)."""
    read = read_file(ws, path, period, mapping=mapping, progress=progress)
    return store_ledger(ws, read, union_uuid, period, mapping=mapping)


def checklist_for(ws: Workspace, union_uuid: str, period: str) -> str | None:
    """The newest checklist not yet signed off for the union whose period covers the year."""
    for rec in ws.records.query(CHECKLIST_FORM):
        data = rec.data
        if rec.locked or data.get("union") != union_uuid:
            continue
        start, end = str(data.get("period_start") or ""), str(data.get("period_end") or "")
        if not period or (start[:4] <= period <= end[:4] if start and end else True):
            return rec.uuid
    return None


def stored_lines(ws: Workspace, union_uuid: str, period: str) -> list[Line]:
    stored = ws.ledgers.get(union_uuid, period)
    return [Line.from_dict(x) for x in stored.lines] if stored else []


def rule_set(ws: Workspace | None, form_id: str = CHECKLIST_FORM) -> RuleSet:
    form, template = template_of(ws, form_id)
    return rules_from_raw(form.raw, template)


def member_count(ws: Workspace, union_uuid: str) -> int | None:
    """Members on the union's roster, else the count its record gives."""
    from desktop.store.tally import member_figures

    n = member_figures(ws).by_union.get(union_uuid, 0)
    if n:
        return int(n)
    try:
        value = ws.records.get(union_uuid).data.get("members")
    except Exception:  # no such record: no count
        return None
    return int(value) if isinstance(value, int) and value > 0 else None


@dataclass(frozen=True)
class Found:
    """A doubt with the decision taken on it (None = still to check)."""

    doubt: Doubt
    decision: Decision | None


def scan_ledger(
    ws: Workspace,
    union_uuid: str,
    period: str,
    *,
    payroll: int | None = None,
    rules: RuleSet | None = None,
) -> list[Found]:
    rules = rules or rule_set(ws)
    ctx = Context(members=member_count(ws, union_uuid), payroll=payroll)
    doubts = scan(stored_lines(ws, union_uuid, period), rules, ctx)
    decided = ws.ledgers.decisions(union_uuid, period)
    return [Found(d, decided.get(d.key)) for d in doubts]


def _find(found: Sequence[Found], key: str) -> Doubt:
    for f in found:
        if f.doubt.key == key:
            return f.doubt
    raise KeyError(key)


def fill_item(data: Mapping[str, Any], doubt: Doubt, lang: str = "zh_CN") -> dict[str, Any]:
    """The checklist data with ``doubt`` recorded as a finding of its item."""
    out = dict(data)
    rows = [dict(r) for r in data.get("items") or []]
    for row in rows:
        if str(row.get("item_id")) != doubt.item:
            continue
        row["result"] = NONCOMPLIANT
        row["amount"] = int(row.get("amount") or 0) + doubt.amount
        reason = f"[{doubt.rule}] {doubt.reason(lang)}"
        finding = str(row.get("finding") or "")
        if reason not in finding:
            row["finding"] = f"{finding}\n{reason}".strip()
        evidence = [e for e in str(row.get("evidence") or "").split("、") if e]
        evidence += [n for n in doubt.numbers if n not in evidence]
        row["evidence"] = "、".join(evidence)[:300]
        break
    else:
        raise KeyError(f"The checklist has no item {doubt.item!r}")
    out["items"] = rows
    return out


def confirm(
    ws: Workspace,
    union_uuid: str,
    period: str,
    key: str,
    checklist_uuid: str,
    *,
    found: Sequence[Found] | None = None,
    reason: str = "",
    lang: str = "zh_CN",
) -> Record:
    """Confirm a doubt: it becomes a finding of the linked item of the checklist."""
    found = found if found is not None else scan_ledger(ws, union_uuid, period)
    doubt = _find(found, key)
    checklist = ws.records.get(checklist_uuid)
    if any(
        f.doubt.key == key
        and f.decision
        and f.decision.decision == "confirmed"
        and f.decision.checklist_uuid == checklist_uuid
        for f in found
    ):
        return checklist  # already recorded there
    rec = ws.records.save(
        checklist.form_id,
        fill_item(checklist.data, doubt, lang),
        record_uuid=checklist_uuid,
        status=checklist.status,
    )
    ws.ledgers.decide(union_uuid, period, key, "confirmed", reason, checklist_uuid)
    return rec


def dismiss(ws: Workspace, union_uuid: str, period: str, key: str, reason: str) -> Decision:
    """Dismiss a doubt with the reason the auditor found (核实后排除)."""
    if not reason.strip():
        raise ValueError("A dismissed doubt needs a reason.")
    return ws.ledgers.decide(union_uuid, period, key, "dismissed", reason)


def print_doubts(
    ws: Workspace,
    union_uuid: str,
    period: str,
    path: str | Path,
    *,
    found: Sequence[Found] | None = None,
    lang: str = "zh_CN",
) -> Path:
    """The 疑点清单 of one union and period, with every rule and its parameters."""
    from desktop.reports.doubts_pdf import DoubtLine, RuleLine, doubts_pdf

    form, template = template_of(ws, CHECKLIST_FORM)
    rules = rules_from_raw(form.raw, template)
    found = found if found is not None else scan_ledger(ws, union_uuid, period, rules=rules)
    by_code = {r.code: r for r in rules.rules}

    def item_text(item_id: str) -> str:
        try:
            item = template.item(item_id)
        except KeyError:
            return item_id
        return f"{item.topic_text(lang)} ({item_id})" if item.topic_text(lang) else item_id

    sep = "；" if lang == "zh_CN" else "; "
    lines = [
        DoubtLine(
            f.doubt.rule,
            by_code[f.doubt.rule].title(lang) if f.doubt.rule in by_code else "",
            item_text(f.doubt.item),
            "、".join(
                f"{n} ({d})" for n, (_k, d) in zip(f.doubt.numbers, f.doubt.vouchers, strict=True)
            ),
            f.doubt.amount,
            f.doubt.reason(lang),
            f.decision.decision if f.decision else None,
            f.decision.reason if f.decision else "",
        )
        for f in found
    ]
    rule_lines = [
        RuleLine(
            r.code,
            r.title(lang),
            item_text(r.item),
            sep.join(f"{k} = {v}" for k, v in rules.shown_params(r, lang)),
        )
        for r in rules.rules
    ]
    stored = ws.ledgers.get(union_uuid, period)
    try:
        union_name = str(ws.records.get(union_uuid).data.get("full_name") or "")
    except Exception:  # the union record is not on file here
        union_name = union_uuid
    return doubts_pdf(
        path,
        lines,
        rule_lines,
        union_name=union_name,
        period=period,
        file_name=stored.file_name if stored else "",
        line_count=len(stored.lines) if stored else 0,
        org_unit_name=ws.org_unit.name,
        lang=lang,
    )
