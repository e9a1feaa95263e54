"""``ws.users``: user accounts (role in the database, key slot in the slot file)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.store import audit, db, errors, keyslots
from desktop.store.passwords import check_password
from desktop.store.roles import User, check_role, require

if TYPE_CHECKING:
    from desktop.store.context import KeyContext


def check_name(name: str) -> str:
    if (
        not isinstance(name, str)
        or not name.strip()
        or len(name) > 64
        or any(ord(c) < 32 for c in name)
    ):
        raise ValueError("A user name must be 1-64 printable characters.")
    if name.startswith("*"):
        raise ValueError("A user name must not start with '*'.")
    return name.strip()


class Users:
    """Adding, removing and re-keying users of the open workspace (admin only, except that
    anyone may change their own password)."""

    def __init__(self, ctx: KeyContext) -> None:
        self._ctx = ctx

    def list(self) -> list[User]:
        self._ctx.require_open()
        return [
            User(n, r)
            for n, r in self._ctx.connection().execute(
                "SELECT name, role FROM users WHERE removed_at IS NULL ORDER BY name"
            )
        ]

    def _active(self, name: str) -> User | None:
        row = (
            self._ctx.connection()
            .execute("SELECT name, role FROM users WHERE name = ? AND removed_at IS NULL", (name,))
            .fetchone()
        )
        return User(*row) if row else None

    def add(self, name: str, password: str, role: str = "clerk") -> User:
        me = self._ctx.require_open()
        require(me, "manage_users", "add users")
        name, role = check_name(name), check_role(role)
        check_password(password, name)
        if self._active(name) is not None:
            raise errors.UserExists(f"User {name!r} already exists.")
        slots = self._ctx.slots
        slots.slots = [s for s in slots.slots if not (s.kind == "password" and s.user == name)]
        slots.slots.append(
            keyslots.make_password_slot(
                slots.workspace_id,
                name,
                password,
                self._ctx.keys(),
                self._ctx.kdf,
                self._ctx.cipher.suite,
            )
        )
        conn = self._ctx.connection()
        with db.transaction(conn, "adding a user"):
            conn.execute(
                "INSERT OR REPLACE INTO users (name, role, created_at, created_by, removed_at)"
                " VALUES (?, ?, ?, ?, NULL)",
                (name, role, audit.now(), me.name),
            )
            self._ctx.audit.append(me.name, "user.add", name, {"role": role})
            self._ctx.save_slots()
        return User(name, role)

    def remove(self, name: str) -> None:
        me = self._ctx.require_open()
        require(me, "manage_users", "remove users")
        user = self._active(name)
        if user is None:
            raise errors.UnknownUser(f"No user {name!r} in this workspace.")
        if name == me.name:
            raise errors.PermissionDenied("You cannot remove the user you are signed in as.")
        if user.role == "admin" and sum(u.role == "admin" for u in self.list()) <= 1:
            raise errors.PermissionDenied("The last administrator cannot be removed.")
        slots = self._ctx.slots
        slots.slots = [s for s in slots.slots if not (s.kind == "password" and s.user == name)]
        conn = self._ctx.connection()
        with db.transaction(conn, "removing a user"):
            conn.execute("UPDATE users SET removed_at = ? WHERE name = ?", (audit.now(), name))
            self._ctx.audit.append(me.name, "user.remove", name, {})
            self._ctx.save_slots()

    def change_password(self, name: str, new_password: str) -> None:
        """Rewrite ``name``'s slot only (the database is not re-encrypted)."""
        me = self._ctx.require_open()
        if name != me.name:
            require(me, "manage_users", "change other users' passwords")
        check_password(new_password, name)
        if self._active(name) is None:
            raise errors.UnknownUser(f"No user {name!r} in this workspace.")
        slots = self._ctx.slots
        slot = slots.password_slot(name)
        new = (
            keyslots.change_password(
                slots.workspace_id,
                slot,
                new_password,
                self._ctx.keys(),
                self._ctx.kdf,
                self._ctx.cipher.suite,
            )
            if slot
            else keyslots.make_password_slot(
                slots.workspace_id,
                name,
                new_password,
                self._ctx.keys(),
                self._ctx.kdf,
                self._ctx.cipher.suite,
            )
        )
        slots.slots = (
            [new if s is slot else s for s in slots.slots] if slot else [*slots.slots, new]
        )
        conn = self._ctx.connection()
        with db.transaction(conn, "changing a password"):
            self._ctx.audit.append(me.name, "user.password", name, {})
            self._ctx.save_slots()
