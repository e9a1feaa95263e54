"""Reading a journal export (序时账 / 明细账) from .xlsx / .xls / .ods / .csv into ledger lines.

The same reading layer as the member import (:func:`import_read.open_sheet`: the file's bytes
decide the format, title rows and merged two-row headers are skipped). Which column is which is
guessed from the header names finance software uses (日期, 凭证字号, 摘要, 科目编码, 科目名称,
借方金额, 贷方金额, 对方单位, 附件张数 and their variants); a mapping the user confirmed
(normalised header -> column id) is passed back in and wins. Amounts become integer fen; dates
ISO strings. Rows that are not journal lines (本月合计, 本年累计, blank voucher) are skipped. No
workspace here: the domain layer stores the lines and the remembered mapping.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from desktop.reports.import_errors import ImportFileError
from desktop.reports.import_read import SheetSource, header_key, open_sheet
from forms.ledger import Line

COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("日期", "凭证日期", "记账日期", "制单日期", "业务日期", "date"),
    "voucher": ("凭证字号", "凭证号", "凭证编号", "凭证字", "凭证号码", "voucher"),
    "summary": ("摘要", "凭证摘要", "summary"),
    "account_code": ("科目编码", "科目代码", "会计科目编码", "科目编号"),
    "account_name": ("科目名称", "会计科目", "科目", "科目全称"),
    "debit": ("借方金额", "借方", "借方发生额", "借", "debit"),
    "credit": ("贷方金额", "贷方", "贷方发生额", "贷", "credit"),
    "payee": ("对方单位", "往来单位", "收款单位", "客户/供应商", "供应商", "对方户名", "单位"),
    "attachments": ("附件张数", "附件数", "附单据数", "附件"),
    "year": ("年",),
    "month": ("月",),
    "day": ("日",),
}
REQUIRED = ("voucher", "summary", "debit", "credit")
SKIP_SUMMARIES = ("本月合计", "本年累计", "本期合计", "合计", "累计")
_NAMES = {header_key(w): cid for cid, words in COLUMNS.items() for w in words}
_PAREN = re.compile(r"[(（\[【].*?[)）\]】]")


def column_of(header: str, remembered: Mapping[str, str] | None = None) -> str | None:
    k = header_key(header)
    if remembered and k in remembered:
        return remembered[k] or None
    return _NAMES.get(k) or _NAMES.get(header_key(_PAREN.sub("", header)))


def guess_columns(
    headers: Sequence[str], remembered: Mapping[str, str] | None = None
) -> list[str | None]:
    """A column id (or None) per header; each id at most once."""
    used: set[str] = set()
    out: list[str | None] = []
    for h in headers:
        cid = column_of(h, remembered) if h else None
        if cid in used:
            cid = None
        if cid:
            used.add(cid)
        out.append(cid)
    return out


@dataclass
class LedgerFile:
    """What was read: the lines, the header and mapping used, and the rows skipped (why)."""

    path: Path
    headers: list[str]
    mapping: list[str | None]
    lines: list[Line] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row, code)
    source: SheetSource | None = None
    period: str = ""  # the period the lines were stored under


def fen(value: Any) -> int | None:
    """Money cell -> fen: 1,234.5 / "1,234.50" / "￥12" / "(12.00)"; None for blank or not money."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value * 100
    text = str(value).strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    neg = text.startswith("(") and text.endswith(")")
    text = text.strip("()")
    if not text or text == "-":
        return 0
    try:
        d = Decimal(text)
    except InvalidOperation:
        return None
    cents = int((d * 100).quantize(Decimal(1), rounding="ROUND_HALF_UP"))
    return -cents if neg else cents


def iso_date(value: Any, year: int | None = None) -> str | None:
    if isinstance(value, _dt.datetime | _dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, int | float) and 20000 < value < 80000:  # an Excel serial in a CSV
        return (_dt.date(1899, 12, 30) + _dt.timedelta(days=int(value))).isoformat()
    text = str(value or "").strip()
    m = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if m:
        y, mo, d = (int(x) for x in m.groups())
    else:
        m = re.match(r"^(\d{4})(\d{2})(\d{2})$", text) or None
        if m:
            y, mo, d = (int(x) for x in m.groups())
        else:
            m = re.match(r"^(\d{1,2})[-/.月](\d{1,2})日?$", text)
            if not (m and year):
                return None
            y, (mo, d) = year, (int(x) for x in m.groups())
    try:
        return _dt.date(y, mo, d).isoformat()
    except ValueError:
        return None


def _score(text: str) -> bool:
    return column_of(text) is not None


def read_ledger(
    path: Path | str,
    *,
    remembered: Mapping[str, str] | None = None,
    mapping: Sequence[str | None] | None = None,
    year: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> LedgerFile:
    """Read the journal lines of ``path`` (``ImportFileError`` when it is not readable or lacks
    a column the scan needs: ``ledger.missing_column`` with ``column``)."""
    source = open_sheet(path, _score)
    cols = list(mapping) if mapping is not None else guess_columns(source.headers, remembered)
    where = {cid: i for i, cid in enumerate(cols) if cid}
    for need in REQUIRED:
        if need not in where:
            raise ImportFileError(
                "ledger.missing_column", file=source.path.name, column=COLUMNS[need][0]
            )
    if "date" not in where and not {"month", "day"} <= set(where):
        raise ImportFileError(
            "ledger.missing_column", file=source.path.name, column=COLUMNS["date"][0]
        )
    out = LedgerFile(source.path, source.headers, cols, source=source)

    def cell(values: tuple[Any, ...], cid: str) -> Any:
        i = where.get(cid)
        return values[i] if i is not None and i < len(values) else None

    last_date: str | None = None
    last_voucher = ""
    for n, (row, values) in enumerate(source.rows()):
        if progress and n % 2000 == 0:
            progress(n)
        summary = str(cell(values, "summary") or "").strip()
        if any(summary.startswith(s) for s in SKIP_SUMMARIES):
            out.skipped.append((row, "ledger.total_row"))
            continue
        if "date" in where:
            raw_date = cell(values, "date")
            date = iso_date(raw_date, year) if raw_date not in (None, "") else last_date
        else:
            y = cell(values, "year") or year
            date = iso_date(f"{y}-{cell(values, 'month')}-{cell(values, 'day')}")
        voucher = str(cell(values, "voucher") or "").strip() or last_voucher
        debit, credit = fen(cell(values, "debit")), fen(cell(values, "credit"))
        if not date or not voucher:
            out.skipped.append((row, "ledger.no_date" if not date else "ledger.no_voucher"))
            continue
        if debit is None or credit is None:
            out.skipped.append((row, "ledger.bad_amount"))
            continue
        if not debit and not credit:
            out.skipped.append((row, "ledger.no_amount"))
            continue
        att = cell(values, "attachments")
        attachments = int(att) if isinstance(att, int | float) or str(att or "").isdigit() else None
        if "attachments" in where and att in (None, ""):
            attachments = 0
        code = cell(values, "account_code")
        out.lines.append(
            Line(
                date=date,
                voucher=voucher,
                summary=summary,
                account_code=str(code).strip() if code is not None else "",
                account_name=str(cell(values, "account_name") or "").strip(),
                debit=debit,
                credit=credit,
                payee=str(cell(values, "payee") or "").strip(),
                attachments=attachments,
                row=row,
            )
        )
        last_date, last_voucher = date, voucher
    return out
