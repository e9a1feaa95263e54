"""Operations on records: save one, export and print lists, the statistics tables, and the
member import (open a sheet, check its rows, import them, the template and the error report)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.domain import member_import
from desktop.ui.operations.core import WorkspaceOp
from desktop.ui.tasks import TaskContext

if TYPE_CHECKING:
    from desktop.store import Record, Workspace


# --------------------------------------------------------------------------- records
def save_record(
    ws: Workspace,
    form_id: str,
    values: Mapping[str, Any],
    *,
    record_uuid: str | None = None,
    status: str = "ready",
) -> WorkspaceOp[Record]:
    """Validate and save a record (a new one, or a new version of ``record_uuid``)."""
    return WorkspaceOp(
        lambda ctx: ws.records.save(form_id, values, record_uuid=record_uuid, status=status)
    )


def search_too_short(ws: Workspace, form_id: str, search: str) -> WorkspaceOp[int]:
    """0, or how many digits a search of the first digits of an ID number or phone needs to
    find them on this workspace (4 on gm: ``ws.records.search_too_short``); quick, no query."""
    return WorkspaceOp(lambda ctx: ws.records.search_too_short(form_id, search))


def export_records(
    ws: Workspace, form_id: str, path: str | Path, *, union_uuid: str | None, unmask: bool
) -> WorkspaceOp[Any]:
    """Members or unions to .xlsx / .csv (cancellable, with progress)."""
    from desktop.reports.excel_export import export_records as export

    return WorkspaceOp(
        lambda ctx: export(
            ws,
            form_id,
            path,
            union_uuid=union_uuid,
            unmask=unmask,
            progress=ctx.progress,
            cancel=lambda: ctx.cancelled,
        )  # fmt: skip
    )


def write_roster(
    ws: Workspace, union_uuid: str, path: str | Path, *, unmask: bool
) -> WorkspaceOp[Path]:
    """A union's member roster (花名册) as PDF."""
    from desktop.reports.roster_pdf import write_roster as write

    return WorkspaceOp(
        lambda ctx: write(
            ws,
            union_uuid,
            path,
            unmask=unmask,
            progress=ctx.progress,
            cancel=lambda: ctx.cancelled,
        )  # fmt: skip
    )


def write_statistics(
    ws: Workspace,
    as_of: Any,
    period: int | None,
    path: str | Path,
    *,
    tables: Any,
    lang: str,
) -> WorkspaceOp[Path]:
    """The township's statistics tables (统计报表) as .xlsx or .pdf."""
    from desktop.domain import stats_facts

    return statistics_file(
        lambda: stats_facts.township_report(ws, as_of, period), path, tables=tables, lang=lang
    )


def statistics_file(
    report_of: Callable[[], Any], path: str | Path, *, tables: Any, lang: str
) -> WorkspaceOp[Path]:
    """Make a statistics report with ``report_of`` (the workspace's, or the county's fetched)
    and write it as .xlsx or .pdf with the one writer, cancellable between the two."""
    from printing.stats_files import write_report

    def work(ctx: TaskContext) -> Path:
        report = report_of()
        ctx.check_cancelled()
        return write_report(
            report, path, tables=tables, lang=lang, progress=ctx.progress,
            cancel=lambda: ctx.cancelled,
        )  # fmt: skip

    return WorkspaceOp(work)


# --------------------------------------------------------------------------- member import
def open_member_sheet(path: Path, ws: Workspace) -> WorkspaceOp[member_import.OpenedSheet]:
    """Open a member sheet and guess its column mapping (reads the header rows only)."""
    return WorkspaceOp(lambda ctx: member_import.open_member_sheet(path, ws))


def check_import(
    ws: Workspace, opened: member_import.OpenedSheet, union_uuid: str, mapping: list[str | None]
) -> WorkspaceOp[member_import.ImportPlan]:
    """Check every row of the sheet against the form and the workspace; nothing is written."""
    return WorkspaceOp(
        lambda ctx: member_import.preview_import(
            ws, opened, union_uuid, mapping, progress=ctx.progress, cancel=lambda: ctx.cancelled
        )
    )


def import_members(
    ws: Workspace, plan: member_import.ImportPlan, policy: str, *, contradictions: str
) -> WorkspaceOp[member_import.ImportOutcome]:
    """Save the checked rows in chunks (a cancel keeps the chunks already committed)."""
    return WorkspaceOp(
        lambda ctx: member_import.commit_import(
            ws,
            plan,
            policy,
            progress=ctx.progress,
            cancel=lambda: ctx.cancelled,
            contradictions=contradictions,
        )
    )


def write_member_template(path: str | Path, ws: Workspace, lang: str) -> WorkspaceOp[Path]:
    """The empty member sheet with this workspace's columns, as .xlsx."""
    return WorkspaceOp(lambda ctx: member_import.write_member_template(path, ws, lang))


def write_import_errors(
    plan: member_import.ImportPlan,
    path: str | Path,
    outcome: member_import.ImportOutcome | None,
    lang: str,
) -> WorkspaceOp[Path]:
    """The rejected rows of an import, as .xlsx for the clerk to correct."""
    return WorkspaceOp(lambda ctx: member_import.write_error_report(plan, path, outcome, lang))
