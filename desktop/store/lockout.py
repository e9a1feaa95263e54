"""Growing delay after repeated wrong passwords, persisted beside the key-slot file.

The count lives in ``unlock-failures.json`` (never in the database or the slot file, which a
failed unlock must not modify). After ``FREE_ATTEMPTS`` failures in a row, each further attempt
must wait ``2 ** (failures - FREE_ATTEMPTS)`` seconds (capped) after the last failure.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from desktop.store import errors

FILE_NAME = "unlock-failures.json"
FREE_ATTEMPTS = 5
MAX_DELAY = 300.0


def delay_for(failures: int) -> float:
    if failures < FREE_ATTEMPTS:
        return 0.0
    return min(MAX_DELAY, float(2 ** (failures - FREE_ATTEMPTS)))


class Lockout:
    """Failure counts per user name (``"*recovery*"`` for the recovery key)."""

    def __init__(self, folder: Path, clock: Callable[[], float] = time.time) -> None:
        self._path = folder / FILE_NAME
        self._clock = clock

    def _load(self) -> dict[str, dict[str, float]]:
        try:
            data = json.loads(self._path.read_text("utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def _save(self, data: dict[str, dict[str, float]]) -> None:
        tmp = self._path.with_name(FILE_NAME + ".tmp")
        try:
            tmp.write_text(json.dumps(data), "utf-8")
            os.replace(tmp, self._path)
        except OSError:
            pass  # a read-only or full disk must not stop the unlock error from showing

    def check(self, who: str) -> None:
        """Raise TooManyAttempts while ``who`` must still wait."""
        entry = self._load().get(who)
        if not entry:
            return
        wait = entry.get("last", 0.0) + delay_for(int(entry.get("count", 0))) - self._clock()
        if wait > 0:
            raise errors.TooManyAttempts(
                f"Too many wrong passwords in a row: wait {int(wait) + 1} seconds and try again.",
                retry_after=wait,
            )

    def failed(self, who: str) -> tuple[int, float]:
        """Count one failure; returns (failures in a row, delay before the next attempt)."""
        data = self._load()
        count = int(data.get(who, {}).get("count", 0)) + 1
        data[who] = {"count": count, "last": self._clock()}
        self._save(data)
        return count, delay_for(count)

    def succeeded(self, who: str) -> None:
        data = self._load()
        if who in data:
            del data[who]
            self._save(data)
