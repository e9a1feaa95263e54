"""The operation object every named operation returns (see :mod:`desktop.ui.operations`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from desktop.ui.tasks import TaskContext, TaskHandle, TaskRunner, default_runner

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

    def now(self) -> T:
        """Run it at once on the calling thread and return its result (or raise).

        Only for a quick operation (one short transaction on a few rows) whose answer the widget
        needs before it goes on — a dialog's OK that must know whether it may close, a save
        before sign-off, a small spreadsheet the dialog names at once. Anything that reads many rows,
        writes a long file, derives a key from a password or uses the network goes through
        :meth:`run`.
        """
        return self._op(TaskContext())
