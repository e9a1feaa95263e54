"""Printouts of funds-review checklists (经费审查): blank for the field, completed report, and the
list of open rectifications. Built on :mod:`printing.pdf`; takes plain data (a template
from :mod:`forms.checklist` and record values), never the store or Qt.

- :func:`blank_checklist_pdf`: every item with its rule and how to check it, boxes to tick and room
  to write, the review header to fill in, and the signature block. Its QR code names the template
  (form id, version, definition hash) so a filled paper form can be matched to the template.
- :func:`completed_checklist_pdf`: the report — header, summary (counts per result, amount in
  question, rectifications), every item with result, amount, finding, evidence and rectification,
  the conclusion and the signature block; its QR code names the record (id, version, content hash).
- :func:`rectifications_pdf`: open rectifications across checklists, overdue first.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forms.checklist import (
    DUE,
    OVERDUE,
    RESULTS,
    UNANSWERED,
    Template,
    result_label,
    summarize,
    yuan,
)
from printing.pdf import CheckBoxes, PdfDocument, QrStamp

SIGNERS = ("审查人", "经审会主任", "工会主席", "财务负责人", "制表")
SIGNERS_EN = ("Reviewer", "Committee director", "Union chair", "Finance officer", "Prepared by")
OUTCOME_LABELS = {
    "done": {"zh_CN": "已整改", "en": "Rectified"},
    "partial": {"zh_CN": "部分整改", "en": "Partly rectified"},
    "not_done": {"zh_CN": "未整改", "en": "Not rectified"},
}
STATE_LABELS = {
    "open": {"zh_CN": "未到期", "en": "Open"},
    "due": {"zh_CN": "即将到期", "en": "Due soon"},
    "overdue": {"zh_CN": "已逾期", "en": "Overdue"},
    "closed": {"zh_CN": "已完成", "en": "Closed"},
}
WORDS: dict[str, dict[str, str]] = {
    "no": {"zh_CN": "序号", "en": "No."},
    "item": {"zh_CN": "检查内容及方法", "en": "Item and how to check"},
    "item_done": {"zh_CN": "检查项目", "en": "Item"},
    "result": {"zh_CN": "检查结果", "en": "Result"},
    "amount": {"zh_CN": "涉及金额（元）", "en": "Amount (yuan)"},
    "finding": {"zh_CN": "发现问题", "en": "Finding"},
    "evidence": {"zh_CN": "证据索引", "en": "Evidence"},
    "rectify": {"zh_CN": "整改", "en": "Rectification"},
    "need_rectify": {"zh_CN": "需整改", "en": "Required"},
    "owner": {"zh_CN": "责任人", "en": "Owner"},
    "deadline": {"zh_CN": "期限", "en": "By"},
    "method": {"zh_CN": "审查方法：", "en": "How: "},
    "union": {"zh_CN": "被审查单位", "en": "Audited union"},
    "period": {"zh_CN": "审查期间", "en": "Period"},
    "auditors": {"zh_CN": "审查人员", "en": "Auditors"},
    "date": {"zh_CN": "审查日期", "en": "Review date"},
    "template": {"zh_CN": "检查表版本", "en": "Template"},
    "record": {"zh_CN": "记录编号", "en": "Record"},
    "template_ref": {"zh_CN": "模板 {id} 第{version}版", "en": "Template {id} v{version}"},
    "state": {"zh_CN": "状态", "en": "State"},
    "signed": {"zh_CN": "已签字确认（只读）", "en": "Signed off (read-only)"},
    "draft": {"zh_CN": "未签字（草稿）", "en": "Not signed off (draft)"},
    "summary": {"zh_CN": "审查结果汇总", "en": "Summary"},
    "conclusion": {"zh_CN": "审查意见", "en": "Conclusion"},
    "unanswered": {"zh_CN": "未填", "en": "Unanswered"},
    "total_amount": {"zh_CN": "不合规涉及金额合计（元）", "en": "Amount in question (yuan)"},
    "rect_required": {"zh_CN": "需整改项目", "en": "Rectifications required"},
    "rect_open": {"zh_CN": "未完成整改", "en": "Rectifications open"},
    "report": {"zh_CN": "经费审查报告", "en": "Funds review report"},
    "limits": {"zh_CN": "本模板采用的限额标准", "en": "Limits used by this template"},
    "blank_line": {"zh_CN": "________________________", "en": "________________________"},
    "blank_period": {"zh_CN": "____年__月__日 至 ____年__月__日", "en": "____-__-__ to ____-__-__"},
    "blank_date": {"zh_CN": "____年__月__日", "en": "____-__-__"},
    "rect_title": {"zh_CN": "经费审查整改事项清单", "en": "Open rectifications"},
    "as_of": {"zh_CN": "统计日期", "en": "As of"},
    "count": {"zh_CN": "事项数", "en": "Items"},
    "overdue_count": {"zh_CN": "其中逾期", "en": "Overdue"},
    "outcome": {"zh_CN": "整改结果", "en": "Outcome"},
    "days_over": {"zh_CN": "逾期{n}天", "en": "{n} days overdue"},
    "days_left": {"zh_CN": "剩{n}天", "en": "{n} days left"},
    "none": {"zh_CN": "（无）", "en": "(none)"},
}

ProgressFn = Callable[[int, int], Any]
CancelFn = Callable[[], bool]


def _w(key: str, lang: str) -> str:
    return WORDS[key].get(lang) or WORDS[key]["zh_CN"]


def _signers(lang: str) -> list[str]:
    return list(SIGNERS if lang == "zh_CN" else SIGNERS_EN)


@dataclass
class ChecklistReport:
    """Everything the completed report prints: the template, the record values and stamp."""

    template: Template
    data: Mapping[str, Any]
    union_name: str = ""
    org_unit_name: str = ""
    record_id: str | None = None
    version: int | None = None
    content_hash: str | None = None
    signed_off: bool = False
    outcomes: Mapping[str, str] = field(default_factory=dict)  # item id -> latest outcome
    lang: str = "zh_CN"

    @property
    def qr(self) -> QrStamp | None:
        if self.record_id and self.version is not None and self.content_hash:
            return QrStamp(self.record_id, self.version, self.content_hash)
        return None


def blank_checklist_pdf(
    path: str | Path,
    template: Template,
    *,
    template_hash: str | None = None,
    union_name: str = "",
    org_unit_name: str = "",
    lang: str = "zh_CN",
    printed_at: _dt.datetime | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> Path:
    """The checklist to take into the field: boxes to tick, room to write, signatures."""
    title = template.title_text(lang)
    doc = PdfDocument(
        path,
        title=title,
        header_left=union_name or title,
        header_right=org_unit_name
        or _w("template_ref", lang).format(id=template.form_id, version=template.version),
        landscape=True,
        qr=QrStamp(template.form_id, template.version, template_hash) if template_hash else None,
        printed_at=printed_at,
        lang=lang,
    )
    doc.heading(title)
    doc.key_values(
        [
            (_w("union", lang), union_name or _w("blank_line", lang)),
            (_w("period", lang), _w("blank_period", lang)),
            (_w("auditors", lang), _w("blank_line", lang)),
            (_w("date", lang), _w("blank_date", lang)),
        ]
    )
    _limits_table(doc, template, lang)
    result_words = [result_label(r, lang) for r in RESULTS]
    number = 0
    for area in template.areas:
        doc.heading(area.title(lang), level=2)
        rows = []
        for item in area.items:
            number += 1
            rows.append(
                [
                    str(number),
                    _item_cell(doc, item, lang, guidance=True),
                    CheckBoxes(result_words, vertical=True),
                    "",
                    "",
                    "",
                    [
                        CheckBoxes([_w("need_rectify", lang)]),
                        doc.cell_text(f"{_w('owner', lang)}：", small=True),
                        doc.cell_text(f"\n{_w('deadline', lang)}：", small=True),
                    ],
                ]
            )
        doc.table(
            _item_columns("item", lang),
            rows,
            col_widths=[0.7, 7.5, 1.7 if lang == "zh_CN" else 2.2, 1.5, 5.2, 1.7, 2.2],
            align=["centre", "left", "left", "right", "left", "left", "left"],
            min_row_height=24,
        )
    doc.heading(_w("conclusion", lang), level=2)
    doc.table([_w("conclusion", lang)], [[""]], min_row_height=40)
    doc.signature_block(_signers(lang))
    return doc.build(progress=progress, cancel=cancel)


def _item_columns(item_word: str, lang: str) -> list[str]:
    """The item table's headers; only the item column's word differs (blank vs completed)."""
    words = ("no", item_word, "result", "amount", "finding", "evidence", "rectify")
    return [_w(word, lang) for word in words]


def completed_checklist_pdf(
    path: str | Path,
    report: ChecklistReport,
    *,
    printed_at: _dt.datetime | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> Path:
    """The completed checklist as a report, findings in item order, ending with signatures."""
    lang, template, data = report.lang, report.template, report.data
    union_name = report.union_name or str(data.get("union_name") or "")
    doc = PdfDocument(
        path,
        title=f"{_w('report', lang)} {union_name}",
        header_left=union_name,
        header_right=report.org_unit_name,
        landscape=True,
        qr=report.qr,
        printed_at=printed_at,
        lang=lang,
    )
    doc.heading(f"{union_name} {_w('report', lang)}")
    period = f"{data.get('period_start') or ''} — {data.get('period_end') or ''}"
    doc.key_values(
        [
            (_w("union", lang), union_name),
            (_w("period", lang), period),
            (_w("auditors", lang), data.get("auditors") or ""),
            (_w("date", lang), data.get("audit_date") or ""),
            (_w("template", lang), f"{template.title_text(lang)} v{template.version}"),
            (_w("state", lang), _w("signed" if report.signed_off else "draft", lang)),
        ]
        + (
            [(_w("record", lang), f"{report.record_id}  v{report.version}")]
            if report.record_id
            else []
        )
    )
    summary = summarize(template, data, report.outcomes)
    doc.heading(_w("summary", lang), level=2)
    doc.table(
        [*(result_label(r, lang) for r in RESULTS), _w("unanswered", lang)]
        + [_w("total_amount", lang), _w("rect_required", lang), _w("rect_open", lang)],
        [
            [str(summary.counts.get(r, 0)) for r in (*RESULTS, UNANSWERED)]
            + [
                yuan(summary.amount_in_question),
                str(summary.rectifications_required),
                str(summary.open_rectifications),
            ]
        ],
        col_widths=[1, 1, 1, 1, 2, 1.3, 1.3],
        align=["centre"] * 4 + ["right", "centre", "centre"],
    )
    rows_by_item = {str(r.get("item_id")): r for r in data.get("items") or []}
    number = 0
    for area in template.areas:
        doc.heading(area.title(lang), level=2)
        rows = []
        for item in area.items:
            number += 1
            row = rows_by_item.get(item.id, {})
            rows.append(
                [
                    str(number),
                    _item_cell(doc, item, lang, guidance=False),
                    _result_cell(row.get("result"), lang),
                    yuan(row["amount"]) if isinstance(row.get("amount"), int) else "",
                    row.get("finding") or "",
                    row.get("evidence") or "",
                    _rectify_text(row, report.outcomes.get(item.id), lang),
                ]
            )
        doc.table(
            _item_columns("item_done", lang),
            rows,
            col_widths=[0.7, 6.5, 1.3, 1.5, 6.2, 1.8, 2.4],
            align=["centre", "left", "centre", "right", "left", "left", "left"],
        )
    doc.heading(_w("conclusion", lang), level=2)
    doc.paragraph(str(data.get("conclusion") or _w("none", lang)))
    doc.signature_block(_signers(lang))
    return doc.build(progress=progress, cancel=cancel)


@dataclass(frozen=True)
class RectificationLine:
    """One open rectification, as printed (gathered from the store by desktop.domain.checklists)."""

    union_name: str
    item_text: str
    finding: str
    amount: int | None
    owner: str
    deadline: str | None
    state: str  # open / due / overdue / closed
    days_left: int | None
    outcome: str | None = None
    checklist_id: str = ""


def rectifications_pdf(
    path: str | Path,
    lines: Sequence[RectificationLine],
    *,
    today: _dt.date,
    org_unit_name: str = "",
    lang: str = "zh_CN",
    printed_at: _dt.datetime | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> Path:
    """The list of open rectifications across checklists (pass them overdue first)."""
    title = _w("rect_title", lang)
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
            (_w("as_of", lang), today.isoformat()),
            (_w("count", lang), str(len(lines))),
            (_w("overdue_count", lang), str(sum(1 for x in lines if x.state == OVERDUE))),
        ],
        columns=3,
    )
    rows = []
    for number, line in enumerate(lines, start=1):
        rows.append(
            [
                str(number),
                line.union_name,
                line.item_text,
                line.finding,
                yuan(line.amount) if line.amount is not None else "",
                line.owner,
                line.deadline or "",
                _state_text(line.state, line.days_left, lang),
                _outcome_label(line.outcome, lang),
            ]
        )
    doc.table(
        [
            _w("no", lang),
            _w("union", lang),
            _w("item_done", lang),
            _w("finding", lang),
            _w("amount", lang),
            _w("owner", lang),
            _w("deadline", lang),
            _w("state", lang),
            _w("outcome", lang),
        ],
        rows or [["", _w("none", lang), "", "", "", "", "", "", ""]],
        col_widths=[0.6, 2.2, 3.4, 6.2, 1.4, 1.3, 1.5, 1.3, 1.3],
        align=["centre", "left", "left", "left", "right", "left", "centre", "centre", "centre"],
    )
    return doc.build(progress=progress, cancel=cancel)


def _item_cell(doc: PdfDocument, item: Any, lang: str, *, guidance: bool) -> list[Any]:
    topic = item.topic_text(lang)
    cell: list[Any] = [doc.cell_text(f"【{topic}】{item.text(lang)}" if topic else item.text(lang))]
    if guidance and item.guidance_text(lang):
        cell.append(
            doc.cell_text(_w("method", lang) + item.guidance_text(lang), small=True, grey=True)
        )
    return cell


def _result_cell(result: str | None, lang: str) -> str:
    return result_label(result, lang) or _w("unanswered", lang)


def _rectify_text(row: Mapping[str, Any], outcome: str | None, lang: str) -> str:
    if not row.get("rectify"):
        return ""
    parts = [_w("need_rectify", lang)]
    if row.get("owner"):
        parts.append(f"{_w('owner', lang)}：{row['owner']}")
    if row.get("deadline"):
        parts.append(f"{_w('deadline', lang)}：{row['deadline']}")
    if outcome:
        parts.append(_outcome_label(outcome, lang))
    return "\n".join(parts)


def _outcome_label(outcome: str | None, lang: str) -> str:
    if not outcome:
        return ""
    labels = OUTCOME_LABELS.get(outcome)
    return (labels.get(lang) or labels["zh_CN"]) if labels else outcome


def _state_text(state: str, days_left: int | None, lang: str) -> str:
    label = STATE_LABELS.get(state, {}).get(lang) or state
    if state == OVERDUE and days_left is not None:
        return f"{label}\n" + _w("days_over", lang).format(n=-days_left)
    if state == DUE and days_left is not None:
        return f"{label}\n" + _w("days_left", lang).format(n=days_left)
    return label


def _limits_table(doc: PdfDocument, template: Template, lang: str) -> None:
    if not template.limits:
        return
    doc.heading(_w("limits", lang), level=3)
    doc.key_values(
        [
            (limit.label.get(lang) or limit.label["zh_CN"], limit.show(lang))
            for limit in template.limits
        ],
        columns=2,
        label_share=0.55,
    )
