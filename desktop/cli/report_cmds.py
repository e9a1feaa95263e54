"""``uniondesk report stats --as-of DATE [--period YEAR] -o FILE.xlsx|.pdf``: the statistics
tables (统计报表) of the open township workspace, computed through :mod:`forms.stats`.

``report`` takes one target per kind of report (``stats`` for now), the way ``print`` does.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from desktop.cli.common import add_workspace_args, fail, open_workspace

TABLE_IDS = ("organisation", "membership", "realname", "assessment", "funds_review")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="statistics tables (统计报表) to an .xlsx or PDF file",
        description="Write a report of the workspace. Run `uniondesk report stats --help`.",
    )
    targets = parser.add_subparsers(dest="target", metavar="TARGET")
    st = targets.add_parser(
        "stats",
        help="the statistics tables as of a date (xlsx or PDF by the file name)",
        description="The five statistics tables of this township, one row per grassroots "
        "union and the total, as of a date. Counts only: no personal data.",
    )
    st.add_argument("--as-of", required=True, help="as-of date, YYYY-MM-DD")
    st.add_argument("--period", type=int, default=None, help="year (default: the as-of year)")
    st.add_argument("-o", "--output", type=Path, required=True, help="FILE.xlsx or FILE.pdf")
    st.add_argument(
        "--table",
        action="append",
        choices=TABLE_IDS,
        default=None,
        help="only this table (repeatable; default: all five)",
    )
    st.add_argument("--lang", choices=("zh_CN", "en"), default="zh_CN", help="language")
    add_workspace_args(st)
    st.set_defaults(func=run_stats)
    parser.set_defaults(func=lambda args: _no_target(parser))


def _no_target(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def run_stats(args: argparse.Namespace) -> int:
    from desktop.domain.stats_facts import township_report
    from printing.stats_files import write_report

    try:
        dt.date.fromisoformat(args.as_of)
    except ValueError:
        return fail(f"--as-of {args.as_of!r} is not a date like 2026-06-30", 2)
    if args.output.suffix.lower() not in (".xlsx", ".pdf"):
        return fail(f"{args.output.name}: the output file must end in .xlsx or .pdf", 2)
    ws = open_workspace(args)
    try:
        report = township_report(ws, args.as_of, args.period)
        try:
            path = write_report(report, args.output, tables=args.table, lang=args.lang)
        except OSError as exc:
            return fail(f"cannot write {args.output}: {exc}")
        print(path)
        return 0
    finally:
        ws.close()
