"""Drives :class:`desktop.link.auto.AutoSync` from the GUI: a QTimer, work on the task helper.

The probe and any sync it triggers run off the GUI thread through the task runner; at most one
tick is in flight, so a slow or flaky link never blocks the window or piles up requests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.link.auto import AutoSync, TickResult
from desktop.ui import operations
from desktop.ui.tasks import TaskHandle, TaskRunner, default_runner

if TYPE_CHECKING:
    from desktop.store import Workspace


class AutoSyncDriver(QObject):
    """Ticks every ``interval_ms`` (and once at start); signals arrive on the GUI thread."""

    online_changed = Signal(object)  # True / False / None (off or not enrolled)
    synced = Signal(object)  # SyncSummary
    failed = Signal(object)  # the LinkError (or unexpected exception) of an automatic sync

    def __init__(
        self,
        interval_ms: int = 60_000,
        runner: TaskRunner | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._auto: AutoSync | None = None
        self._handle: TaskHandle | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.tick)
        self.paused = False

    @property
    def runner(self) -> TaskRunner:
        return self._runner or default_runner()

    def set_workspace(self, ws: Workspace | None, **auto_kwargs: Any) -> None:
        """Start on an open workspace (ticks at once), stop on ``None``."""
        if self._handle is not None and not self._handle.finished:
            self._handle.cancel()
        self._handle = None
        if ws is None:
            self._auto = None
            self._timer.stop()
            self.online_changed.emit(None)
            return
        self._auto = AutoSync(ws, **auto_kwargs)
        self._timer.start()
        self.tick()

    def busy(self) -> bool:
        return self._handle is not None and not self._handle.finished

    def tick(self) -> None:
        """One probe (+ sync when needed) on a worker, unless one is running or paused."""
        auto = self._auto
        if auto is None or self.paused or self.busy():
            return
        self._handle = (
            operations.auto_sync_tick(auto)
            .success(self._done)
            .failure(self.failed.emit)
            .with_runner(self.runner)
            .run()
        )

    def stop(self) -> None:
        self._timer.stop()
        if self._handle is not None:
            self._handle.cancel()

    def _done(self, result: TickResult) -> None:
        self.online_changed.emit(result.online)
        if result.summary is not None:
            self.synced.emit(result.summary)
        if result.error:
            self.failed.emit(result.error)
