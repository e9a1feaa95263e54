"""``ws.settings``: JSON values kept inside the encrypted database (audited by key, not value)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from desktop.store import db
from desktop.store.roles import require

if TYPE_CHECKING:
    from desktop.store.context import StoreContext
    from desktop.store.outbox import StoreOutbox

DEFAULTS: dict[str, Any] = {
    "backup.keep": 5,  # rolling automatic backups kept in <workspace>/backups
    "backup.on_close": True,
}


class Settings:
    """Workspace settings: ``get(key, default)`` / ``set(key, value)``."""

    def __init__(self, ctx: StoreContext, *, outbox: StoreOutbox | None = None) -> None:
        self._ctx = ctx
        #: the outbox of the same workspace: receipts (sync history, verdicts) are stored there,
        #: so a reader handed only the settings (``link.state.history(ws.settings)``) finds them
        self.outbox = outbox

    def get(self, key: str, default: Any = None) -> Any:
        self._ctx.require_open()
        row = (
            self._ctx.connection()
            .execute("SELECT value FROM settings WHERE key = ?", (key,))
            .fetchone()
        )
        if row is None:
            return DEFAULTS.get(key, default) if default is None else default
        return json.loads(row[0])

    def set(self, key: str, value: Any) -> None:
        user = self._ctx.require_open()
        require(user, "settings", "change settings")
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
        conn = self._ctx.connection()
        with db.transaction(conn, f"saving setting {key!r}"):
            conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, text))
            self._ctx.audit.append(user.name, "settings.set", key, {})
        self._ctx.mark_changed()

    def delete(self, key: str) -> None:
        user = self._ctx.require_open()
        require(user, "settings", "change settings")
        conn = self._ctx.connection()
        with db.transaction(conn, f"removing setting {key!r}"):
            conn.execute("DELETE FROM settings WHERE key = ?", (key,))
            self._ctx.audit.append(user.name, "settings.delete", key, {})
