"""Funds-review checklists (经费审查) over the workspace: the operations the Audits page and the
``uniondesk print`` command share. No Qt; the store is used through its public API only.

- :func:`create_checklist` starts a checklist from the latest template (one row per item).
  The record keeps its form version, so a template published later never changes it.
- :func:`save_checklist` saves edits; :func:`sign_off` checks it is complete and locks it through
  ``ws.records.sign_off`` — after that every role gets ``RecordLocked`` on any change.
- :func:`start_correction` copies a signed checklist into a new draft record that names the one it
  corrects (``corrects``); the corrected one then drops out of rectification tracking.
- :func:`record_outcome` stores the later outcome of a rectification as an
  ``audit_rectification`` record (one per checklist item, updated as a new version), so it flows
  upward through the outbox like any record change while the signed checklist stays untouched.
- :func:`open_rectifications` lists rectification items across all checklists with due/overdue.
- :func:`overview` gives the figures a dashboard shows (findings, money, open / overdue).
- :func:`report_for` / :func:`print_report` / :func:`print_rectifications` / :func:`print_blank`
  make the printouts (``desktop.reports.checklist_pdf``).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import forms
from desktop.reports.checklist_pdf import (
    CancelFn,
    ChecklistReport,
    ProgressFn,
    RectificationLine,
    blank_checklist_pdf,
    completed_checklist_pdf,
    rectifications_pdf,
)
from forms.checklist import (
    CLOSED,
    NONCOMPLIANT,
    OUTCOMES,
    OVERDUE,
    Template,
    blank_rows,
    rectification_state,
    sort_by_urgency,
    summarize,
    template_from_raw,
)
from forms.derived import check_checklist
from printing.pdf import content_hash

if TYPE_CHECKING:
    from desktop.store import Record, Workspace

CHECKLIST_FORM = "audit_checklist"
RECTIFICATION_FORM = "audit_rectification"
HEADER_FIELDS = ("union_name", "union", "period_start", "period_end", "auditors", "audit_date")


class ChecklistNotReady(ValueError):
    """Sign-off refused: items without a result, or the data does not validate.

    ``problems`` are (code, field, params) triples; the UI turns codes into words.
    """

    def __init__(self, problems: list[tuple[str, str, dict[str, Any]]]) -> None:
        shown = ", ".join(f"{field} ({code})" for code, field, _ in problems[:8])
        super().__init__(f"The checklist cannot be signed off yet: {shown}")
        self.problems = problems


def template_of(
    ws: Workspace | None, form_id: str = CHECKLIST_FORM, version: int | None = None
) -> tuple[Any, Template]:
    """(form definition, checklist template) — from the workspace (synced versions) or shipped."""
    if ws is not None:
        form = ws.forms.get(form_id, version)
    else:
        form = forms.load_form(form_id, version) if version else forms.load_form(form_id)
    return form, template_from_raw(form.raw)


def template_of_record(ws: Workspace, rec: Record) -> Template:
    """The template a checklist was started with (its own form version)."""
    return template_of(ws, rec.form_id, rec.form_version)[1]


# --- checklists -----------------------------------------------------------------------------


def create_checklist(
    ws: Workspace,
    header: Mapping[str, Any],
    *,
    form_id: str = CHECKLIST_FORM,
    status: str = "draft",
) -> Record:
    """A new checklist from the latest template: the header fields and one row per item."""
    _form, template = template_of(ws, form_id)
    data = {k: v for k, v in header.items() if k in HEADER_FIELDS or k in ("conclusion",)}
    data["items"] = blank_rows(template)
    return ws.records.save(form_id, data, status=status)


def save_checklist(
    ws: Workspace, record_uuid: str, data: Mapping[str, Any], *, status: str = "draft"
) -> Record:
    """Save edits of a checklist as a new version (``RecordLocked`` once signed off)."""
    rec = ws.records.get(record_uuid)
    return ws.records.save(rec.form_id, data, record_uuid=record_uuid, status=status)


def list_checklists(ws: Workspace, *, search: str | None = None) -> list[Record]:
    """Every checklist, newest change first."""
    return ws.records.query(CHECKLIST_FORM, search=search)


def readiness_problems(ws: Workspace, rec: Record) -> list[tuple[str, str, dict[str, Any]]]:
    """Why a checklist cannot be signed off yet (empty when it can): the field errors and the
    completeness the county checks again (``forms.derived.check_checklist``)."""
    form = ws.forms.get(rec.form_id, rec.form_version)
    result = forms.validate(form, rec.data)
    found = [*result.errors, *check_checklist(form, rec.data, final=True)]
    return [(e.code, e.field, dict(e.params)) for e in found]


def sign_off(ws: Workspace, record_uuid: str) -> Record:
    """Lock a complete checklist for good (it is then sent upward and read-only for everyone)."""
    rec = ws.records.get(record_uuid)
    problems = readiness_problems(ws, rec)
    if problems:
        raise ChecklistNotReady(problems)
    return ws.records.sign_off(record_uuid)


def start_correction(ws: Workspace, record_uuid: str) -> Record:
    """A new draft checklist copying a signed one; it names the record it corrects.

    The correction is made on the latest template: rows of items it still has are copied,
    new items start blank.
    """
    old = ws.records.get(record_uuid)
    _form, template = template_of(ws, old.form_id)
    rows = {str(r.get("item_id")): r for r in old.data.get("items") or []}
    data = {k: v for k, v in old.data.items() if k != "items" and v is not None}
    data["corrects"] = old.uuid
    data["items"] = [dict(rows.get(item.id) or {"item_id": item.id}) for item in template.items]
    return ws.records.save(old.form_id, data, status="draft")


def superseded_ids(checklists: Sequence[Record]) -> set[str]:
    """Checklists that a later correction (among ``checklists``) replaces."""
    return {str(r.data["corrects"]) for r in checklists if r.data.get("corrects")}


# --- rectifications -------------------------------------------------------------------------


def outcome_records(ws: Workspace, checklist_uuid: str) -> dict[str, Record]:
    """The rectification-outcome record of each item of one checklist."""
    return {
        str(r.data.get("item_id")): r
        for r in ws.records.find_by_field(RECTIFICATION_FORM, "checklist", checklist_uuid)
    }


def outcomes_of(ws: Workspace, checklist_uuid: str) -> dict[str, str]:
    """item id -> latest rectification outcome (done / partial / not_done)."""
    return {k: str(r.data.get("outcome")) for k, r in outcome_records(ws, checklist_uuid).items()}


def record_outcome(
    ws: Workspace,
    checklist_uuid: str,
    item_id: str,
    outcome: str,
    outcome_date: str | _dt.date,
    *,
    note: str = "",
    verified_by: str = "",
) -> Record:
    """Record (or update) the outcome of one rectification; it is queued to go upward."""
    if outcome not in OUTCOMES:
        raise ValueError(f"Unknown outcome {outcome!r}; choose one of {', '.join(OUTCOMES)}.")
    checklist = ws.records.get(checklist_uuid)
    rows = [r for r in checklist.data.get("items") or [] if str(r.get("item_id")) == item_id]
    if not rows or not rows[0].get("rectify"):
        raise ValueError(f"Item {item_id!r} of checklist {checklist_uuid} needs no rectification.")
    existing = outcome_records(ws, checklist_uuid).get(item_id)
    data = {
        "checklist": checklist_uuid,
        "item_id": item_id,
        "outcome": outcome,
        "outcome_date": str(outcome_date),
        "note": note or None,
        "verified_by": verified_by or None,
    }
    return ws.records.save(
        RECTIFICATION_FORM,
        data,
        record_uuid=existing.uuid if existing else None,
        status="ready",
    )


@dataclass(frozen=True)
class OpenRectification:
    """One rectification item across the workspace, with its state on the day asked."""

    checklist_uuid: str
    union_name: str
    item_id: str
    item_text: str
    finding: str
    amount: int | None
    owner: str
    deadline: str | None
    state: str
    days_left: int | None
    outcome: str | None
    signed_off: bool

    def line(self) -> RectificationLine:
        return RectificationLine(
            self.union_name,
            self.item_text,
            self.finding,
            self.amount,
            self.owner,
            self.deadline,
            self.state,
            self.days_left,
            self.outcome,
            self.checklist_uuid,
        )


def open_rectifications(
    ws: Workspace,
    today: _dt.date | None = None,
    *,
    include_closed: bool = False,
    include_drafts: bool = False,
    checklist_uuid: str | None = None,
    lang: str = "zh_CN",
) -> list[OpenRectification]:
    """Rectification items of every signed-off checklist (not superseded), overdue first."""
    today = today or _dt.date.today()
    out: list[OpenRectification] = []
    if checklist_uuid:
        checklists, replaced = [ws.records.get(checklist_uuid)], set()
    else:
        checklists = ws.records.query(CHECKLIST_FORM)
        replaced = superseded_ids(checklists)
    for rec in checklists:
        if rec.uuid in replaced:
            continue
        if not rec.locked and not include_drafts:
            continue
        template = template_of_record(ws, rec)
        outcomes = outcomes_of(ws, rec.uuid)
        for row in rec.data.get("items") or []:
            if not row.get("rectify"):
                continue
            item_id = str(row.get("item_id"))
            state, days = rectification_state(row.get("deadline"), outcomes.get(item_id), today)
            if state == CLOSED and not include_closed:
                continue
            try:
                text = template.item(item_id).text(lang)
            except KeyError:
                text = item_id
            amount = row.get("amount")
            out.append(
                OpenRectification(
                    rec.uuid,
                    str(rec.data.get("union_name") or ""),
                    item_id,
                    text,
                    str(row.get("finding") or ""),
                    amount if isinstance(amount, int) else None,
                    str(row.get("owner") or ""),
                    row.get("deadline"),
                    state,
                    days,
                    outcomes.get(item_id),
                    rec.locked,
                )
            )
    return sort_by_urgency(out)


@dataclass(frozen=True)
class Overview:
    """Figures for a dashboard: checklists, findings and rectifications of the workspace."""

    checklists: int
    signed_off: int
    noncompliant_items: int
    amount_in_question: int  # fen, over signed-off checklists (corrected ones left out)
    open_rectifications: int
    overdue_rectifications: int


def overview(ws: Workspace, today: _dt.date | None = None) -> Overview:
    """Counts over every checklist; money and findings from signed-off, not superseded ones."""
    today = today or _dt.date.today()
    records = ws.records.query(CHECKLIST_FORM)
    replaced = superseded_ids(records)
    noncompliant = amount = 0
    for rec in records:
        if rec.locked and rec.uuid not in replaced:
            summary = summarize(template_of_record(ws, rec), rec.data)
            noncompliant += summary.counts[NONCOMPLIANT]
            amount += summary.amount_in_question
    items = open_rectifications(ws, today)
    return Overview(
        checklists=len(records),
        signed_off=sum(1 for r in records if r.locked),
        noncompliant_items=noncompliant,
        amount_in_question=amount,
        open_rectifications=len(items),
        overdue_rectifications=sum(1 for x in items if x.state == OVERDUE),
    )


# --- printouts ------------------------------------------------------------------------------


def report_for(ws: Workspace, record_uuid: str, *, lang: str = "zh_CN") -> ChecklistReport:
    """What the completed report prints for one checklist (QR: id, version, data hash)."""
    rec = ws.records.get(record_uuid)
    return ChecklistReport(
        template=template_of_record(ws, rec),
        data=rec.data,
        union_name=str(rec.data.get("union_name") or ""),
        org_unit_name=ws.org_unit.name,
        record_id=rec.uuid,
        version=rec.version,
        content_hash=content_hash(rec.data),
        signed_off=rec.locked,
        outcomes=outcomes_of(ws, rec.uuid),
        lang=lang,
    )


def print_report(
    ws: Workspace,
    record_uuid: str,
    path: str | Path,
    *,
    lang: str = "zh_CN",
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> Path:
    return completed_checklist_pdf(
        path, report_for(ws, record_uuid, lang=lang), progress=progress, cancel=cancel
    )


def print_rectifications(
    ws: Workspace,
    path: str | Path,
    *,
    today: _dt.date | None = None,
    checklist_uuid: str | None = None,
    lang: str = "zh_CN",
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> Path:
    today = today or _dt.date.today()
    items = open_rectifications(ws, today, checklist_uuid=checklist_uuid, lang=lang)
    return rectifications_pdf(
        path,
        [x.line() for x in items],
        today=today,
        org_unit_name=ws.org_unit.name,
        lang=lang,
        progress=progress,
        cancel=cancel,
    )


def print_blank(
    path: str | Path,
    *,
    ws: Workspace | None = None,
    form_id: str = CHECKLIST_FORM,
    version: int | None = None,
    definition: Any = None,
    union_name: str = "",
    lang: str = "zh_CN",
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> Path:
    """The blank checklist; ``definition`` (a loaded form) overrides form id and version."""
    form = definition if definition is not None else template_of(ws, form_id, version)[0]
    return blank_checklist_pdf(
        path,
        template_from_raw(form.raw),
        template_hash=form.hash,
        union_name=union_name,
        org_unit_name=ws.org_unit.name if ws is not None else "",
        lang=lang,
        progress=progress,
        cancel=cancel,
    )


def noncompliant_rows(data: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    """The rows judged non-compliant, in item order."""
    return [r for r in data.get("items") or [] if r.get("result") == NONCOMPLIANT]
