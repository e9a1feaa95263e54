"""Retry with exponential backoff and full jitter, cancellable while it waits.

Used by the sync client engine for every request: network errors (connection refused or cut,
timeouts) and 5xx answers are retried; anything else is the caller's to handle.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

CancelFn = Callable[[], bool]


class SyncCancelled(Exception):
    """The user cancelled; everything already acknowledged stays acknowledged."""


@dataclass
class RetryPolicy:
    """How often and how patiently a request is retried.

    ``attempts`` counts every try (1 = no retry). The wait before retry *n* (1-based) is a
    uniformly random time in ``[0, min(max_delay, base_delay * 2**(n-1))]`` ("full jitter"),
    so many townships coming back online at once do not hammer the county in step.
    """

    attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    rng: random.Random = field(default_factory=random.Random, repr=False)

    @property
    def timeout(self) -> tuple[float, float]:
        """The ``timeout=`` for requests: (connect, read)."""
        return (self.connect_timeout, self.read_timeout)

    def delay(self, retry_number: int) -> float:
        """The jittered wait before retry ``retry_number`` (1 for the first retry)."""
        cap = min(self.max_delay, self.base_delay * (2 ** max(0, retry_number - 1)))
        return self.rng.uniform(0.0, cap)


def wait(seconds: float, cancel: CancelFn | None, step: float = 0.05) -> None:
    """Sleep ``seconds`` but wake early and raise :class:`SyncCancelled` when cancelled."""
    deadline = time.monotonic() + seconds
    ev = threading.Event()
    while True:
        if cancel is not None and cancel():
            raise SyncCancelled()
        left = deadline - time.monotonic()
        if left <= 0:
            return
        ev.wait(min(step, left))
