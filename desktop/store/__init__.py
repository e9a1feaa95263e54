"""The encrypted workspace: the only code that opens the database.

``Workspace`` (create / open / open_with_recovery_key / restore), ``errors``, ``KdfParams``,
``Record``, ``User``. See docs/INTERFACES.md (desktop.store) for the contract.
"""

from desktop.store import errors
from desktop.store.keys import CheckReport
from desktop.store.keyslots import KdfParams
from desktop.store.records import BulkResult, Record
from desktop.store.roles import ROLES, User
from desktop.store.workspace import ChangeEvent, OrgUnit, Workspace

__all__ = [
    "ROLES",
    "BulkResult",
    "ChangeEvent",
    "CheckReport",
    "KdfParams",
    "OrgUnit",
    "Record",
    "User",
    "Workspace",
    "errors",
]
