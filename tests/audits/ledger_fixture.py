"""A test journal (序时账) with each kind of problem planted and allowed look-alikes, written as a
finance program exports it: title rows, merged cells, one line per debit or credit."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

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
BANK = ("1002", "银行存款")
CASH = ("1001", "库存现金")
ACT = ("50101", "职工活动支出-文体活动")
SERV = ("50201", "职工服务支出-节日慰问")
HELP = ("50202", "职工服务支出-困难帮扶")
BIZ = ("50401", "业务支出-培训费")
CAP = ("50501", "资本性支出-办公设备")
RIGHTS = ("50301", "维权支出-法律援助")
DUES = ("40101", "会费收入")
ALLOC = ("40201", "拨缴经费收入")

# (date, voucher, summary, debit account, credit account, yuan, payee, attachments)
VOUCHERS: list[tuple[str, str, str, tuple, tuple, float, str, int]] = [
    ("2026-01-05", "记-0001", "提取备用金", CASH, BANK, 2500, "", 1),  # small cash draw: allowed
    ("2026-02-10", "记-0001", "春节发放购物卡", SERV, BANK, 8000, "某超市", 3),  # GIFT_CASH
    ("2026-02-20", "记-0002", "购买办公用品", CAP, BANK, 3000, "某文具店", 2),  # same vendor, Feb
    (
        "2026-03-03",
        "记-0001",
        "元宵节慰问品",
        SERV,
        BANK,
        3000,
        "某食品公司",
        2,
    ),  # FESTIVAL_OCCASION
    (
        "2026-03-15",
        "记-0002",
        "困难职工王某慰问金",
        HELP,
        CASH,
        2000,
        "",
        2,
    ),  # hardship cash: allowed
    (
        "2026-04-08",
        "记-0001",
        "会员生日蛋糕券",
        SERV,
        BANK,
        3000,
        "某蛋糕店",
        2,
    ),  # birthday: allowed
    ("2026-04-30", "记-0002", "收到行政拨缴工会经费", BANK, ALLOC, 8000, "某机械公司", 1),
    ("2026-05-20", "记-0001", "宴请上级检查组", BIZ, BANK, 6000, "某大酒店", 2),  # FORBIDDEN
    ("2026-05-28", "记-0002", "组织会员赴黄山旅游", ACT, BANK, 30000, "某旅行社", 2),  # FORBIDDEN
    (
        "2026-06-12",
        "记-0001",
        "职工技能培训班学员工作餐",
        BIZ,
        BANK,
        4000,
        "某大酒店",
        3,
    ),  # allowed
    ("2026-06-18", "记-0002", "端午节慰问品", SERV, BANK, 8000, "某食品公司", 2),
    ("2026-06-30", "记-0003", "收到会员会费", BANK, DUES, 5000, "", 1),
    ("2026-07-02", "记-0001", "购置办公桌椅", CAP, BANK, 3000, "某家具公司", 2),  # SPLIT_PURCHASE
    ("2026-07-09", "记-0002", "购置文件柜", CAP, BANK, 2800, "某家具公司", 2),  # SPLIT_PURCHASE
    ("2026-08-25", "记-0001", "购买办公用品", CAP, BANK, 3000, "某文具店", 2),  # months apart
    ("2026-09-20", "记-0001", "中秋节慰问品（月饼）", SERV, BANK, 12000, "某食品公司", 2),
    ("2026-10-10", "记-0001", "支付法律顾问费", RIGHTS, BANK, 1800, "某律师事务所", 1),  # DUPLICATE
    ("2026-10-12", "记-0004", "支付法律顾问费", RIGHTS, BANK, 1800, "某律师事务所", 1),  # DUPLICATE
    ("2026-11-02", "记-0001", "提取现金备发奖品", CASH, BANK, 20000, "", 1),  # CASH_LIMIT
    ("2026-11-20", "记-0002", "文体活动奖品", ACT, CASH, 19000, "某体育用品店", 4),
    ("2026-12-05", "记-0001", "支付场地租赁费", ACT, BANK, 2200, "某体育馆", 0),  # NO_DOCUMENTS
]

PAYROLL_FEN = 1_000_000 * 100  # 10 members, 1,000,000 yuan payroll: allocation 12,000 expected
MEMBERS = 10  # festival gifts 23,000 > 10 x 2,000

#: rule -> the voucher numbers (by month/number) each planted doubt names
PLANTED: set[tuple[str, tuple[str, ...]]] = {
    ("GIFT_CASH", ("2026-02/记-0001",)),
    ("FESTIVAL_OCCASION", ("2026-03/记-0001",)),
    ("FESTIVAL_LIMIT", ("2026-03/记-0001", "2026-06/记-0002", "2026-09/记-0001")),
    ("FORBIDDEN", ("2026-05/记-0001",)),
    ("FORBIDDEN", ("2026-05/记-0002",)),
    ("SPLIT_PURCHASE", ("2026-07/记-0001", "2026-07/记-0002")),
    ("DUPLICATE", ("2026-10/记-0001", "2026-10/记-0004")),
    ("CASH_LIMIT", ("2026-11/记-0001",)),
    ("NO_DOCUMENTS", ("2026-12/记-0001",)),
    ("ALLOCATION", ("2026-04/记-0002",)),
}


def rows() -> list[list[Any]]:
    out: list[list[Any]] = []
    for date, no, summary, dr, cr, amount, payee, att in VOUCHERS:
        d = _dt.datetime.fromisoformat(date)
        out.append([d, no, summary, dr[0], dr[1], amount, None, payee, att])
        out.append([d, no, summary, cr[0], cr[1], None, amount, payee, None])
    return out


def write_xlsx(path: Path) -> Path:
    """As finance software exports it: a merged title, a unit row, merged voucher cells, and
    month totals."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "序时账"
    ws.append(["杭州某某机械有限公司工会 序时账 2026年度"])
    ws.merge_cells("A1:I1")
    ws.append(["单位：元"])
    ws.append(HEADERS)
    month = None
    for row in rows():
        if month and row[0].month != month:
            ws.append([None, None, "本月合计", None, None, 1, 1, None, None])
        month = row[0].month
        ws.append(row)
        r = ws.max_row
        if row[6] is not None and row[1] == "记-0001" and month == 2:  # merged voucher cells
            ws.merge_cells(start_row=r - 1, start_column=1, end_row=r, end_column=1)
            ws.merge_cells(start_row=r - 1, start_column=2, end_row=r, end_column=2)
    for cell in ws["F"] + ws["G"]:
        cell.number_format = "#,##0.00"
    wb.save(path)
    return path


def write_xls(path: Path) -> Path:
    """The Excel 97–2003 export, with other header names (凭证号, 借方, 贷方, 往来单位)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("明细账")
    sheet.write(0, 0, "明细账")
    heads = [
        "凭证日期",
        "凭证号",
        "摘要",
        "科目代码",
        "会计科目",
        "借方",
        "贷方",
        "往来单位",
        "附单据数",
    ]
    for c, h in enumerate(heads):
        sheet.write(1, c, h)
    style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(rows(), start=2):
        for c, v in enumerate(row):
            if v is None:
                continue
            sheet.write(r, c, v, style) if c == 0 else sheet.write(r, c, v)
    book.save(str(path))
    return path
