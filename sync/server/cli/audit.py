"""``uniondesk-server audit-log``: list the server's audit log and check its hash chain."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from sync.server.domain import audit_log


def cmd_audit_log(args: argparse.Namespace) -> int:
    from sync.server.runner import open_server

    server = open_server(Path(args.data))
    try:
        with server.store.read() as conn:
            if args.verify:
                problems = audit_log.verify(conn)
                count = len(audit_log.entries(conn))
            else:
                listed = audit_log.entries(conn, args.limit)
    finally:
        server.store.close()
    if args.verify:
        if args.json:
            print(json.dumps({"intact": not problems, "entries": count, "problems": problems},
                             ensure_ascii=False, indent=2))  # fmt: skip
        elif problems:
            for problem in problems:
                print(problem)
        else:
            print(f"audit log intact: {count} entries")
        return 1 if problems else 0
    if args.json:
        print(json.dumps([e.to_dict() for e in listed], ensure_ascii=False, indent=2))
    else:
        for entry in listed:
            print(entry.line())
    return 0


def add_commands(command: Callable[..., argparse.ArgumentParser]) -> None:
    p = command(
        "audit-log",
        cmd_audit_log,
        "list the audit log of administrative and review actions, or check its hash chain",
    )
    p.add_argument("--verify", action="store_true", help="check the chain (exit 1 if broken)")
    p.add_argument("--json", action="store_true", help="as JSON")
    p.add_argument("--limit", type=int, help="only the newest N entries")
