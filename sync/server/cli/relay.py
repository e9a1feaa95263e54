"""``uniondesk-server`` commands of part 2: relay, relay-enroll, verify, aggregates, review-queue.

uniondesk-server relay-enroll --data DIR --province URL --code CODE
uniondesk-server relay --data DIR [--every SECONDS] [--status]
uniondesk-server verify --data DIR RECORD_ID
uniondesk-server aggregates --data DIR [--by county|township|form] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _server(args: argparse.Namespace) -> Any:
    from sync.server.runner import open_server

    server = open_server(Path(args.data))
    return server


def _with_log(server: Any) -> None:
    from sync.server.runner import attach_log_file

    attach_log_file(server)


def cmd_relay_enroll(args: argparse.Namespace) -> int:
    from sync.server.domain.relay import enroll_at_province

    server = _server(args)
    _with_log(server)
    link = enroll_at_province(server, args.province, args.code)
    print(f"enrolled at {link.province_name} ({link.province_url}) as device {link.device_id}")
    from sync.client import SyncError
    from sync.server.domain.org_tree import send_tree
    from sync.server.domain.relay import make_relay_client

    client = make_relay_client(server)
    try:
        send_tree(server, client, force=True)
        print("org-unit tree sent to the province")
    except SyncError as exc:
        server.log.warning("org tree not sent at enrollment code=%s", exc.code)
        print(f"warning: org-unit tree not sent ({exc.code}); the next relay sends it")
    finally:
        client.session.close()
    return 0


def _print_backlog(server: Any) -> None:
    from sync.server.domain.relay import RelayOutbox

    b = RelayOutbox(server).backlog()
    print(
        f"relay backlog: pending {b['pending']}, sealed {b['sealed']} "
        f"(in {b['batches_unacknowledged']} unacknowledged batch(es)), "
        f"delivered {b['delivered']}, rejected by the province {b['rejected']}"
    )


def cmd_relay(args: argparse.Namespace) -> int:
    from sync.client import SyncError
    from sync.server.domain.relay import relay_once
    from sync.server.domain.relay_schedule import RelayScheduler

    server = _server(args)
    _with_log(server)
    if args.status:
        _print_backlog(server)
        return 0
    if args.every:
        scheduler = RelayScheduler(server, args.every).start()
        try:
            with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C ends the schedule
                threading.Event().wait()
        finally:
            scheduler.stop()
        _print_backlog(server)
        return 0
    from sync.server.domain.org_tree import acknowledged_hash

    tree_before = acknowledged_hash(server.store)
    try:
        summary = relay_once(server)
    except SyncError as exc:
        print(f"error: relay to the province failed: {exc.code}: {exc}", file=sys.stderr)
        _print_backlog(server)
        return 1
    print(summary.text())
    if acknowledged_hash(server.store) != tree_before:
        print("org-unit tree sent to the province (changed since the last relay)")
    _print_backlog(server)
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from sync.server.domain.provenance import verify_record

    report = verify_record(_server(args), args.record_id)
    for line in report.lines:
        print(line)
    print("provenance: verified" if report.ok else "provenance: NOT verified")
    return 0 if report.ok else 1


def cmd_aggregates(args: argparse.Namespace) -> int:
    from sync.server.domain.province import aggregates
    from sync.server.tables import FACT_COLUMNS

    rows = aggregates(_server(args).store, args.by)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    cols = ["records", *FACT_COLUMNS, "assessment_satisfaction"]
    print("\t".join([args.by, "name", *cols]))
    for row in rows:
        print("\t".join(str(row[c]) for c in ["key", "name", *cols]))
    return 0


def add_commands(command: Callable[..., argparse.ArgumentParser]) -> None:
    """Register the part-2 subcommands with ``sync.server.cli``'s ``command`` helper."""
    p = command("relay-enroll", cmd_relay_enroll, "enroll this county at its province")
    p.add_argument("--province", required=True, help="https://province-server:8443")
    p.add_argument("--code", required=True, help="code from the province (--role county)")
    p = command("relay", cmd_relay, "send accepted records to the province now (or on a schedule)")
    p.add_argument("--every", type=float, help="keep running, one relay run every SECONDS")
    p.add_argument("--status", action="store_true", help="only show the relay backlog")
    p = command(
        "verify", cmd_verify, "print and check the provenance chain of one record", data=False
    )
    p.add_argument("record_id", metavar="RECORD_ID")
    p.add_argument(
        "--data",
        default=os.environ.get("UNIONDESK_SERVER_DATA", "."),
        help="server data directory (default: $UNIONDESK_SERVER_DATA, else the current folder)",
    )
    p = command("aggregates", cmd_aggregates, "counts per county / township / form (province)")
    p.add_argument("--by", choices=("county", "township", "form"), default="county")
    p.add_argument("--json", action="store_true")
