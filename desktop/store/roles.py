"""Roles and what each may do: the one place permissions are decided.

Roles: ``admin`` (manages users, keys, backups; everything), ``clerk`` (录入员: enters and syncs
records), ``auditor`` (经审员: audit checklists; sees masked personal data only), ``reviewer``
(县级审核员: reads everything, accepts or returns records). The store checks these in its API,
so the UI hiding a button is never the only guard.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.store import errors

ROLES = ("admin", "clerk", "auditor", "reviewer")
AUDIT_FORM_PREFIX = "audit"

PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(
        {
            "manage_users",
            "manage_keys",
            "backup",
            "write",
            "write_audit",
            "unmask",
            "sync",
            "review",
            "sign_off",
            "settings",
        }
    ),
    "clerk": frozenset(
        {"backup", "write", "write_audit", "unmask", "sync", "sign_off", "settings"}
    ),
    "auditor": frozenset({"write_audit", "sign_off", "settings"}),
    "reviewer": frozenset({"review", "unmask", "settings"}),
}

ROLE_LABELS = {
    "admin": {"zh_CN": "管理员", "en": "Administrator"},
    "clerk": {"zh_CN": "录入员", "en": "Clerk"},
    "auditor": {"zh_CN": "经审员", "en": "Auditor"},
    "reviewer": {"zh_CN": "县级审核员", "en": "County reviewer"},
}


@dataclass(frozen=True)
class User:
    """The signed-in user."""

    name: str
    role: str

    def can(self, permission: str) -> bool:
        return permission in PERMISSIONS.get(self.role, frozenset())

    def can_write_form(self, form_id: str) -> bool:
        if form_id.startswith(AUDIT_FORM_PREFIX):
            return self.can("write_audit")
        return self.can("write")


def require(user: User, permission: str, action: str) -> None:
    """Raise PermissionDenied unless ``user`` holds ``permission``."""
    if not user.can(permission):
        raise errors.PermissionDenied(f"User {user.name!r} (role {user.role}) may not {action}.")


def require_form_write(user: User, form_id: str) -> None:
    if not user.can_write_form(form_id):
        raise errors.PermissionDenied(
            f"User {user.name!r} (role {user.role}) may not change {form_id!r} records."
        )


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    return role
