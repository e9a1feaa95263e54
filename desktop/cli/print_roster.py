"""``uniondesk print roster --union ID -o FILE.pdf``: a union's member roster (会员花名册).

ID numbers and phones are masked unless ``--unmask`` is given by a role that may unmask (the
store audits every member so revealed).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli.common import add_workspace_args, fail, open_workspace


def register_print(targets: argparse._SubParsersAction) -> None:
    roster = targets.add_parser(
        "roster",
        help="a union's member roster (会员花名册)",
        description="Print the member roster of one union as PDF.",
    )
    roster.add_argument("--union", required=True, help="the union's record id (or full name)")
    roster.add_argument("-o", "--output", type=Path, required=True, help="PDF file to write")
    roster.add_argument(
        "--unmask", action="store_true", help="full ID numbers and phones (audited)"
    )
    roster.add_argument("--lang", choices=("zh_CN", "en"), default="zh_CN", help="language")
    add_workspace_args(roster)
    roster.set_defaults(func=run_roster)


def run_roster(args: argparse.Namespace) -> int:
    from desktop.cli.import_cmds import resolve_union
    from desktop.reports.roster_pdf import RosterError, write_roster

    ws = open_workspace(args)
    try:
        union = resolve_union(ws, args.union)
        if union is None:
            return fail(f"no union {args.union} in this workspace")
        if args.unmask and not ws.user.can("unmask"):
            return fail(f"role {ws.user.role} may not unmask personal data; print it masked")
        try:
            path = write_roster(ws, union, args.output, unmask=args.unmask, lang=args.lang)
        except (RosterError, OSError) as exc:
            return fail(str(exc))
        print(path)
        return 0
    finally:
        ws.close()
