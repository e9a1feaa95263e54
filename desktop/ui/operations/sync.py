"""Operations with the county server: enroll (a new workspace or an open one), sync now, the
automatic sync's tick, and a reviewer's queue and decisions (``desktop.link``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.ui.operations.core import WorkspaceOp

if TYPE_CHECKING:
    from desktop.link.auto import AutoSync, TickResult
    from desktop.store import Workspace


def enroll(ws: Workspace, server_url: str, code: str) -> WorkspaceOp[Any]:
    """Enroll the workspace with a county server (one-time code)."""
    from desktop import link

    return WorkspaceOp(lambda ctx: link.enroll(ws, server_url, code))


def sync_with_county(ws: Workspace, **options: Any) -> WorkspaceOp[Any]:
    """Upload what is pending and apply the inbox (cancellable; progress in records)."""
    from desktop import link

    return WorkspaceOp(
        lambda ctx: link.sync_now(
            ws, progress=ctx.progress, cancel=lambda: ctx.cancelled, **options
        )
    )


def create_and_enroll(
    path: Path,
    *,
    org_unit_code: str,
    org_unit_name: str,
    admin_user: str,
    admin_password: str,
    server_url: str,
    code: str,
) -> WorkspaceOp[tuple[Workspace, str, BaseException | None]]:
    """Create the workspace, then enroll it: (workspace, recovery key, the enrollment's failure
    or None). A failed enrollment keeps the workspace; only a failed creation raises."""
    from desktop import link
    from desktop.store import Workspace

    def work(ctx: Any) -> tuple[Workspace, str, BaseException | None]:
        ws, recovery_key = Workspace.create(
            path,
            org_unit_code=org_unit_code,
            org_unit_name=org_unit_name,
            admin_user=admin_user,
            admin_password=admin_password,
        )
        try:
            link.enroll(ws, server_url, code.strip())
        except Exception as exc:  # noqa: BLE001 - the workspace stays; enroll later
            return ws, recovery_key, exc
        return ws, recovery_key, None

    return WorkspaceOp(work)


def auto_sync_tick(auto: AutoSync) -> WorkspaceOp[TickResult]:
    """One probe of the county server, and a sync when there is work (cancellable)."""
    return WorkspaceOp(lambda ctx: auto.tick(cancel=lambda: ctx.cancelled))


def set_auto_sync(ws: Workspace, on: bool) -> WorkspaceOp[None]:
    """Turn the automatic sync on or off (a workspace setting)."""
    from desktop.link import set_auto_sync as store

    return WorkspaceOp(lambda ctx: store(ws.settings, on))


# --------------------------------------------------------------------------- county review
def _review(ws: Workspace, retry: Any, call: Callable[[Any], Any]) -> WorkspaceOp[Any]:
    """``call(client)`` with the reviewer device's client, its session closed afterwards."""
    from desktop.link import review

    def work(ctx: Any) -> Any:
        client = review.review_client(ws, retry=retry)
        try:
            return call(client)
        finally:
            client.session.close()

    return WorkspaceOp(work)


def review_queue(ws: Workspace, *, retry: Any = None, **filters: Any) -> WorkspaceOp[Any]:
    """The county's review queue (``status``, ``org_unit``, ``form_id`` filters)."""
    return _review(ws, retry, lambda client: client.queue(**filters))


def review_record(
    ws: Workspace, record_uuid: str, *, unmask: bool = False, retry: Any = None
) -> WorkspaceOp[Any]:
    """One record under review, masked (or unmasked, which the county logs)."""
    if unmask:
        return _review(ws, retry, lambda client: client.record(record_uuid, unmask=True))
    return _review(ws, retry, lambda client: client.record(record_uuid))


def review_decide(
    ws: Workspace, reviewer: str, decisions: Sequence[Mapping[str, Any]], *, retry: Any = None
) -> WorkspaceOp[Any]:
    """Accept or return records (one or a selection) as the signed-in reviewer."""
    return _review(ws, retry, lambda client: client.decide(reviewer, list(decisions)))


def fetch_statistics(
    ws: Workspace,
    as_of: str,
    period: int | None,
    path: str | Path,
    *,
    tables: Any,
    lang: str,
    retry: Any = None,
) -> WorkspaceOp[Path]:
    """The county's statistics tables (统计报表), fetched by the reviewer device's signed call
    and written as .xlsx or .pdf with the township's writer; nothing is written on failure."""
    from desktop.link import review
    from desktop.ui.operations.records import statistics_file

    return statistics_file(
        lambda: review.fetch_stats(ws, as_of, period, retry=retry), path, tables=tables, lang=lang
    )
