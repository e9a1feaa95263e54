"""Operations of the Audits page: funds-review checklists, their rectifications, the ledger scan
and the printouts (``desktop.domain.checklists`` and ``desktop.domain.checklist_scan``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.domain import checklist_scan, checklists
from desktop.ui.operations.core import WorkspaceOp

if TYPE_CHECKING:
    from desktop.store import Record, Workspace


# --------------------------------------------------------------------------- checklists
def list_checklists(ws: Workspace, *, search: str | None = None) -> WorkspaceOp[list[Record]]:
    """Every checklist, newest change first (one indexed query)."""
    return WorkspaceOp(lambda ctx: checklists.list_checklists(ws, search=search))


def save_checklist(
    ws: Workspace, form_id: str, data: Mapping[str, Any], *, record_uuid: str | None
) -> WorkspaceOp[Record]:
    """Save a checklist as a draft: a new one, or a new version of ``record_uuid``."""
    if record_uuid is None:
        return WorkspaceOp(lambda ctx: ws.records.save(form_id, data, status="draft"))
    return WorkspaceOp(lambda ctx: checklists.save_checklist(ws, record_uuid, data))


def sign_off_checklist(ws: Workspace, record_uuid: str) -> WorkspaceOp[Record]:
    """Lock a complete checklist for good (``ChecklistNotReady`` names what is missing)."""
    return WorkspaceOp(lambda ctx: checklists.sign_off(ws, record_uuid))


def start_correction(ws: Workspace, record_uuid: str) -> WorkspaceOp[Record]:
    """A new draft checklist correcting a signed-off one."""
    return WorkspaceOp(lambda ctx: checklists.start_correction(ws, record_uuid))


def open_rectifications(
    ws: Workspace, today: dt.date, *, include_closed: bool = False, lang: str
) -> WorkspaceOp[list[checklists.OpenRectification]]:
    """The rectification items of every checklist (open ones, or all)."""
    return WorkspaceOp(
        lambda ctx: checklists.open_rectifications(
            ws, today, include_closed=include_closed, lang=lang
        )
    )


def record_rectification_outcome(
    ws: Workspace, checklist_uuid: str, item_id: str, outcome: str, date: str, *, note: str
) -> WorkspaceOp[Any]:
    """What became of one rectification item (it goes upward with the next sync)."""
    return WorkspaceOp(
        lambda ctx: checklists.record_outcome(ws, checklist_uuid, item_id, outcome, date, note=note)
    )


def print_blank_checklist(ws: Workspace | None, path: Path, *, lang: str) -> WorkspaceOp[Path]:
    """The blank checklist of the latest template, as PDF (cancellable, with progress)."""
    return WorkspaceOp(
        lambda ctx: checklists.print_blank(
            path, ws=ws, lang=lang, progress=ctx.progress, cancel=lambda: ctx.cancelled
        )
    )


def print_checklist_report(
    ws: Workspace, record_uuid: str, path: Path, *, lang: str
) -> WorkspaceOp[Path]:
    """A completed checklist's report, as PDF."""
    return WorkspaceOp(
        lambda ctx: checklists.print_report(
            ws, record_uuid, path, lang=lang, progress=ctx.progress, cancel=lambda: ctx.cancelled
        )
    )


def print_rectifications(
    ws: Workspace, path: Path, *, today: dt.date, lang: str
) -> WorkspaceOp[Path]:
    """The list of open rectification items, as PDF."""
    return WorkspaceOp(
        lambda ctx: checklists.print_rectifications(
            ws, path, today=today, lang=lang, progress=ctx.progress, cancel=lambda: ctx.cancelled
        )
    )


# --------------------------------------------------------------------------- the ledger scan
def read_ledger(path: Path, period: str | None, remembered: Mapping[str, str]) -> WorkspaceOp[Any]:
    """Read a journal export (no store writes: the file is parsed off the GUI thread)."""
    return WorkspaceOp(
        lambda ctx: checklist_scan.read_file(None, path, period, remembered=remembered)
    )


def store_ledger(ws: Workspace, read: Any, union_uuid: str, period: str | None) -> WorkspaceOp[Any]:
    """Keep the journal lines read for a union and year (replacing that year's lines)."""
    return WorkspaceOp(lambda ctx: checklist_scan.store_ledger(ws, read, union_uuid, period))


def scan_ledger(
    ws: Workspace, union_uuid: str, period: str
) -> WorkspaceOp[list[checklist_scan.Found]]:
    """The doubts the rules find in a union's stored journal, with the decisions taken."""
    return WorkspaceOp(lambda ctx: checklist_scan.scan_ledger(ws, union_uuid, period))


def confirm_doubt(
    ws: Workspace,
    union_uuid: str,
    period: str,
    key: str,
    checklist_uuid: str,
    *,
    found: Sequence[checklist_scan.Found],
    lang: str,
) -> WorkspaceOp[Record]:
    """A doubt becomes a finding of the linked item of the checklist."""
    return WorkspaceOp(
        lambda ctx: checklist_scan.confirm(
            ws, union_uuid, period, key, checklist_uuid, found=found, lang=lang
        )
    )


def dismiss_doubt(
    ws: Workspace, union_uuid: str, period: str, key: str, reason: str
) -> WorkspaceOp[Any]:
    """Dismiss a doubt with the reason the auditor found (核实后排除)."""
    return WorkspaceOp(lambda ctx: checklist_scan.dismiss(ws, union_uuid, period, key, reason))


def print_doubts(
    ws: Workspace,
    union_uuid: str,
    period: str,
    path: Path,
    *,
    found: Sequence[checklist_scan.Found] | None,
    lang: str,
) -> WorkspaceOp[Path]:
    """The 疑点清单 of one union and year, as PDF."""
    return WorkspaceOp(
        lambda ctx: checklist_scan.print_doubts(
            ws, union_uuid, period, path, found=found, lang=lang
        )
    )
