"""Ledger-scan figures (数字化审计; target: a 5,000-voucher year read and scanned in ≤ 2 s).

    .venv/bin/python -m bench.bench_ledger_scan [--vouchers 5000] [--repeat 3]

Writes a year's journal as .xlsx (two to three lines per voucher, a title row, realistic
summaries, payees and accounts, some planted problems), then times: reading it into ledger
lines (python-calamine, header guessing, fen), scanning the lines with the template's rules, and
the two together. The baseline, measured in the same run, is calamine alone iterating the sheet's
cells: the ratio says what the reading layer adds on top of parsing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from pathlib import Path

import forms
from desktop.reports.ledger_read import read_ledger
from forms.checklist import template_from_raw
from forms.ledger_scan import Context, rules_from_raw, scan

HEADERS = [
    "日期",
    "凭证字号",
    "摘要",
    "科目编码",
    "科目名称",
    "借方金额",
    "贷方金额",
    "对方单位",
    "附件张数",
]
SPEND = [
    ("50101", "职工活动支出-文体活动", "组织会员羽毛球比赛场地费", "某体育馆"),
    ("50201", "职工服务支出-节日慰问", "中秋节慰问品", "某食品公司"),
    ("50202", "职工服务支出-困难帮扶", "困难职工慰问金", ""),
    ("50401", "业务支出-培训费", "工会干部培训班学员工作餐", "某酒店"),
    ("50501", "资本性支出-办公设备", "购置办公用品", "某文具店"),
    ("50301", "维权支出-法律援助", "支付法律顾问费", "某律师事务所"),
    ("50201", "职工服务支出-节日慰问", "春节发放购物卡", "某超市"),
    ("50401", "业务支出-招待", "宴请检查组", "某大酒店"),
]


def write_journal(path: Path, vouchers: int, seed: int = 7) -> Path:
    import openpyxl

    rnd = random.Random(seed)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("序时账")
    ws.append(["某某工会 序时账"])
    ws.append(HEADERS)
    start = dt.datetime(2026, 1, 1)
    per_month: dict[int, int] = {}
    for n in range(vouchers):
        day = start + dt.timedelta(days=n * 365 // vouchers)
        per_month[day.month] = per_month.get(day.month, 0) + 1
        no = f"记-{per_month[day.month]:04d}"
        code, name, summary, payee = SPEND[rnd.randrange(len(SPEND) - 2 if n % 97 else len(SPEND))]
        amount = rnd.randrange(100, 500000) / 100
        payee = f"{payee}{rnd.randrange(40)}" if payee else ""
        att = 0 if n % 211 == 0 else rnd.randrange(1, 6)
        if n % 13 == 0:  # income
            ws.append([day, no, "收到会员会费", "1002", "银行存款", amount, None, "", 1])
            ws.append([day, no, "收到会员会费", "40101", "会费收入", None, amount, "", None])
            continue
        cash = n % 9 == 0
        credit = ("1001", "库存现金") if cash else ("1002", "银行存款")
        ws.append([day, no, summary, code, name, amount, None, payee, att])
        if n % 4 == 0:  # a voucher with two expense lines
            ws.append([day, no, summary, code, name, 10.0, None, payee, None])
            amount += 10.0
        ws.append([day, no, summary, *credit, None, amount, payee, None])
        if cash:
            ws.append([day, no, "提取现金", "1001", "库存现金", amount, None, "", None])
            ws.append([day, no, "提取现金", "1002", "银行存款", None, amount, "", None])
    wb.save(path)
    return path


def timed(fn) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def calamine_only(path: Path) -> int:
    import python_calamine as pc

    sheet = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("序时账")
    return sum(len(r) for r in sheet.iter_rows())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vouchers", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds")
    args = parser.parse_args()
    if args.smoke:
        args.vouchers, args.repeat = 300, 1
    form = forms.load_form("audit_checklist")
    rules = rules_from_raw(form.raw, template_from_raw(form.raw))
    ctx = Context(members=120, payroll=12_000_000_00)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_journal(Path(tmp) / "journal.xlsx", args.vouchers)
        best: dict[str, float] = {}
        lines: list = []
        doubts: list = []
        for _ in range(args.repeat):
            t_base, _cells = timed(lambda: calamine_only(path))
            t_read, read = timed(lambda: read_ledger(path))
            lines = read.lines
            t_scan, doubts = timed(lambda got=lines: scan(got, rules, ctx))
            for k, v in (
                ("calamine", t_base),
                ("read", t_read),
                ("scan", t_scan),
                ("read+scan", t_read + t_scan),
            ):
                best[k] = min(best.get(k, v), v)
    print(f"journal: {args.vouchers} vouchers, {len(lines)} lines, {len(doubts)} doubts")
    print(f"baseline calamine cells only  {best['calamine']:.3f} s")
    print(
        f"read into ledger lines        {best['read']:.3f} s "
        f"({best['read'] / max(best['calamine'], 1e-9):.1f}x baseline)"
    )
    print(f"scan ({len(rules.rules)} rules)              {best['scan']:.3f} s")
    total = best["read+scan"]
    verdict = "ok" if total <= 2.0 else "OVER TARGET"
    print(f"read + scan                   {total:.3f} s  (target <= 2 s: {verdict})")
    assert doubts, "the planted problems were not found"


if __name__ == "__main__":
    main()
