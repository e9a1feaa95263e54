"""The narrow interface the store's managers use of their workspace.

``ws.records``, ``ws.outbox``, ``ws.settings``, ``ws.ledgers`` and ``ws.users`` are built by
:class:`desktop.store.workspace.Workspace` with the workspace itself, but each is typed against
the few members it needs — :class:`StoreContext` (the connection, the open check, the audit chain,
the field cipher, change notices, the form catalogue, the org unit and the user) or :class:`KeyContext` (that plus
the key slots, for user management) — not the whole workspace, so they never import
``desktop.store.workspace`` and a test can hand them a small stand-in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from desktop.store.audit import AuditLog
    from desktop.store.field_cipher import FieldCipher
    from desktop.store.formdefs import FormCatalog
    from desktop.store.keyslots import KdfParams, SlotFile
    from desktop.store.roles import User
    from desktop.store.workspace import OrgUnit


class StoreContext(Protocol):
    """What a record / outbox / settings / ledger manager uses of its workspace."""

    forms: FormCatalog
    org_unit: OrgUnit
    user: User
    _dirty: bool
    _audit: AuditLog
    #: seals / opens / indexes sensitive values (``field_cipher.PLAIN`` on an ``intl`` workspace)
    _cipher: FieldCipher

    def _connection(self) -> Any:
        """The open SQLCipher connection (raises WorkspaceClosed once closed)."""
        ...

    def _require_open(self) -> User:
        """The signed-in user of the open workspace (raises WorkspaceClosed once closed)."""
        ...

    def _changed(self, form_id: str | None, record_uuid: str | None) -> None:
        """Tell subscribers a change committed (``record_uuid`` None: many records)."""
        ...


class KeyContext(StoreContext, Protocol):
    """What user management uses besides: the key slots and the data keys they wrap."""

    _slots: SlotFile
    _kdf: KdfParams

    def _keys(self) -> dict[int, bytes]: ...

    def _save_slots(self) -> None: ...
