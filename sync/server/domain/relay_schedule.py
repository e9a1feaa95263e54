"""Scheduled relay inside ``uniondesk-server serve``: a background thread that sends the relay
backlog to the province every ``every`` seconds.

Requests never wait for it (its own thread and its own HTTP session; the store serialises
writes as for any request). Each run is logged with the backlog after it. A failed run (the
province unreachable, a refusal) is retried after a growing, jittered pause - like the desktop
client - up to ``max_backoff``; the first success goes back to the plain schedule. While the
county is not enrolled at a province (no ``relay.json``) runs are skipped, so enrolling with
``relay-enroll`` while the server runs starts relaying at the next tick. ``stop()`` interrupts
a pause or a run between steps and joins the thread.
"""

from __future__ import annotations

import random
import threading
from typing import Any

from sync.client import SyncError
from sync.retry import RetryPolicy
from sync.server.domain.relay import RelayBusy, RelayOutbox, load_link, relay_once
from sync.server.domain.service import Server
from sync.server.errors import loggable

DEFAULT_EVERY = 300.0  # seconds between runs when a county is enrolled at a province
DEFAULT_MAX_BACKOFF = 1800.0


class RelayScheduler:
    """``start()`` / ``stop()``; one relay run every ``every`` seconds, backing off on failure."""

    def __init__(
        self,
        server: Server,
        every: float,
        *,
        max_backoff: float = DEFAULT_MAX_BACKOFF,
        retry: RetryPolicy | None = None,
        rng: random.Random | None = None,
        **relay_kwargs: Any,
    ) -> None:
        if every <= 0:
            raise ValueError("every must be > 0")
        self.server = server
        self.every = float(every)
        self.max_backoff = max(float(max_backoff), self.every)
        self.retry = retry
        self.relay_kwargs = relay_kwargs
        self.rng = rng or random.Random()
        self.failures = 0  # consecutive failed runs
        self.runs = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._unlinked_logged = False

    def start(self) -> RelayScheduler:
        self.server.log.info("relay scheduler started every=%ss", _secs(self.every))
        self._thread = threading.Thread(target=self._loop, name="ud-relay", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Stop: a pause ends at once, a run at its next step; waits up to ``timeout``."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                self.server.log.warning("relay scheduler still busy at shutdown; left behind")
            self._thread = None
        self.server.log.info("relay scheduler stopped")

    def next_pause(self) -> float:
        """Seconds until the next run: ``every`` after a success; after ``n`` failures in a row
        a jittered ``every * 2**n`` (at least ``every``), capped at ``max_backoff``."""
        if self.failures == 0:
            return self.every
        cap = min(self.max_backoff, self.every * 2.0 ** min(self.failures, 30))
        return self.rng.uniform(self.every, max(self.every, cap))

    def run_once(self) -> float:
        """One scheduled run (logged); returns the pause before the next one."""
        if load_link(self.server) is None:
            if not self._unlinked_logged:
                self.server.log.info("relay skipped: this county is not enrolled at a province")
                self._unlinked_logged = True
            return self.every
        self._unlinked_logged = False
        self.runs += 1
        try:
            summary = relay_once(
                self.server, retry=self.retry, cancel=self._stop.is_set, **self.relay_kwargs
            )
        except RelayBusy:
            self.server.log.info("relay skipped: another relay run is in progress")
            return self.every
        except SyncError as exc:
            self.failures += 1
            pause = self.next_pause()
            self.server.log.warning(
                "relay run failed code=%s failures=%d %s; next try in %ss",
                exc.code,
                self.failures,
                _backlog_text(self.server),
                _secs(pause),
            )
            return pause
        except Exception as exc:  # a defect must not end the schedule; the next run tries again
            self.failures += 1
            self.server.log.error("relay run crashed failures=%d %s", self.failures, loggable(exc))
            return self.next_pause()
        if self.failures:
            self.server.log.info("relay back after %d failed run(s)", self.failures)
        self.failures = 0
        self.server.log.info(
            "relay scheduled run records=%d received=%d duplicate=%d rejected=%d%s %s",
            summary.records_sent,
            summary.received,
            summary.duplicates,
            summary.rejected,
            " (stopped by shutdown)" if summary.cancelled else "",
            _backlog_text(self.server),
        )
        return self.every

    def _loop(self) -> None:
        while not self._stop.is_set():
            if self._stop.wait(self.run_once()):
                return


def _backlog_text(server: Server) -> str:
    try:
        b = RelayOutbox(server).backlog()
    except Exception as exc:  # e.g. the database is down: say so, keep the schedule
        return f"backlog=unknown ({type(exc).__name__})"
    return (
        f"backlog pending={b['pending']} sealed={b['sealed']} delivered={b['delivered']} "
        f"rejected={b['rejected']} batches_unacknowledged={b['batches_unacknowledged']}"
    )


def _secs(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"
