"""Glue between the encrypted workspace and the sync engine (enrollment, sync, inbox, auto-sync).

``sync/`` never imports ``desktop/``; this package is where the two meet.
"""

from desktop.link.service import (
    LinkError,
    LinkStatus,
    enroll,
    link_status,
    make_client,
    probe,
    sync_now,
)
from desktop.link.state import Enrollment, auto_sync_enabled, set_auto_sync

__all__ = [
    "Enrollment",
    "LinkError",
    "LinkStatus",
    "auto_sync_enabled",
    "enroll",
    "link_status",
    "make_client",
    "probe",
    "set_auto_sync",
    "sync_now",
]
