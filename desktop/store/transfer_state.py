"""The state of membership transfers as the store keeps it: read by the member counts (tally),
the roster printout and the statistics; the operations that change it are
:mod:`desktop.domain.transfers`.

Transfers out to another township are kept in ``ws.settings`` under :data:`SETTINGS_KEY`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from forms import membership

if TYPE_CHECKING:
    from desktop.store.workspace import Workspace

SETTINGS_KEY = "rosters.transfers"


@dataclass(frozen=True)
class PendingTransfer:
    """A transfer out to another township's union, waiting for (or past) its confirmation."""

    id: str
    member_uuid: str
    member_name: str
    from_union: str  # union record uuid here
    to_union_name: str
    to_org_unit: str  # the receiving township's org-unit code
    date: str
    reason: str
    state: str  # pending | confirmed | cancelled
    requested_by: str
    requested_at: str
    settled_at: str = ""
    settled_note: str = ""
    request_uuid: str = ""  # the member_transfer record that carries the request upward
    joined_union: str = ""  # the union the member joined on the other side (from the answer)
    restore_waiting: bool = False  # refused, the 转出 row goes once the record is editable


_KNOWN = set(PendingTransfer.__dataclass_fields__)


def _load(ws: Workspace) -> list[dict[str, Any]]:
    value = ws.settings.get(SETTINGS_KEY, []) or []
    return [dict(v) for v in value] if isinstance(value, list) else []


def _pending(item: Mapping[str, Any]) -> PendingTransfer:
    """A stored item as a PendingTransfer (keys of older or newer versions are ignored)."""
    return PendingTransfer(**{k: v for k, v in item.items() if k in _KNOWN})


def pending_transfers(ws: Workspace, state: str | None = "pending") -> list[PendingTransfer]:
    """Transfers to other townships (``state=None``: all of them, newest last)."""
    return [_pending(i) for i in _load(ws) if state is None or i["state"] == state]


def pending_member_uuids(ws: Workspace) -> set[str]:
    """Members whose latest 转出 row does not take effect: the transfer is pending, or it was
    refused and the row is still to be removed (the record was with the county)."""
    return {
        t.member_uuid
        for t in pending_transfers(ws, state=None)
        if t.state == "pending" or t.restore_waiting
    }


def is_current_member(
    data: Mapping[str, Any], pending: Collection[str] = (), uuid: str = ""
) -> bool:
    """Whether the member still counts for its union (:func:`forms.membership.counts`; a
    transfer is pending while ``uuid`` is in ``pending``)."""
    return membership.counts(data.get("changes"), transfer_pending=uuid in pending)
