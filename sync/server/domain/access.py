"""Who may see what: permissions a device holds beyond its role.

``unmask``: a reviewer device with it may ask for the plain sensitive values of a record
(``review.detail(..., unmask=True)``); every such request, allowed or refused, is in the audit
log. Without it, reviewers see the masked values (``forms.masking``). Granted and revoked by
the server's administrator (``uniondesk-server grant`` / ``revoke-permission``), logged too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from sync.server.domain import audit_log
from sync.server.errors import ServerSetupError
from sync.server.store import Store
from sync.server.tables import devices

PERMISSIONS = ("unmask",)


def permissions_of(device: Any) -> frozenset[str]:
    """The permissions a device row holds (``devices.permissions``)."""
    return frozenset((getattr(device, "permissions", "") or "").split())


def set_permission(
    store: Store, device_id: str, permission: str, granted: bool, actor: str = "admin"
) -> frozenset[str]:
    """Grant or revoke ``permission`` for a device; returns what it holds afterwards."""
    if permission not in PERMISSIONS:
        raise ServerSetupError(
            f"unknown permission {permission!r}; known: {', '.join(PERMISSIONS)}"
        )
    with store.write() as conn:
        row = conn.execute(select(devices).where(devices.c.device_id == device_id)).first()
        if row is None:
            raise ServerSetupError(f"no device {device_id} on this server")
        held = set(permissions_of(row))
        if granted and row.role != "reviewer":
            raise ServerSetupError(
                f"device {device_id} is a {row.role} device; only reviewers may unmask"
            )
        held = held | {permission} if granted else held - {permission}
        conn.execute(
            update(devices)
            .where(devices.c.device_id == device_id)
            .values(permissions=" ".join(sorted(held)))
        )
        action = "permission_granted" if granted else "permission_revoked"
        audit_log.append(conn, action, actor, device_id, {"permission": permission})
    return frozenset(held)
