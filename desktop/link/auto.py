"""Automatic sync when the county server is reachable: a cheap probe, then a sync if needed.

No timers or threads here: the desktop calls :meth:`AutoSync.tick` periodically on a worker
(``desktop/ui/sync_auto.py`` drives it with a QTimer and the task helper), so a flaky link never
freezes the window. On by default; ``ws.settings["sync.auto"] = False`` turns it off.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop.link import service, state
from sync.client import SyncSummary

if TYPE_CHECKING:
    from desktop.store import Workspace


@dataclass(frozen=True)
class TickResult:
    """One tick: ``online`` is None when auto-sync is off or the workspace is not enrolled."""

    online: bool | None
    summary: SyncSummary | None = None
    error: service.LinkError | None = None


class AutoSync:
    """Decides when to sync: at start-up, when the server comes back, when there is work."""

    def __init__(
        self,
        ws: Workspace,
        *,
        inbox_interval: float = 900.0,
        probe_timeout: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
        sync_kwargs: dict[str, Any] | None = None,
    ) -> None:
        self.ws = ws
        self.inbox_interval = inbox_interval
        self.probe_timeout = probe_timeout
        self.clock = clock
        self.sync_kwargs = dict(sync_kwargs or {})
        self.online: bool | None = None
        self._last_sync: float | None = None

    def enabled(self) -> bool:
        if getattr(self.ws, "closed", False):
            return False
        return state.auto_sync_enabled(self.ws.settings) and (
            state.load_enrollment(self.ws.settings) is not None
        )

    def tick(self, cancel: Callable[[], bool] | None = None) -> TickResult:
        """Probe; sync when online and there is something to send or the inbox is due."""
        if not self.enabled():
            self.online = None
            return TickResult(None)
        online = service.probe(self.ws, timeout=self.probe_timeout)
        came_back = online and self.online is not True
        self.online = online
        if not online:
            return TickResult(False)
        status = service.link_status(self.ws)
        inbox_due = self._last_sync is None or (
            self.clock() - self._last_sync >= self.inbox_interval
        )
        if not (came_back or status.pending or status.unacknowledged or inbox_due):
            return TickResult(True)
        try:
            summary = service.sync_now(self.ws, cancel=cancel, **self.sync_kwargs)
        except service.LinkError as exc:
            if exc.code == "unreachable":
                self.online = False
            return TickResult(self.online, error=exc)
        self._last_sync = self.clock()
        return TickResult(True, summary=summary)
