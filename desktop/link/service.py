"""Run enrollment and sync for a workspace: the one entry point the UI and the CLI use.

The engine (:mod:`sync.client`) knows nothing of the store; this module builds it from the
enrollment state in ``ws.settings``, gives it ``ws.outbox``, applies the inbox to the workspace,
and keeps the bookkeeping the Sync page shows (history, rejected records, last success).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import requests

from desktop.link import state
from desktop.link.inbox import HANDLED_KINDS, add_form, apply_message, retry_held
from sync import enroll as sync_enroll
from sync.client import BatchLimits, RetryPolicy, ServerKeys, SyncClient, SyncError, SyncSummary

if TYPE_CHECKING:
    from desktop.store import Workspace

ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]


class LinkError(Exception):
    """Enrollment or sync failed; ``code`` is stable, the message is clear and data-free."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class LinkStatus:
    """What the Sync page and status bar show."""

    enrolled: bool
    server_url: str | None
    server_name: str | None
    device_id: str | None
    org_unit: str | None
    pending: int
    unacknowledged: int
    last_success: str | None
    auto: bool


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _require_sync_role(ws: Workspace) -> None:
    user = ws.user
    if not user.can("sync"):
        raise LinkError("not_allowed", f"the role {user.role} may not sync; sign in as a clerk")


def link_status(ws: Workspace) -> LinkStatus:
    e = state.load_enrollment(ws.settings)
    return LinkStatus(
        enrolled=e is not None,
        server_url=e.server_url if e else None,
        server_name=e.server_name if e else None,
        device_id=e.device_id if e else None,
        org_unit=e.org_unit if e else None,
        pending=ws.outbox.pending_count(),
        unacknowledged=len(ws.outbox.unacknowledged()),
        last_success=ws.settings.get(state.LAST_SUCCESS_KEY),
        auto=state.auto_sync_enabled(ws.settings),
    )


def make_session(enrollment: state.Enrollment) -> requests.Session:
    """A session that trusts only the county CA received at enrollment."""
    session = requests.Session()
    session.verify = str(enrollment.ca_file())
    session.trust_env = False  # no proxy from the environment between us and the county
    return session


def enroll(ws: Workspace, server_url: str, code: str, *, timeout: float = 20.0) -> state.Enrollment:
    """Enroll the workspace with a county server using a one-time code."""
    if state.load_enrollment(ws.settings) is not None:
        raise LinkError(
            "already_enrolled", "this workspace is already enrolled with a county server"
        )
    try:
        result = sync_enroll.enroll_device(server_url, code, timeout=timeout)
    except sync_enroll.EnrollError as exc:
        raise LinkError(exc.code, str(exc)) from exc
    enrollment = state.Enrollment(
        server_url=result.server_url,
        device_id=result.device_id,
        org_unit=result.org_unit,
        server_name=result.server_name,
        server_signing_key=state.b64(result.server_signing_key),
        server_hpke_key=state.b64(result.server_hpke_key),
        ca_pem=result.ca_pem,
        device_private_key=state.b64(result.device_private_key),
        enrolled_at=now_iso(),
        org_unit_name=result.org_unit_name,
        server_id=result.server_id,
        max_batch_records=result.max_batch_records,
        max_batch_bytes=result.max_batch_bytes,
    )
    if not _within(ws.org_unit.code, result.org_unit, result.org_units):
        raise LinkError(
            "wrong_org_unit",
            f"the code was made for org unit {result.org_unit}, "
            f"but this workspace is {ws.org_unit.code}",
        )
    for definition in result.forms:
        add_form(ws, definition)
    ws.settings.set(state.ORG_UNITS_KEY, result.org_units)
    state.save_enrollment(ws.settings, enrollment)
    follow_county_suite(ws)
    return enrollment


def follow_county_suite(ws: Workspace) -> bool:
    """Move the workspace to ``gm`` when the county it is enrolled with is on ``gm`` (the suite
    of the device key: learnt from ``/v1/info`` at enrollment, or from the county's signed
    ``server_keys`` message when it moved); True when it moved. A workspace never moves back.
    Called after enrollment and after every sync."""
    e = state.load_enrollment(ws.settings)
    if e is None or e.crypto_suite != "gm" or ws.crypto_suite == "gm":
        return False
    if not (ws.user.can("sync") or ws.user.can("manage_keys")):
        return False  # the next sync (by a clerk) moves it
    return bool(ws.adopt_crypto_suite("gm", following_county=True))


def _within(code: str, root: str, tree: list[dict[str, Any]]) -> bool:
    """Whether org unit ``code`` is ``root`` or below it in the received tree."""
    parents = {u.get("code"): u.get("parent") for u in tree}
    seen: set[str] = set()
    while code and code not in seen:
        if code == root:
            return True
        seen.add(code)
        code = parents.get(code) or ""
    return False


def make_client(
    ws: Workspace,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    retry: RetryPolicy | None = None,
    limits: BatchLimits | None = None,
    session: requests.Session | None = None,
    base_url: str | None = None,
) -> SyncClient:
    """The engine for this workspace (``base_url`` overrides the enrolled URL, e.g. a proxy)."""
    e = state.load_enrollment(ws.settings)
    if e is None:
        raise LinkError("not_enrolled", "this workspace is not enrolled with a county server yet")

    client = SyncClient(
        ws.outbox,
        session or make_session(e),
        base_url=base_url or e.server_url,
        device_id=e.device_id,
        device_key=state.unb64(e.device_private_key),
        server_keys=ServerKeys(
            signing_key=state.unb64(e.server_signing_key),
            hpke_key=state.unb64(e.server_hpke_key),
            previous_signing_keys=tuple(
                state.unb64(k) for k in e.server_previous_signing_keys.split()
            ),
        ),
        limits=limits or BatchLimits(e.max_batch_records, e.max_batch_bytes),
        retry=retry,
        applier=lambda message: apply_message(ws, message),
        inbox_kinds=HANDLED_KINDS,
        progress=progress,
        cancel=cancel,
        on_rekey=lambda key, keys: state.rekeyed(
            ws.settings, key, keys.signing_key, keys.hpke_key, keys.previous_signing_keys
        ),
    )
    client.owns_session = session is None  # type: ignore[attr-defined]
    return client


def sync_now(ws: Workspace, **kwargs: Any) -> SyncSummary:
    """Upload pending records and apply the inbox; raises LinkError with a clear message."""
    _require_sync_role(ws)
    client = make_client(ws, **kwargs)
    retried = retry_held(ws)  # messages an earlier sync kept because they failed for a while
    try:
        summary = client.sync()
    except SyncError as exc:
        raise LinkError(exc.code, str(exc)) from exc
    finally:
        if getattr(client, "owns_session", False):
            client.session.close()  # no idle connections left open at the county
    summary.inbox_applied += retried
    if not summary.cancelled:
        ws.settings.set(state.LAST_SUCCESS_KEY, now_iso())
    follow_county_suite(ws)  # a county that moved to gm re-keyed this device in the inbox
    return summary


def probe(ws: Workspace, timeout: float = 3.0, session: requests.Session | None = None) -> bool:
    """Whether the enrolled county server answers now (cheap; never raises)."""
    e = state.load_enrollment(ws.settings)
    if e is None:
        return False
    from sync.client import probe_url

    own = session or make_session(e)
    try:
        return probe_url(own, e.server_url, timeout)
    finally:
        if session is None:
            own.close()
