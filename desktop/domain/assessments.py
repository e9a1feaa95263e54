"""Member-assessment sessions (会员评家) over the workspace: create, enter the vote, compute, track.

No Qt. A session is one record of the ``assessment`` form; :class:`Session` is its typed view.
The vote is entered either as typed totals per item and grade, or as paper ballots keyed one by
one (kept in the record as compact strings, see :mod:`forms.assessment`, so the tally can be
re-checked). Saving computes the result with :func:`forms.assessment.compute_result` and stores
it, together with the rule and thresholds used, in the record. A session whose numbers disagree
is kept as a draft with no result.

One session per union per year, unless a repeat is justified (``repeat_reason``).
:func:`dashboard` gives the figures for the summary panel: satisfaction per union, unions with
no session this year, and rectification items past their deadline.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from forms import assessment as rules
from forms.assessment import AssessmentResult, Problem, Tally, Template, Turnout

if TYPE_CHECKING:
    from collections.abc import Callable

    from desktop.store import Workspace

FORM_ID = "assessment"
UNION_FORM_ID = "union"
MEETING_KINDS = ("members_assembly", "representatives_assembly")
ENTRY_TOTALS, ENTRY_BALLOTS = "totals", "ballots"


class DuplicateSession(Exception):
    """The union already has a session this year and no reason for a repeat was given."""

    def __init__(self, problem: Problem, existing: str) -> None:
        super().__init__(problem.code)
        self.problem = problem
        self.existing = existing


@dataclass
class Rectification:
    """One rectification item (整改事项): what, who, by when, and later the outcome."""

    what: str
    owner: str = ""
    deadline: str = ""  # ISO date
    done_date: str = ""  # ISO date, empty while open
    outcome: str = ""

    @property
    def open(self) -> bool:
        return not self.done_date

    def overdue(self, today: date) -> bool:
        return self.open and bool(self.deadline) and self.deadline < today.isoformat()

    def to_data(self) -> dict[str, Any]:
        data = {"what": self.what, "owner": self.owner, "deadline": self.deadline}
        data |= {"done_date": self.done_date, "outcome": self.outcome}
        return {k: v for k, v in data.items() if v not in ("", None)}


@dataclass
class Session:
    """The typed view of one ``assessment`` record."""

    union: str
    year: int
    date: str = ""
    meeting_kind: str = MEETING_KINDS[0]
    template_version: int = 1
    template_variant: str = ""  # "" = the form version's default template
    eligible: int = 0
    attendees: int = 0
    issued: int = 0
    returned: int = 0
    invalid: int = 0
    entry_mode: str = ENTRY_TOTALS
    tally: Tally = field(default_factory=dict)
    ballots: list[str] = field(default_factory=list)
    repeat_reason: str = ""
    rectifications: list[Rectification] = field(default_factory=list)
    result: dict[str, Any] | None = None
    uuid: str | None = None
    version: int = 0
    status: str = "draft"
    locked: bool = False

    def turnout(self) -> Turnout:
        return Turnout(self.eligible, self.attendees, self.issued, self.returned, self.invalid)

    def use_ballots(self, template: Template, ballots: list[str]) -> None:
        """Switch to keyed ballots: returned, invalid and the totals follow from them."""
        counted = rules.tally_ballots(template, ballots)
        self.entry_mode = ENTRY_BALLOTS
        self.ballots = list(ballots)
        self.returned, self.invalid = counted.returned, counted.invalid
        self.tally = counted.tally

    def use_totals(self, tally: Tally, *, returned: int, invalid: int) -> None:
        """Typed totals per item and grade; keyed ballots (if any) are dropped."""
        self.entry_mode = ENTRY_TOTALS
        self.ballots = []
        self.tally = {item: dict(row) for item, row in tally.items()}
        self.returned, self.invalid = returned, invalid

    def compute(self, template: Template) -> AssessmentResult:
        if self.entry_mode == ENTRY_BALLOTS:
            return rules.compute_from_ballots(
                template,
                eligible=self.eligible,
                attendees=self.attendees,
                issued=self.issued,
                ballots=self.ballots,
            )
        return rules.compute_result(template, self.turnout(), self.tally)

    # -- record data ---------------------------------------------------------------------
    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "union": self.union,
            "year": self.year,
            "date": self.date,
            "meeting_kind": self.meeting_kind,
            "template_version": self.template_version,
            "template_variant": self.template_variant,
            "eligible": self.eligible,
            "attendees": self.attendees,
            "issued": self.issued,
            "returned": self.returned,
            "invalid": self.invalid,
            "entry_mode": self.entry_mode,
            "counts": [
                {"item": item, "grade": grade, "count": n}
                for item, row in self.tally.items()
                for grade, n in row.items()
            ],
            "ballots": rules.join_ballots(self.ballots),
            "repeat_reason": self.repeat_reason,
            "rectifications": [r.to_data() for r in self.rectifications],
            "result": json.dumps(self.result, ensure_ascii=False, sort_keys=True)
            if self.result
            else "",
        }
        return {k: v for k, v in data.items() if v not in ("", None)}

    @classmethod
    def from_data(cls, data: dict[str, Any], **record: Any) -> Session:
        tally: Tally = {}
        for row in data.get("counts") or []:
            tally.setdefault(str(row["item"]), {})[str(row["grade"])] = int(row.get("count") or 0)
        raw_result = data.get("result") or ""
        return cls(
            union=str(data.get("union") or ""),
            year=int(data.get("year") or 0),
            date=str(data.get("date") or ""),
            meeting_kind=str(data.get("meeting_kind") or MEETING_KINDS[0]),
            template_version=int(data.get("template_version") or 1),
            template_variant=str(data.get("template_variant") or ""),
            eligible=int(data.get("eligible") or 0),
            attendees=int(data.get("attendees") or 0),
            issued=int(data.get("issued") or 0),
            returned=int(data.get("returned") or 0),
            invalid=int(data.get("invalid") or 0),
            entry_mode=str(data.get("entry_mode") or ENTRY_TOTALS),
            tally=tally,
            ballots=rules.split_ballots(str(data.get("ballots") or "")),
            repeat_reason=str(data.get("repeat_reason") or ""),
            rectifications=[
                Rectification(
                    what=str(r.get("what") or ""),
                    owner=str(r.get("owner") or ""),
                    deadline=str(r.get("deadline") or ""),
                    done_date=str(r.get("done_date") or ""),
                    outcome=str(r.get("outcome") or ""),
                )
                for r in data.get("rectifications") or []
            ],
            result=json.loads(raw_result) if raw_result else None,
            **record,
        )

    @classmethod
    def from_record(cls, record: Any) -> Session:
        return cls.from_data(
            dict(record.data),
            uuid=record.uuid,
            version=record.version,
            status=record.status,
            locked=bool(getattr(record, "locked", False)),
        )


# --------------------------------------------------------------------------- templates
def _form_raw(ws: Workspace, version: int | None = None) -> dict[str, Any] | None:
    """An ``assessment`` definition the workspace knows (shipped or received by sync)."""
    try:
        form = ws.forms.latest(FORM_ID) if version is None else ws.forms.get(FORM_ID, version)
    except Exception:  # noqa: BLE001 - fall back to the shipped definition
        return None
    raw = getattr(form, "raw", None)
    return raw if isinstance(raw, dict) else None


def template_for(session: Session, ws: Workspace | None = None) -> Template:
    """The template (form version and variant) a session was entered with."""
    variant = session.template_variant or None
    if ws is not None:
        raw = _form_raw(ws, session.template_version)
        if raw is not None:
            return rules.template_from_form(raw, variant)
    try:
        return rules.load_template(session.template_version, variant)
    except KeyError:
        return current_template(ws, variant)


def current_template(ws: Workspace | None = None, variant: str | None = None) -> Template:
    """The newest template (shipped or received) for a new session."""
    raw = _form_raw(ws) if ws is not None else None
    shipped = rules.load_template()
    if raw is not None and int(raw.get("version", 0)) >= shipped.version:
        return rules.template_from_form(raw, variant)
    return rules.load_template(variant=variant)


def template_choices(ws: Workspace | None = None) -> list[tuple[str, dict[str, str]]]:
    """(variant, title) of the templates a new session can use (newest form version)."""
    raw = _form_raw(ws) if ws is not None else None
    if raw is None:
        raw = max(rules.shipped_definitions(), key=lambda r: int(r.get("version", 0)))
    return [(v, dict(t)) for v, t in rules.template_variants(raw)]


# --------------------------------------------------------------------------- store operations
def union_name(ws: Workspace, union_uuid: str) -> str:
    try:
        data = ws.records.get(union_uuid).data
    except Exception:  # noqa: BLE001 - a missing union shows its id, never crashes a list
        return union_uuid
    return str(data.get("full_name") or data.get("short_name") or union_uuid)


def unions(ws: Workspace) -> list[tuple[str, str]]:
    """(uuid, full name) of every active grassroots union in the workspace, by name."""
    found = [
        (r.uuid, str(r.data.get("full_name") or r.uuid))
        for r in ws.records.query(UNION_FORM_ID)
        if r.data.get("status", "active") == "active"
    ]
    return sorted(found, key=lambda u: u[1])


def sessions(ws: Workspace, *, union: str | None = None, year: int | None = None) -> list[Session]:
    """Sessions in the workspace, newest year first."""
    records = (
        ws.records.find_by_field(FORM_ID, "union", union) if union else ws.records.query(FORM_ID)
    )
    found = [Session.from_record(r) for r in records]
    if year is not None:
        found = [s for s in found if s.year == year]
    return sorted(found, key=lambda s: (-s.year, s.date, s.uuid or ""))


def get_session(ws: Workspace, uuid: str) -> Session:
    return Session.from_record(ws.records.get(uuid))


def check_duplicate(ws: Workspace, session: Session) -> None:
    """Raise :class:`DuplicateSession` when another session of the union and year exists and
    ``session.repeat_reason`` is empty. A stored session that keeps its union and year is not
    checked again (the first of a year never needs a reason, even after a repeat exists)."""
    if session.uuid:
        stored = Session.from_record(ws.records.get(session.uuid))
        if (stored.union, stored.year) == (session.union, session.year):
            return
    others = [
        s for s in sessions(ws, union=session.union, year=session.year) if s.uuid != session.uuid
    ]
    if others and not session.repeat_reason.strip():
        problem = Problem(
            "assessment.duplicate_session",
            {"union": union_name(ws, session.union), "year": session.year},
        )
        raise DuplicateSession(problem, others[0].uuid or "")


def new_session(
    ws: Workspace | None,
    union: str,
    year: int,
    *,
    meeting_date: str = "",
    meeting_kind: str = MEETING_KINDS[0],
    repeat_reason: str = "",
    variant: str | None = None,
) -> Session:
    """An unsaved session on the newest template (nothing is written)."""
    template = current_template(ws, variant)
    return Session(
        union=union,
        year=year,
        date=meeting_date,
        meeting_kind=meeting_kind,
        template_version=template.version,
        template_variant=template.variant,
        tally=template.empty_tally(),
        repeat_reason=repeat_reason.strip(),
    )


def create_session(
    ws: Workspace,
    union: str,
    year: int,
    *,
    meeting_date: str = "",
    meeting_kind: str = MEETING_KINDS[0],
    repeat_reason: str = "",
) -> Session:
    """Save a new, empty session; refuses a second one for the union and year without a reason."""
    session = new_session(
        ws,
        union,
        year,
        meeting_date=meeting_date,
        meeting_kind=meeting_kind,
        repeat_reason=repeat_reason,
    )
    return save_session(ws, session)


def save_session(ws: Workspace, session: Session) -> Session:
    """Compute the result, store it with the rule used, and save the record.

    Consistent numbers give a result and status "ready"; otherwise the result is cleared and the
    session stays a "draft" (the errors are in :meth:`Session.compute`). Raises
    :class:`DuplicateSession` for a second session of the union and year without a reason.
    """
    check_duplicate(ws, session)
    result = session.compute(template_for(session, ws))
    session.result = result.as_dict() if result.ok else None
    status = "ready" if result.ok else "draft"
    record = ws.records.save(FORM_ID, session.to_data(), record_uuid=session.uuid, status=status)
    return Session.from_record(record)


# --------------------------------------------------------------------------- dashboard
@dataclass(frozen=True)
class UnionFigure:
    union: str
    name: str
    session: str
    year: int
    rate: str  # e.g. "93.3%"
    quorum_met: bool
    rectification_required: bool
    model_home_eligible: bool


@dataclass(frozen=True)
class OverdueItem:
    session: str
    union: str
    name: str
    item: Rectification


@dataclass(frozen=True)
class Dashboard:
    year: int
    satisfaction: list[UnionFigure]
    missing: list[tuple[str, str]]  # (union uuid, name) with no session this year
    overdue: list[OverdueItem]


def dashboard(ws: Workspace, year: int, today: date | None = None) -> Dashboard:
    """The figures of the assessment summary panel for one year."""
    today = today or date.today()
    names = dict(unions(ws))
    all_sessions = sessions(ws)
    latest: dict[str, Session] = {}
    for s in all_sessions:
        if s.year == year and s.result:
            current = latest.get(s.union)
            if current is None or (s.date, s.version) >= (current.date, current.version):
                latest[s.union] = s
    figures = []
    for union, s in latest.items():
        assert s.result is not None
        figures.append(
            UnionFigure(
                union=union,
                name=names.get(union) or union_name(ws, union),
                session=s.uuid or "",
                year=s.year,
                rate=(s.result.get("overall_rate") or {}).get("percent", ""),
                quorum_met=bool(s.result.get("quorum_met")),
                rectification_required=bool(s.result.get("rectification_required")),
                model_home_eligible=bool(s.result.get("model_home_eligible")),
            )
        )
    figures.sort(key=lambda f: f.name)
    done = {s.union for s in all_sessions if s.year == year}
    missing = [(u, n) for u, n in names.items() if u not in done]
    missing.sort(key=lambda m: m[1])
    overdue = [
        OverdueItem(s.uuid or "", s.union, names.get(s.union) or union_name(ws, s.union), r)
        for s in all_sessions
        for r in s.rectifications
        if r.overdue(today)
    ]
    overdue.sort(key=lambda o: (o.item.deadline, o.name))
    return Dashboard(year, figures, missing, overdue)


# --------------------------------------------------------------------------- demo data
def add_demo_sessions(ws: Workspace, union_uuids: list[str], year: int) -> list[Session]:
    """Sessions for the demo workspace: the first union well rated, the second with
    rectification required (one item overdue), the rest left without a session this year."""
    import random

    template = current_template(ws)
    rng = random.Random(year)
    made: list[Session] = []
    plans = [("1112", 0.02, 64, 58), ("1123", 0.45, 36, 31)]
    for union, (keys, unhappy, eligible, attendees) in zip(union_uuids, plans, strict=False):
        ballots = []
        for _ in range(attendees - 1):
            if rng.random() < 0.03:
                ballots.append(rules.INVALID_BALLOT)
                continue
            ballots.append(
                "".join(
                    "3" if rng.random() < unhappy else rng.choice(keys[:3])
                    for _item in template.items
                )
            )
        session = new_session(ws, union, year, meeting_date=f"{year}-03-1{len(made) + 2}")
        session.eligible, session.attendees, session.issued = eligible, attendees, attendees - 1
        session.use_ballots(template, ballots)
        if unhappy > 0.3:
            session.rectifications = [
                Rectification("职工小家活动室延长开放时间", "工会副主席", f"{year}-04-30"),
                Rectification(
                    "每季度公开工会经费收支", "经审委员", f"{year}-06-30", f"{year}-06-20", "已张榜"
                ),
            ]
        made.append(save_session(ws, session))
    return made


# --------------------------------------------------------------------------- printing
PrintKind = Literal["ballot", "tally", "notice"]
PRINT_KINDS: tuple[PrintKind, ...] = ("ballot", "tally", "notice")


@dataclass(frozen=True)
class Printout:
    """What a printout needs: the template, the names on it, and the saved session (None for a
    blank ballot or tally sheet)."""

    template: Template
    union_name: str
    year: int
    org_unit_name: str = ""
    session: Session | None = None


def printout_of(ws: Workspace, session_id: str) -> Printout:
    """The printout of a saved session, read from the workspace (raises
    :class:`desktop.store.errors.RecordNotFound`, or ValueError for another form's record)."""
    record = ws.records.get(session_id)
    if record.form_id != FORM_ID:
        raise ValueError(f"record {session_id} is a {record.form_id} record, not an assessment")
    session = Session.from_record(record)
    return Printout(
        template=template_for(session, ws),
        union_name=union_name(ws, session.union),
        year=session.year,
        org_unit_name=ws.org_unit.name if getattr(ws, "org_unit", None) else "",
        session=session,
    )


def print_document(
    kind: PrintKind,
    path: str | Path,
    printout: Printout,
    *,
    copies: int = 1,
    posting_days: int = 5,
    progress: Callable[[int, int], Any] | None = None,
) -> Path:
    """Write the ballot sheet (``copies`` pages), the tally sheet (blank without a session) or
    the result notice (needs a session with a result: ValueError otherwise) to ``path``.
    The one printing path of the assessment editor and ``uniondesk print-assessment``."""
    from desktop.reports import assessment_pdf as pdf

    p = printout
    if kind == "ballot":
        return pdf.ballot_sheet(
            path, p.template, union_name=p.union_name, year=p.year, copies=copies,
            org_unit_name=p.org_unit_name, progress=progress,
        )  # fmt: skip
    if kind == "tally":
        return pdf.tally_sheet(
            path, p.template, union_name=p.union_name, year=p.year, session=p.session,
            org_unit_name=p.org_unit_name, progress=progress,
        )  # fmt: skip
    if kind == "notice":
        if p.session is None:
            raise ValueError("a result notice needs a saved session")
        return pdf.result_notice(
            path, p.template, p.session, union_name=p.union_name,
            org_unit_name=p.org_unit_name, posting_days=posting_days, progress=progress,
        )  # fmt: skip
    raise ValueError(f"unknown printout {kind!r}; choose one of {', '.join(PRINT_KINDS)}")
