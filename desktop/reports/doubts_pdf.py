"""The 疑点清单: the doubts a ledger scan found, with each rule and its parameters.

Plain data in (:class:`DoubtLine` per doubt, :class:`RuleLine` per rule of the set used), a PDF
out through :class:`printing.pdf.PdfDocument`. No workspace, no Qt.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from desktop.reports.checklist_pdf import CancelFn, ProgressFn
from forms.checklist import yuan
from printing.pdf import PdfDocument

WORDS = {
    "title": {"zh_CN": "经费审查疑点清单", "en": "Ledger scan: doubts to check"},
    "union": {"zh_CN": "被审查单位", "en": "Audited union"},
    "period": {"zh_CN": "审查期间", "en": "Period"},
    "file": {"zh_CN": "账簿文件", "en": "Ledger file"},
    "lines": {"zh_CN": "记账行数", "en": "Journal lines"},
    "count": {"zh_CN": "疑点数", "en": "Doubts"},
    "total": {"zh_CN": "涉及金额合计", "en": "Amount in all"},
    "no": {"zh_CN": "序号", "en": "No."},
    "rule": {"zh_CN": "规则", "en": "Rule"},
    "item": {"zh_CN": "检查项目", "en": "Checklist item"},
    "vouchers": {"zh_CN": "凭证字号", "en": "Vouchers"},
    "amount": {"zh_CN": "金额（元）", "en": "Amount (yuan)"},
    "why": {"zh_CN": "疑点说明", "en": "Why"},
    "decision": {"zh_CN": "核实结论", "en": "Decision"},
    "rules": {"zh_CN": "扫描规则及参数", "en": "Rules and parameters"},
    "params": {"zh_CN": "参数", "en": "Parameters"},
    "none": {"zh_CN": "未发现疑点", "en": "No doubts found"},
    "confirmed": {"zh_CN": "已确认", "en": "Confirmed"},
    "dismissed": {"zh_CN": "已排除", "en": "Dismissed"},
    "open": {"zh_CN": "待核实", "en": "To check"},
}


def _w(key: str, lang: str) -> str:
    return WORDS[key].get(lang) or WORDS[key]["zh_CN"]


@dataclass(frozen=True)
class DoubtLine:
    rule: str
    rule_label: str
    item_text: str
    vouchers: str  # voucher numbers with dates
    amount: int  # fen
    why: str
    decision: str | None  # confirmed | dismissed | None
    reason: str = ""


@dataclass(frozen=True)
class RuleLine:
    code: str
    label: str
    item_text: str
    params: str


def doubts_pdf(
    path: str | Path,
    doubts: Sequence[DoubtLine],
    rules: Sequence[RuleLine],
    *,
    union_name: str,
    period: str,
    file_name: str = "",
    line_count: int = 0,
    org_unit_name: str = "",
    lang: str = "zh_CN",
    printed_at: _dt.datetime | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> Path:
    title = _w("title", lang)
    doc = PdfDocument(
        path,
        title=title,
        header_left=org_unit_name,
        header_right=title,
        landscape=True,
        printed_at=printed_at,
        lang=lang,
    )
    doc.heading(title)
    doc.key_values(
        [
            (_w("union", lang), union_name),
            (_w("period", lang), period),
            (_w("file", lang), file_name),
            (_w("lines", lang), str(line_count)),
            (_w("count", lang), str(len(doubts))),
            (_w("total", lang), yuan(sum(d.amount for d in doubts))),
        ],
        columns=3,
    )
    rows = []
    for n, d in enumerate(doubts, start=1):
        decision = _w(d.decision, lang) if d.decision else _w("open", lang)
        if d.reason:
            decision += f"：{d.reason}" if lang == "zh_CN" else f": {d.reason}"
        rows.append(
            [
                str(n),
                f"{d.rule}\n{d.rule_label}",
                d.item_text,
                d.vouchers,
                yuan(d.amount),
                d.why,
                decision,
            ]
        )
    doc.table(
        [_w(k, lang) for k in ("no", "rule", "item", "vouchers", "amount", "why", "decision")],
        rows or [["", _w("none", lang), "", "", "", "", ""]],
        col_widths=[0.6, 2.6, 3.0, 2.8, 1.4, 5.2, 2.4],
        align=["centre", "left", "left", "left", "right", "left", "left"],
    )
    doc.heading(_w("rules", lang), level=2)
    doc.table(
        [_w("rule", lang), _w("item", lang), _w("params", lang)],
        [[f"{r.code}\n{r.label}", r.item_text, r.params] for r in rules],
        col_widths=[4.0, 5.0, 9.0],
        align=["left", "left", "left"],
    )
    return doc.build(progress=progress, cancel=cancel)
