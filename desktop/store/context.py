"""The narrow interface the store's managers use of their workspace.

``ws.records``, ``ws.outbox``, ``ws.settings``, ``ws.ledgers`` and ``ws.users`` are built by
:class:`desktop.store.workspace.Workspace`, but each gets only a context typed by one of the
protocols below — :class:`StoreContext` (the connection, the open check, the audit chain, change
notices, the form catalogue, the org unit, the user and the field cipher), :class:`KeyContext` (that plus the key
slots, for user management) or :class:`KeyringContext` (that plus the workspace's identity and
re-keying, for the checks and key rotation of :mod:`desktop.store.keys`) — never the workspace with its private attributes. So the managers
do not import ``desktop.store.workspace``, a reader sees at the signature what each one touches,
and a test can hand them a small stand-in. The workspace's implementation of both is
``desktop.store.workspace.ManagerContext``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from pathlib import Path

    from desktop.store.audit import AuditLog
    from desktop.store.field_cipher import FieldCipher
    from desktop.store.formdefs import FormCatalog
    from desktop.store.keyslots import KdfParams, SlotFile
    from desktop.store.roles import User
    from desktop.store.workspace import OrgUnit


class StoreContext(Protocol):
    """What a record / outbox / settings / ledger manager uses of its workspace."""

    @property
    def forms(self) -> FormCatalog:
        """The form definitions the workspace knows."""
        ...

    @property
    def cipher(self) -> FieldCipher:
        """Seals / opens / indexes sensitive values (``field_cipher.PLAIN`` on ``intl``)."""
        ...

    @property
    def org_unit(self) -> OrgUnit:
        """The township (or county) the workspace belongs to."""
        ...

    @property
    def user(self) -> User:
        """The signed-in user."""
        ...

    @property
    def audit(self) -> AuditLog:
        """The hash-chained audit log, on the current connection."""
        ...

    def connection(self) -> Any:
        """The open SQLCipher connection (raises WorkspaceClosed once closed)."""
        ...

    def require_open(self) -> User:
        """The signed-in user of the open workspace (raises WorkspaceClosed once closed)."""
        ...

    def changed(self, form_id: str | None, record_uuid: str | None) -> None:
        """Tell subscribers a change committed (``record_uuid`` None: many records); marks the
        workspace as changed since it was opened."""
        ...

    def mark_changed(self) -> None:
        """A change without a record notice (a setting, a ledger): the close backs it up."""
        ...


class KeyContext(StoreContext, Protocol):
    """What user management uses besides: the key slots and the data keys they wrap."""

    @property
    def slots(self) -> SlotFile:
        """The key-slot file as loaded (or as reloaded after a failed save)."""
        ...

    @property
    def kdf(self) -> KdfParams:
        """The key-derivation parameters for new slots."""
        ...

    def keys(self) -> dict[int, bytes]:
        """The data keys by generation (the current one)."""
        ...

    def save_slots(self) -> None:
        """Write the key-slot file (reloads it and raises a store error when that fails)."""
        ...


class KeyringContext(KeyContext, Protocol):
    """What the health check and the key management of :mod:`desktop.store.keys` use besides:
    the workspace's identity and folder, the current key generation, and re-keying."""

    @property
    def workspace_id(self) -> str:
        """The id every key slot is bound to."""
        ...

    @property
    def path(self) -> Path:
        """The workspace folder."""
        ...

    @property
    def crypto_suite(self) -> str:
        """``intl`` or ``gm`` (the recovery slot is made for it)."""
        ...

    @property
    def key_gen(self) -> int:
        """The generation of the current database key."""
        ...

    def user_names(self) -> set[str]:
        """The names of the workspace's users (each needs a key slot)."""
        ...

    def rekeyed(self, gen: int, key: bytes) -> None:
        """The database was re-keyed to ``key`` (generation ``gen``): drop the connection
        opened with the old key and work on a fresh one opened with the new key."""
        ...
