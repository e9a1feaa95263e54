"""The one background-task helper: run a function off the GUI thread, callbacks on the GUI thread.

``TaskRunner.run(fn, on_done=, on_error=, on_progress=)`` calls ``fn(ctx)`` on a worker thread;
``ctx.progress(done, total)`` reports progress and ``ctx.cancelled`` tells ``fn`` to stop early.
The callbacks always run on the GUI thread. Tests install :class:`ImmediateTaskRunner` with
:func:`set_default_runner` so UI tests never depend on timing.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

TaskFn = Callable[["TaskContext"], Any]
DoneFn = Callable[[Any], None]
ErrorFn = Callable[[BaseException], None]
ProgressFn = Callable[[int, int], None]


class TaskCancelled(Exception):
    """Raised by :meth:`TaskContext.check_cancelled` when the user cancelled the task."""


class TaskContext:
    """Handed to the task function: progress reporting and the cancel flag."""

    def __init__(self, progress: ProgressFn | None = None) -> None:
        self._cancel = threading.Event()
        self._progress = progress

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def check_cancelled(self) -> None:
        if self._cancel.is_set():
            raise TaskCancelled()

    def progress(self, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress(int(done), int(total))


class TaskHandle:
    """What :meth:`TaskRunner.run` returns: ask the task to stop, see whether it finished."""

    def __init__(self, ctx: TaskContext) -> None:
        self.ctx = ctx
        self.finished = False

    def cancel(self) -> None:
        self.ctx.cancel()


class _Bridge(QObject):
    """Lives on the GUI thread; signals emitted from the worker arrive there queued."""

    done = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int)


class _Job(QRunnable):
    def __init__(self, fn: TaskFn, ctx: TaskContext, bridge: _Bridge) -> None:
        super().__init__()
        self.fn, self.ctx, self.bridge = fn, ctx, bridge
        # Python keeps the job until its result reached the GUI thread: a C++ delete on the
        # worker thread of an object Python owns is how PySide programs crash at exit
        self.setAutoDelete(False)

    def run(self) -> None:
        try:
            result = self.fn(self.ctx)
        except BaseException as exc:  # noqa: BLE001 - reported to the GUI thread
            exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            self.bridge.failed.emit(exc)
        else:
            self.bridge.done.emit(result)


class TaskRunner:
    """Runs tasks on a thread pool; callbacks run on the GUI thread."""

    def __init__(self, pool: QThreadPool | None = None) -> None:
        self._pool = pool or QThreadPool.globalInstance()
        self._live: set[_Bridge] = set()
        self._jobs: set[_Job] = set()

    def run(
        self,
        fn: TaskFn,
        on_done: DoneFn | None = None,
        on_error: ErrorFn | None = None,
        on_progress: ProgressFn | None = None,
    ) -> TaskHandle:
        bridge = _Bridge()
        ctx = TaskContext(progress=bridge.progressed.emit)
        handle = TaskHandle(ctx)
        job = _Job(fn, ctx, bridge)
        self._live.add(bridge)
        self._jobs.add(job)

        def finish() -> None:
            handle.finished = True
            self._live.discard(bridge)
            self._jobs.discard(job)
            bridge.deleteLater()

        def done(result: object) -> None:
            finish()
            if on_done is not None:
                on_done(result)

        def failed(exc: object) -> None:
            finish()
            if on_error is not None:
                on_error(exc)  # type: ignore[arg-type]
            elif not isinstance(exc, TaskCancelled):
                print(getattr(exc, "__traceback_text__", repr(exc)))

        bridge.done.connect(done)
        bridge.failed.connect(failed)
        if on_progress is not None:
            bridge.progressed.connect(on_progress)
        self._pool.start(job)
        return handle

    def wait(self, msecs: int = -1) -> bool:
        """Block until every queued task finished (for shutdown and benchmarks)."""
        return self._pool.waitForDone(msecs)


class ImmediateTaskRunner(TaskRunner):
    """Runs each task at once on the calling thread (tests): same callbacks, no timing."""

    def __init__(self) -> None:
        self._live = set()

    def run(
        self,
        fn: TaskFn,
        on_done: DoneFn | None = None,
        on_error: ErrorFn | None = None,
        on_progress: ProgressFn | None = None,
    ) -> TaskHandle:
        ctx = TaskContext(progress=on_progress)
        handle = TaskHandle(ctx)
        try:
            result = fn(ctx)
        except Exception as exc:  # noqa: BLE001 - same contract as the threaded runner
            handle.finished = True
            if on_error is None:
                raise
            on_error(exc)
        else:
            handle.finished = True
            if on_done is not None:
                on_done(result)
        return handle

    def wait(self, msecs: int = -1) -> bool:
        return True


_default: TaskRunner | None = None


def default_runner() -> TaskRunner:
    """The application-wide runner (a thread-pool runner unless a test swapped it)."""
    global _default
    if _default is None:
        _default = TaskRunner()
    return _default


def set_default_runner(runner: TaskRunner | None) -> None:
    """Swap the application-wide runner (tests install an :class:`ImmediateTaskRunner`)."""
    global _default
    _default = runner
