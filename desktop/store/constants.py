"""The workspace folder's file names and the store's fixed numbers, in one module that imports
nothing: the store's modules read them from here (never from :mod:`desktop.store.workspace`, so
there is no import cycle); ``desktop.store.workspace`` re-exports them for scripts."""

from __future__ import annotations

DB_NAME = "workspace.db"
SLOTS_NAME = "keyslots.json"
BACKUP_DIR = "backups"
VERIFY_ON_OPEN_BYTES = 64 * 1024 * 1024  # about 30k members: well under a second
RECOVERY_USER = "*recovery*"
