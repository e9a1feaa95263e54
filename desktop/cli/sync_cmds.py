"""``uniondesk enroll --server URL --code CODE`` and ``uniondesk sync``: headless sync."""

from __future__ import annotations

import argparse
import sys

from desktop.cli.common import WorkspaceUnavailable, add_workspace_args, fail, open_workspace


def register(subparsers: argparse._SubParsersAction) -> None:
    enroll = subparsers.add_parser(
        "enroll", help="enroll this workspace with a county server (one-time code)"
    )
    add_workspace_args(enroll)
    enroll.add_argument("--server", required=True, metavar="URL", help="county server, https://…")
    enroll.add_argument("--code", required=True, metavar="CODE", help="one-time enrollment code")
    enroll.set_defaults(func=run_enroll)

    sync = subparsers.add_parser("sync", help="send pending records to the county, fetch its inbox")
    add_workspace_args(sync)
    sync.set_defaults(func=run_sync)


_EXPLAIN = {
    "sync.version_conflict": (
        "the county already holds other content for this version: the record was changed on "
        "another copy of this workspace (e.g. before an older backup was restored). Nothing was "
        "overwritten; check the record with the county, then edit it to send a new version."
    ),
}


def run_enroll(args: argparse.Namespace) -> int:
    from desktop.link import LinkError, enroll

    try:
        ws = open_workspace(args)
    except WorkspaceUnavailable as exc:  # the reason is printed already
        return int(exc.code or 1)
    try:
        enrollment = enroll(ws, args.server, args.code)
    except LinkError as exc:
        return fail(str(exc), 2)
    finally:
        ws.close()
    print(
        f"enrolled: device {enrollment.device_id}, org unit {enrollment.org_unit}, "
        f"server {enrollment.server_name} ({enrollment.server_url})"
    )
    return 0


def run_sync(args: argparse.Namespace) -> int:
    from desktop.link import LinkError, sync_now
    from desktop.link import state as link_state

    try:
        ws = open_workspace(args)
    except WorkspaceUnavailable as exc:  # the reason is printed already
        return int(exc.code or 1)
    try:

        def progress(done: int, total: int) -> None:
            if sys.stderr.isatty():
                print(f"\r{done}/{total} records", end="", file=sys.stderr, flush=True)

        summary = sync_now(ws, progress=progress)
        batches = {r["batch_id"] for r in summary.receipts}
        refused = [r for r in link_state.rejected(ws) if r.get("batch_id") in batches]
    except LinkError as exc:
        # 4: try again later (the county is out of reach); 2: something a person must fix
        return fail(str(exc), 4 if exc.code == "unreachable" else 2)
    finally:
        ws.close()
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(summary.text())
    for r in refused:  # record ids and error codes only: no personal data on the terminal
        reasons = ", ".join(
            str(e.get("code")) + (f" ({e['field']})" if e.get("field") else "")
            for e in r.get("errors", [])
        )
        print(f"refused: record {r['record_uuid']} version {r['version']}: {reasons}")
        codes = {str(e.get("code")) for e in r.get("errors", [])}
        for code in sorted(codes & set(_EXPLAIN)):
            print(f"  {_EXPLAIN[code]}")
    return 0
