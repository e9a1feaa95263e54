"""Errors the workspace raises. Each message is clear and free of personal data.

Callers catch the specific class (the UI turns each into words); every class derives from
:class:`StoreError`. Messages name the thing that is wrong (file, user, field id, record uuid),
never a value a person typed.
"""

from __future__ import annotations

from typing import Any


class StoreError(Exception):
    """Base class of every error raised by ``desktop.store``."""

    code = "store.error"


class WrongPassword(StoreError):
    """The password (or recovery key) does not unlock the key slot."""

    code = "store.wrong_password"

    def __init__(self, message: str, *, failures: int = 0, delay_seconds: float = 0.0) -> None:
        super().__init__(message)
        self.failures = failures
        self.delay_seconds = delay_seconds


class TooManyAttempts(StoreError):
    """Too many wrong passwords in a row: wait ``retry_after`` seconds before trying again."""

    code = "store.too_many_attempts"

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UnknownUser(StoreError):
    """No user of that name in this workspace."""

    code = "store.unknown_user"


class InvalidRecoveryKey(WrongPassword):
    """The recovery key is mistyped (its check characters do not match)."""

    code = "store.invalid_recovery_key"


class CorruptWorkspace(StoreError):
    """The workspace folder is missing files or its database cannot be read."""

    code = "store.corrupt_workspace"


class TamperedDatabase(CorruptWorkspace):
    """The database file fails its authentication (SQLCipher HMAC) although the key is right."""

    code = "store.tampered_database"


class DamagedKeySlots(CorruptWorkspace):
    """The key-slot file is unreadable, fails its checksum, or does not belong to the database."""

    code = "store.damaged_key_slots"


class NotABackup(CorruptWorkspace):
    """The file chosen for a restore is not a UnionDesk backup at all."""

    code = "store.not_a_backup"


class DamagedBackup(CorruptWorkspace):
    """The backup file is cut short, damaged or altered: it cannot be restored."""

    code = "store.damaged_backup"


class NewerWorkspaceVersion(StoreError):
    """The workspace was written by a newer UnionDesk; this version must not touch it."""

    code = "store.newer_version"


class WorkspaceExists(StoreError):
    """``create`` or ``restore`` was pointed at a folder that already holds a workspace."""

    code = "store.workspace_exists"


class WorkspaceClosed(StoreError):
    """The workspace has been closed."""

    code = "store.closed"


class PermissionDenied(StoreError):
    """The signed-in user's role does not allow this action."""

    code = "store.permission_denied"


class ValidationFailed(StoreError):
    """The data does not pass the form's validation; ``result`` is the forms ValidationResult."""

    code = "store.validation_failed"

    def __init__(self, message: str, result: Any) -> None:
        super().__init__(message)
        self.result = result


class RecordNotFound(StoreError):
    """No record with that uuid."""

    code = "store.record_not_found"


class RecordLocked(StoreError):
    """The record was signed off; a correction is a new record."""

    code = "store.record_locked"


class RecordNotEditable(StoreError):
    """The record is with the county (queued, delivered, forwarded) and cannot change now."""

    code = "store.record_not_editable"


class UnknownForm(StoreError):
    """No form definition with that id (and version)."""

    code = "store.unknown_form"


class UnknownBatch(StoreError):
    """The outbox has no sealed batch with that id."""

    code = "store.unknown_batch"


class OutboxConflict(StoreError):
    """A seal does not fit the outbox state (wrong device_seq, items not pending)."""

    code = "store.outbox_conflict"


class DiskFull(StoreError):
    """The disk is full: the change was not saved (nothing already saved is lost)."""

    code = "store.disk_full"


class DatabaseBusy(StoreError):
    """Another connection holds the database's write lock longer than the busy timeout (a
    passing state: the same change succeeds when tried again)."""

    code = "store.busy"


class StorageError(StoreError):
    """The operating system reported a read or write error on the workspace files."""

    code = "store.storage_error"


class UserExists(StoreError):
    """A user of that name already exists."""

    code = "store.user_exists"


class WeakPassword(StoreError):
    """The new password breaks the password rule (:mod:`desktop.store.passwords`);
    ``problems`` lists the rule's codes, ``problem`` is the first."""

    code = "store.weak_password"

    def __init__(self, message: str, *, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or ["password.too_short"])
        self.problem = self.problems[0]
