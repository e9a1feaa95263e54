"""``uniondesk-server report stats``: the statistics tables of this county or province.

uniondesk-server report stats --data DIR --as-of DATE [--period YEAR] [--unit CODE]
    [--tables ID,…] [--lang zh_CN|en] -o FILE.xlsx|.pdf
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
from collections.abc import Callable
from pathlib import Path

from sync.server.keyring import KEY_FILE_ENV, PASSPHRASE_ENV


def cmd_report_stats(args: argparse.Namespace) -> int:
    from forms.stats import StatsInputError
    from printing.stats_files import write_report
    from sync.server.domain.stats_report import report
    from sync.server.runner import open_server

    out = Path(args.output)
    if out.suffix.lower() not in (".xlsx", ".pdf"):
        print(f"error: {out.name}: the file must end in .xlsx or .pdf", file=sys.stderr)
        return 2
    try:
        _dt.date.fromisoformat(args.as_of)
    except ValueError:
        print(f"error: --as-of {args.as_of!r} is not a date such as 2026-06-30", file=sys.stderr)
        return 2
    server = open_server(Path(args.data))
    try:
        top = args.unit or server.config.org_unit_code
        result = report(server.store, top, args.as_of, args.period)
    except StatsInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        server.store.close()
    tables = [t for t in args.tables.split(",") if t] if args.tables else None
    write_report(result, out, tables=tables, lang=args.lang)
    rows = len(result.tables[0].rows) if result.tables else 0
    print(f"wrote {out} ({len(tables or result.tables)} tables, {rows} rows each, "
          f"as of {result.as_of}, period {result.period})")  # fmt: skip
    return 0


def add_commands(command: Callable[..., argparse.ArgumentParser]) -> None:
    p = command("report", None, "reports of this server's data (report stats)", data=False)
    sub = p.add_subparsers(dest="report", metavar="REPORT", required=True)
    s = sub.add_parser(
        "stats",
        help="the statistics tables (统计报表) as .xlsx or .pdf",
        description="The five statistics tables of this county or province (or, at a province, "
        "of one county with --unit): rows per org unit, subtotals up the tree, a total. Counts "
        "only: no personal data in any cell.",
    )
    s.add_argument("--data", required=True, help="server data directory")
    s.add_argument(
        "--master-key-file", metavar="FILE", help=f"the master key file (or {KEY_FILE_ENV})"
    )
    s.add_argument(
        "--passphrase-file", metavar="FILE", help=f"the master passphrase (or {PASSPHRASE_ENV})"
    )
    s.add_argument("--as-of", required=True, metavar="DATE", help="as-of date, e.g. 2026-06-30")
    s.add_argument(
        "--period", type=int, metavar="YEAR", help="the year (default: the as-of date's)"
    )
    s.add_argument("--unit", metavar="CODE", help="the reporting unit (default: this server's own)")
    s.add_argument(
        "--tables", metavar="ID,…", help="only these tables (e.g. organisation,membership)"
    )
    s.add_argument("--lang", choices=("zh_CN", "en"), default="zh_CN")
    s.add_argument("-o", "--output", required=True, metavar="FILE", help="FILE.xlsx or FILE.pdf")
    s.set_defaults(func=cmd_report_stats)
