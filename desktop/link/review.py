"""County review from the desktop: a reviewer workspace enrolled with the county server (a code
made with ``enroll-code --role reviewer``) lists the queue, opens records and sends decisions.

Network work only; the Review page (``desktop/ui/pages/review_page.py``) runs these on the task
helper. Errors are :class:`desktop.link.LinkError` with stable codes (``unreachable``,
``not_a_reviewer``, ``not_allowed``, ``not_enrolled``, ``comment_required``, …).

:func:`fetch_stats` brings the county's statistics tables (统计报表) to the reviewer's desktop
(signed ``GET /v1/stats``), for ``uniondesk report stats --from-server``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from desktop.link import state
from desktop.link.service import LinkError, make_client, make_session
from sync.client import SyncError
from sync.retry import RetryPolicy
from sync.review_client import ReviewClient

if TYPE_CHECKING:
    from desktop.store import Workspace


def review_client(ws: Workspace, *, retry: RetryPolicy | None = None) -> ReviewClient:
    """The review client of this workspace's reviewer device."""
    if not ws.user.can("review"):
        raise LinkError(
            "not_allowed", f"the role {ws.user.role} may not review; sign in as a reviewer"
        )
    e = state.load_enrollment(ws.settings)
    if e is None:
        raise LinkError("not_enrolled", "this workspace is not enrolled with a county server yet")
    return ReviewClient(
        make_session(e),
        base_url=e.server_url,
        device_id=e.device_id,
        device_key=state.unb64(e.device_private_key),
        retry=retry,
    )


def _call(ws: Workspace, fn: str, *args: Any, retry: RetryPolicy | None = None, **kw: Any) -> Any:
    client = review_client(ws, retry=retry)
    try:
        return getattr(client, fn)(*args, **kw)
    except SyncError as exc:
        raise LinkError(exc.code, str(exc)) from exc
    finally:
        client.session.close()


def follow_rekey(ws: Workspace, *, retry: RetryPolicy | None = None) -> int:
    """Apply what the county sent this reviewer device through its signed inbox: after the
    county moved to another crypto suite (``uniondesk-server rotate-key --crypto-suite gm``) a
    ``server_keys`` message, verified with the county key this workspace knows; the device then
    makes a key of the new suite, registers it (``POST /v1/device/key``, signed with the old
    key, proven by the new one) and keeps it and the county's new keys in the encrypted
    workspace, like a township's sync does. Returns how many messages were applied."""
    client = make_client(ws, retry=retry)
    try:
        return client.pull_inbox().inbox_applied
    except SyncError as exc:
        raise LinkError(exc.code, str(exc)) from exc
    finally:
        client.session.close()


def queue(ws: Workspace, *, retry: RetryPolicy | None = None, **filters: Any) -> dict[str, Any]:
    """The review queue (``status``, ``org_unit``, ``form_id`` filters). The inbox is read
    first (:func:`follow_rekey`): a county that moved to another suite re-keys its reviewer
    devices when they next open or refresh the queue."""
    review_client(ws)  # the role and enrollment checks, before any request
    follow_rekey(ws, retry=retry)
    return _call(ws, "queue", retry=retry, **filters)


def record(ws: Workspace, record_uuid: str, *, retry: RetryPolicy | None = None) -> dict[str, Any]:
    """One record with its version history, decisions and the township's audit-chain head."""
    return _call(ws, "record", record_uuid, retry=retry)


def decide(
    ws: Workspace,
    decisions: Iterable[Mapping[str, Any]],
    *,
    retry: RetryPolicy | None = None,
) -> list[dict[str, Any]]:
    """Accept or return records (one or a selection) as the signed-in reviewer."""
    return _call(ws, "decide", ws.user.name, list(decisions), retry=retry)


def fetch_stats(
    ws: Workspace,
    as_of: str,
    period: int | None = None,
    unit: str | None = None,
    *,
    retry: RetryPolicy | None = None,
) -> Any:
    """The county's statistics tables as of ``as_of`` (of ``unit``, the device's own org unit
    by default) as a :class:`forms.stats.Report`, computed at the county with the same
    definition; write it with ``printing.stats_files.write_report``. Needs the ``review``
    permission and a reviewer enrollment: ``not_allowed``, ``not_enrolled``, ``unreachable``,
    ``bad_request`` (a bad date, an unknown unit) or ``bad_response`` otherwise. The inbox is
    read first (:func:`follow_rekey`), as for the queue: a county that moved to another suite
    re-keys the device before it asks for its tables."""
    from sync import review_client as rc

    review_client(ws)  # the role and enrollment checks, before any request
    follow_rekey(ws, retry=retry)
    client = review_client(ws, retry=retry)
    try:
        return rc.fetch_stats(client, as_of, period, unit)
    except SyncError as exc:
        raise LinkError(exc.code, str(exc)) from exc
    except (AttributeError, KeyError, TypeError, ValueError) as exc:  # not a report of ours
        raise LinkError("bad_response", f"the county's report cannot be read: {exc}") from exc
    finally:
        client.session.close()
