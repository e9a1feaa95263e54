"""Operations that fill pages and dialogs: the dashboard's figures, the assessments list, the
transfers waiting, and the assessment and transfer actions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.domain import assessments, checklists, transfer_offers, transfers
from desktop.ui.operations.core import WorkspaceOp
from desktop.ui.tasks import TaskContext

if TYPE_CHECKING:
    from desktop.store import Workspace

#: the dashboard's chart shows this many unions (the biggest)
CHART_UNIONS = 12

DashboardFigures = tuple[dict[str, int], list[tuple[str, int]], Any]


# --------------------------------------------------------------------------- dashboard
def dashboard_figures(ws: Workspace, chart_unions: int = CHART_UNIONS) -> DashboardFigures:
    """The dashboard figures, the members-by-union pairs and this year's assessment summary."""
    import forms
    from desktop.store.tally import member_figures

    count = ws.records.count
    members = member_figures(ws)
    figures = {
        "unions": count("union"),
        "members": members.members,
        "female": members.female,
        "migrant": members.migrant,
        "new_form": members.new_form,
    }
    try:
        figures["unsynced"] = ws.outbox.pending_count()
    except Exception:  # noqa: BLE001 - an outbox problem shows as a dash, not a crash
        figures["unsynced"] = -1
    returned = 0
    for form_id in sorted({fid for fid, _v in forms.available_forms()}):
        try:
            returned += count(form_id, status="returned")
        except Exception:  # noqa: BLE001 - a form this workspace does not know
            continue
    figures["returned"] = returned
    unions = ws.records.query("union", order_by="created_at", limit=500)
    pairs = []
    for rec in unions:
        name = str(rec.data.get("short_name") or rec.data.get("full_name") or "")
        pairs.append((name, members.by_union.get(rec.uuid, 0)))
    pairs.sort(key=lambda p: -p[1])
    figures["audit_open"] = checklists.overview(ws).open_rectifications
    assessment = assessments.dashboard(ws, dt.date.today().year)
    return figures, pairs[:chart_unions], assessment


def load_dashboard(
    ws: Workspace, chart_unions: int = CHART_UNIONS
) -> WorkspaceOp[DashboardFigures]:
    """The dashboard's figures (member counts kept by the store, indexed counts)."""
    return WorkspaceOp(lambda ctx: dashboard_figures(ws, chart_unions))


# --------------------------------------------------------------------------- assessments
AssessmentsList = tuple[list[assessments.Session], list[tuple[str, str]], assessments.Dashboard]


def load_assessments(ws: Workspace, year: int, today: dt.date) -> WorkspaceOp[AssessmentsList]:
    """The assessments page: every session, the unions, and the year's summary."""
    return WorkspaceOp(
        lambda ctx: (
            assessments.sessions(ws),
            assessments.unions(ws),
            assessments.dashboard(ws, year, today),
        )
    )


def new_assessment(
    ws: Workspace, union: str, year: int, *, meeting_date: str
) -> WorkspaceOp[assessments.Session]:
    """An unsaved session on the newest template (nothing is written)."""
    return WorkspaceOp(
        lambda ctx: assessments.new_session(ws, union, year, meeting_date=meeting_date)
    )


def save_assessment(
    ws: Workspace, session: assessments.Session
) -> WorkspaceOp[assessments.Session]:
    """Compute and save an assessment session (raises DuplicateSession, ValidationFailed …)."""
    return WorkspaceOp(lambda ctx: assessments.save_session(ws, session))


def print_assessment(
    kind: assessments.PrintKind, path: Path, printout: assessments.Printout, *, copies: int = 1
) -> WorkspaceOp[Path]:
    """Write an assessment printout (ballot, tally or notice) of the saved session to ``path``."""

    def work(ctx: TaskContext) -> Path:
        return assessments.print_document(
            kind, path, printout, copies=copies, progress=ctx.progress
        )

    return WorkspaceOp(work)


# --------------------------------------------------------------------------- transfers
def pending_transfers(ws: Workspace) -> WorkspaceOp[list[transfers.PendingTransfer]]:
    """Transfers to other townships that wait for the other side's answer."""
    return WorkspaceOp(lambda ctx: transfers.pending_transfers(ws))


def transfer_member(
    ws: Workspace, member_uuid: str, to_union: str, *, date: str, reason: str
) -> WorkspaceOp[Any]:
    """Move a member to another union of this township (转会, both ends at once)."""
    return WorkspaceOp(
        lambda ctx: transfers.transfer_member(ws, member_uuid, to_union, date=date, reason=reason)
    )


def request_external_transfer(
    ws: Workspace,
    member_uuid: str,
    *,
    to_union_name: str,
    to_org_unit: str,
    date: str,
    reason: str,
) -> WorkspaceOp[Any]:
    """Ask another township to take a member (goes with the next sync)."""
    return WorkspaceOp(
        lambda ctx: transfers.request_external_transfer(
            ws,
            member_uuid,
            to_union_name=to_union_name,
            to_org_unit=to_org_unit,
            date=date,
            reason=reason,
        )
    )


def confirm_transfer(ws: Workspace, transfer_id: str) -> WorkspaceOp[Any]:
    """Settle a pending transfer as done."""
    return WorkspaceOp(lambda ctx: transfers.confirm_transfer(ws, transfer_id))


def cancel_transfer(ws: Workspace, transfer_id: str) -> WorkspaceOp[Any]:
    """Withdraw a pending transfer."""
    return WorkspaceOp(lambda ctx: transfers.cancel_transfer(ws, transfer_id))


def incoming_offers(ws: Workspace) -> WorkspaceOp[list[transfer_offers.TransferOffer]]:
    """Members other townships offer to this one, waiting for an answer."""
    return WorkspaceOp(lambda ctx: transfer_offers.incoming_offers(ws))


def accept_offer(ws: Workspace, offer_id: str, union: str, *, note: str) -> WorkspaceOp[Any]:
    """Take an offered member into ``union`` (the answer goes with the next sync)."""
    return WorkspaceOp(lambda ctx: transfer_offers.accept_offer(ws, offer_id, union, note=note))


def refuse_offer(ws: Workspace, offer_id: str, *, note: str) -> WorkspaceOp[Any]:
    """Refuse an offered member, saying why."""
    return WorkspaceOp(lambda ctx: transfer_offers.refuse_offer(ws, offer_id, note=note))
