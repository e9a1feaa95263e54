"""``uniondesk audit scan FILE --union UNION [--period YEAR] --csv OUT.csv``: 数字化审计, headless.

Imports the journal export FILE for the union and period (replacing an earlier import; decisions
taken on its doubts are kept), scans it with the rules of the checklist template and writes one
CSV line per doubt and voucher (凭证字号, 日期, 规则, 金额, 说明; the rule column holds the rule's
code, 金额 the doubt's amount in yuan), for scripts and support. ``--pdf`` also prints the
疑点清单. Exit status 0 also when doubts are found; 1 when the file or the union is wrong.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import Any

from desktop.cli.common import add_workspace_args, fail, open_workspace

CSV_COLUMNS = ("凭证字号", "日期", "规则", "金额", "说明", "结论")
DECISION_WORDS = {"confirmed": "已确认", "dismissed": "已排除"}


def register(subparsers: argparse._SubParsersAction) -> None:
    audit = subparsers.add_parser("audit", help="数字化审计: scan a union's ledger for doubts")
    kinds = audit.add_subparsers(dest="audit_command", metavar="ACTION")
    scan = kinds.add_parser(
        "scan",
        help="import a journal export and list its doubts (疑点)",
        description="Import a journal (序时账 / 明细账: .xlsx, .xls, .ods or .csv) for a union and "
        "scan it with the funds-review rules of the checklist template.",
    )
    scan.add_argument("file", type=Path, help="the journal export")
    scan.add_argument("--union", required=True, help="the union's record id (or its full name)")
    scan.add_argument("--period", default=None, help="the year audited (default: the file's)")
    scan.add_argument("--csv", type=Path, required=True, help="write the doubts to this CSV file")
    scan.add_argument("--pdf", type=Path, default=None, help="also print the 疑点清单 as PDF")
    scan.add_argument("--payroll", type=float, default=None, help="the year's payroll in yuan")
    scan.add_argument("--lang", choices=("zh_CN", "en"), default="zh_CN")
    add_workspace_args(scan)
    scan.set_defaults(func=run_scan)
    audit.set_defaults(func=lambda args: (audit.print_help(), 2)[1])


def write_csv(path: Path, found: list[Any], lang: str = "zh_CN") -> int:
    """One line per doubt and voucher; returns the number of lines written."""
    from forms.checklist import yuan

    n = 0
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(CSV_COLUMNS)
        for f in found:
            d = f.doubt
            state = DECISION_WORDS.get(f.decision.decision, "") if f.decision else ""
            for number, (_key, date) in zip(d.numbers, d.vouchers, strict=True):
                out.writerow(
                    [number, date, d.rule, yuan(d.amount).replace(",", ""), d.reason(lang), state]
                )
                n += 1
    return n


def run_scan(args: argparse.Namespace) -> int:
    from desktop.cli.import_cmds import resolve_union
    from desktop.domain import checklist_scan
    from desktop.reports.import_errors import ImportFileError
    from desktop.reports.import_messages import file_message

    if not args.file.exists():
        return fail(file_message("file.not_found", args.lang, file=args.file.name))
    ws = open_workspace(args)
    try:
        union = resolve_union(ws, args.union)
        if union is None:
            return fail(file_message("file.no_union", args.lang, union=args.union))
        try:
            read = checklist_scan.import_ledger(ws, args.file, union, args.period)
        except ImportFileError as exc:
            return fail(file_message(exc.code, args.lang, **exc.params))
        payroll = round(args.payroll * 100) if args.payroll else None
        found = checklist_scan.scan_ledger(ws, union, read.period, payroll=payroll)
        lines = write_csv(args.csv, found, args.lang)
        if args.pdf:
            checklist_scan.print_doubts(
                ws, union, read.period, args.pdf, found=found, lang=args.lang
            )
        print(
            f"{len(read.lines)} lines read, {len(found)} doubts ({lines} CSV lines) -> {args.csv}",
            file=sys.stdout,
        )
        return 0
    finally:
        ws.close()
