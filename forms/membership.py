"""Who counts as a current member: the one rule for the township dashboard, rosters and the
province's aggregates.

A member record carries its membership history in ``changes`` (入会 / 转入 / 转出 / 退会 / 除名 …).
The *latest* change (by date; of two on the same date the later row) decides: a member whose
latest change is an exit (:data:`EXIT_KINDS`: 转出, 退会, 除名) no longer counts — except a
transfer out (转出) that is still pending, i.e. the receiving township has not accepted it yet:
until then the member still counts where it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TRANSFER_OUT = "transfer_out"
#: change kinds after which the member has left the union
EXIT_KINDS: tuple[str, ...] = (TRANSFER_OUT, "withdraw", "expel")


def latest_change(changes: Any) -> Mapping[str, Any] | None:
    """The latest row of a ``changes`` list (by date, then position), None without rows."""
    rows = [
        c for c in (changes if isinstance(changes, list | tuple) else ()) if isinstance(c, Mapping)
    ]
    if not rows:
        return None
    return max(enumerate(rows), key=lambda ic: (str(ic[1].get("date") or ""), ic[0]))[1]


def latest_kind(changes: Any) -> str:
    """The kind of the latest change ('' without rows)."""
    last = latest_change(changes)
    return str(last.get("kind") or "") if last is not None else ""


def counts_by_kind(kind: str, transfer_pending: bool) -> bool:
    """Whether a member whose latest change is ``kind`` counts (see the module doc)."""
    if kind not in EXIT_KINDS:
        return True
    return kind == TRANSFER_OUT and transfer_pending


def counts(changes: Any, transfer_pending: bool) -> bool:
    """Whether a member with this ``changes`` history counts; ``transfer_pending``: its transfer
    out (if the latest change is one) has not been accepted by the receiving side yet."""
    return counts_by_kind(latest_kind(changes), transfer_pending)


def transfer_out_date(changes: Any) -> str | None:
    """The date of the latest change when it is a transfer out (which transfer it is), else None."""
    last = latest_change(changes)
    if last is None or last.get("kind") != TRANSFER_OUT:
        return None
    return str(last.get("date") or "")
