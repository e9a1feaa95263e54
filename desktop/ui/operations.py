"""Named operations on the open workspace, in one place (the model: Anki's ``aqt/operations`` with
``CollectionOp``).

A widget says *what* to run and *what to do on success*; :class:`WorkspaceOp` runs it off the GUI
thread through :mod:`desktop.ui.tasks` (so tests with :class:`~desktop.ui.tasks.ImmediateTaskRunner`
run it at once) and calls back on the GUI thread::

    operations.save_assessment(ws, session).success(self._saved).failure(self._failed).run()

Each function below names one action the UI takes on a workspace and calls the domain or the
store (``desktop.domain``, ``ws.…``) — never Qt: the widgets keep their own texts and states.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from desktop.domain import assessments
from desktop.ui.tasks import TaskContext, TaskHandle, TaskRunner, default_runner

if TYPE_CHECKING:
    from desktop.store import CheckReport, Record, Workspace

T = TypeVar("T")


class WorkspaceOp(Generic[T]):
    """One operation on a workspace: ``op(ctx)`` runs on a worker thread; ``success`` and
    ``failure`` (if set) run on the GUI thread with its result or its exception."""

    def __init__(self, op: Callable[[TaskContext], T], *, runner: TaskRunner | None = None) -> None:
        self._op = op
        self._runner = runner
        self._success: Callable[[T], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None
        self._progress: Callable[[int, int], None] | None = None
        self._started: Callable[[TaskContext], None] | None = None

    def success(self, fn: Callable[[T], None]) -> WorkspaceOp[T]:
        self._success = fn
        return self

    def failure(self, fn: Callable[[BaseException], None]) -> WorkspaceOp[T]:
        self._failure = fn
        return self

    def progress(self, fn: Callable[[int, int], None]) -> WorkspaceOp[T]:
        self._progress = fn
        return self

    def started(self, fn: Callable[[TaskContext], None]) -> WorkspaceOp[T]:
        """Called with the task's context on the worker thread just before the operation (so
        a Cancel button reaches it even before ``run`` returned its handle)."""
        self._started = fn
        return self

    def with_runner(self, runner: TaskRunner | None) -> WorkspaceOp[T]:
        """Run on ``runner`` instead of the application-wide one (a page's own)."""
        self._runner = runner
        return self

    def run(self) -> TaskHandle:
        """Start it in the background; the handle can cancel it."""
        runner = self._runner or default_runner()
        op, started = self._op, self._started

        def work(ctx: TaskContext) -> T:
            if started is not None:
                started(ctx)
            return op(ctx)

        return runner.run(work, self._success, self._failure, self._progress)


# --------------------------------------------------------------------------- the workspace
def check_workspace(ws: Workspace) -> WorkspaceOp[CheckReport]:
    """The full check: pages, integrity, kept counts, audit chain, key slots."""
    return WorkspaceOp(lambda ctx: ws.check())


def back_up(ws: Workspace) -> WorkspaceOp[Path]:
    """A backup into the workspace's backups folder now (rolling, as on close)."""
    from desktop.ui.backup import back_up_now

    return WorkspaceOp(lambda ctx: back_up_now(ws))


def close_workspace(ws: Workspace) -> WorkspaceOp[None]:
    """Close the workspace (its final checkpoint can take a moment on a big file)."""
    return WorkspaceOp(lambda ctx: ws.close())


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
    from printing.stats_files import write_report

    def work(ctx: TaskContext) -> Path:
        report = stats_facts.township_report(ws, as_of, period)
        ctx.check_cancelled()
        return write_report(
            report, path, tables=tables, lang=lang, progress=ctx.progress,
            cancel=lambda: ctx.cancelled,
        )  # fmt: skip

    return WorkspaceOp(work)


# --------------------------------------------------------------------------- sync
def enroll(ws: Workspace, server_url: str, code: str) -> WorkspaceOp[Any]:
    """Enroll the workspace with a county server (one-time code)."""
    from desktop import link

    return WorkspaceOp(lambda ctx: link.enroll(ws, server_url, code))


def sync_with_county(ws: Workspace, **options: Any) -> WorkspaceOp[Any]:
    """Upload what is pending and apply the inbox (cancellable; progress in records)."""
    from desktop import link

    return WorkspaceOp(
        lambda ctx: link.sync_now(
            ws, progress=ctx.progress, cancel=lambda: ctx.cancelled, **options
        )
    )


# --------------------------------------------------------------------------- assessments
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


__all__ = [
    "WorkspaceOp",
    "back_up",
    "check_workspace",
    "close_workspace",
    "enroll",
    "export_records",
    "print_assessment",
    "save_assessment",
    "save_record",
    "sync_with_county",
    "write_roster",
    "write_statistics",
]
