"""Member-assessment printouts (reportlab via :mod:`printing.pdf`; no Qt).

- :func:`ballot_sheet`: the blank paper ballot (items × grades), one per page, N copies;
- :func:`tally_sheet`: the counting sheet — blank for counting by hand, or filled from a session,
  with every keyed ballot listed so the count can be re-checked;
- :func:`result_notice`: the result notice for posting (公示) with the union's name, date,
  figures, the rule used and signature lines.

Texts are Chinese (what is posted in a union's office); labels come from the template.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from forms.assessment import Template, message
from printing.pdf import PdfDocument, QrStamp, content_hash, markup

MEETING_KIND_ZH = {"members_assembly": "会员大会", "representatives_assembly": "会员代表大会"}
ProgressFn = Callable[[int, int], Any]


class PrintedRectification(Protocol):
    """One rectification item as printed (plain data)."""

    @property
    def what(self) -> str: ...
    @property
    def owner(self) -> str: ...
    @property
    def deadline(self) -> str: ...
    @property
    def done_date(self) -> str: ...
    @property
    def outcome(self) -> str: ...


class Session(Protocol):
    """What a printout reads of a session (``desktop.domain.assessments.Session`` has it):
    this module renders plain data and never imports the domain."""

    @property
    def uuid(self) -> str | None: ...
    @property
    def version(self) -> int: ...
    @property
    def year(self) -> int: ...
    @property
    def date(self) -> str: ...
    @property
    def meeting_kind(self) -> str: ...
    @property
    def eligible(self) -> int: ...
    @property
    def attendees(self) -> int: ...
    @property
    def issued(self) -> int: ...
    @property
    def returned(self) -> int: ...
    @property
    def invalid(self) -> int: ...
    @property
    def tally(self) -> Mapping[str, Mapping[str, int]]: ...
    @property
    def ballots(self) -> Sequence[str]: ...
    @property
    def rectifications(self) -> Sequence[PrintedRectification]: ...
    @property
    def result(self) -> dict[str, Any] | None: ...
    def to_data(self) -> dict[str, Any]: ...


def _zh(labels: Any) -> str:
    return str(labels.get("zh_CN") or labels.get("en") or "")


def _date_zh(iso: str) -> str:
    if len(iso) >= 10 and iso[4] == "-" and iso[7] == "-":
        return f"{int(iso[:4])}年{int(iso[5:7])}月{int(iso[8:10])}日"
    return iso or "____年__月__日"


def ballot_sheet(
    path: str | Path,
    template: Template,
    *,
    union_name: str,
    year: int,
    copies: int = 1,
    org_unit_name: str = "",
    progress: ProgressFn | None = None,
) -> Path:
    """The blank paper ballot, ``copies`` pages (one ballot per page)."""
    title = f"{union_name}{year}年度会员评议职工之家测评票"
    doc = PdfDocument(path, title=title, header_left=union_name, header_right=org_unit_name)
    grades = [_zh(g.label) for g in template.grades]
    for n in range(max(1, copies)):
        if n:
            doc.page_break()
        doc.heading(title)
        doc.paragraph(
            "说明：本测评无记名进行。请对下列每个测评项目在所选等级一栏内打勾，"
            "每个项目只能选一个等级；漏选、多选或无法辨认的选票为废票。"
        )
        rows = [
            [str(i), _zh(item.label), *[""] * len(grades)]
            for i, item in enumerate(template.items, 1)
        ]
        doc.table(
            ["序号", "测评项目", *grades],
            rows,
            col_widths=[0.7, 4, *[1.4] * len(grades)],
            align=["centre", "left", *["centre"] * len(grades)],
            min_row_height=11,
        )
        doc.table(["意见和建议"], [[""]], min_row_height=45)
        doc.paragraph(f"第 {n + 1} 份　　　　投票日期：____年__月__日")
    return doc.build(progress=progress)


def _turnout_pairs(session: Session) -> list[tuple[str, str]]:
    valid = session.returned - session.invalid
    return [
        ("应到人数", str(session.eligible)),
        ("实到人数", str(session.attendees)),
        ("发出票数", str(session.issued)),
        ("收回票数", str(session.returned)),
        ("废票", str(session.invalid)),
        ("有效票", str(valid)),
    ]


def tally_sheet(
    path: str | Path,
    template: Template,
    *,
    union_name: str,
    year: int,
    session: Session | None = None,
    org_unit_name: str = "",
    progress: ProgressFn | None = None,
) -> Path:
    """The counting sheet: blank (``session`` None) or with the session's totals and ballots."""
    title = f"{union_name}{year}年度会员评家计票表"
    qr = _stamp(session)
    doc = PdfDocument(path, title=title, header_left=union_name, header_right=org_unit_name, qr=qr)
    doc.heading(title)
    grades = [_zh(g.label) for g in template.grades]
    if session is None:
        doc.key_values(
            [
                (label, "")
                for label in ("应到人数", "实到人数", "发出票数", "收回票数", "废票", "有效票")
            ]
        )
        rows = [
            [str(i), _zh(item.label), *[""] * (len(grades) + 1)]
            for i, item in enumerate(template.items, 1)
        ]
        doc.table(
            ["序号", "测评项目", *grades, "合计"],
            rows,
            col_widths=[0.7, 3, *[2] * len(grades), 1],
            min_row_height=16,
        )
    else:
        doc.key_values(
            [
                ("会议日期", _date_zh(session.date)),
                ("会议形式", MEETING_KIND_ZH.get(session.meeting_kind, session.meeting_kind)),
            ]
        )
        doc.key_values(_turnout_pairs(session))
        rows = []
        for i, item in enumerate(template.items, 1):
            counts = session.tally.get(item.id, {})
            numbers = [counts.get(g.id, 0) for g in template.grades]
            rows.append([str(i), _zh(item.label), *[str(n) for n in numbers], str(sum(numbers))])
        doc.table(
            ["序号", "测评项目", *grades, "合计"],
            rows,
            col_widths=[0.7, 3, *[1.2] * len(grades), 1],
            align=["centre", "left", *["right"] * (len(grades) + 1)],
        )
        if session.ballots:
            doc.heading(f"逐票录入记录（共 {len(session.ballots)} 张）", level=2)
            keys = "、".join(f"{g.key}={_zh(g.label)}" for g in template.grades)
            doc.paragraph(f"每张选票按项目顺序记一位：{keys}；X=废票。")
            per_row = 6
            ballot_rows = []
            for start in range(0, len(session.ballots), per_row):
                chunk = session.ballots[start : start + per_row]
                cells = [f"{start + k + 1}：{b}" for k, b in enumerate(chunk)]
                ballot_rows.append(cells + [""] * (per_row - len(cells)))
            doc.table(["票号：各项等级"] * per_row, ballot_rows)
    doc.signature_block(["计票人", "监票人"])
    return doc.build(progress=progress)


def _stamp(session: Session | None) -> QrStamp | None:
    if session is None or not session.uuid:
        return None
    return QrStamp(session.uuid, session.version, content_hash(session.to_data()))


def result_notice(
    path: str | Path,
    template: Template,
    session: Session,
    *,
    union_name: str,
    org_unit_name: str = "",
    posting_days: int = 5,
    progress: ProgressFn | None = None,
) -> Path:
    """The result notice (公示) of a computed session; raises ValueError without a result."""
    result = session.result
    if not result:
        raise ValueError("the session has no result yet (its numbers are incomplete or disagree)")
    title = f"关于{union_name}{session.year}年度会员评家测评结果的公示"
    doc = PdfDocument(
        path, title=title, header_left=union_name, header_right=org_unit_name, qr=_stamp(session)
    )
    doc.heading(title)
    kind = MEETING_KIND_ZH.get(session.meeting_kind, "会员大会")
    valid = result["valid"]
    doc.paragraph(
        f"{_date_zh(session.date)}，{union_name}召开{kind}，组织会员以无记名投票方式对工会工作和"
        f"职工之家建设进行测评。应到{session.eligible}人，实到{session.attendees}人；"
        f"发出测评票{session.issued}张，收回{session.returned}张，"
        f"其中有效票{valid}张、废票{session.invalid}张。"
    )
    if result["quorum_met"]:
        doc.paragraph(
            f"到会人数达到应到人数的{_frac_zh(result['rule']['quorum_fraction'])}，测评有效。"
        )
    else:
        doc.paragraph(
            f"到会人数不足应到人数的{_frac_zh(result['rule']['quorum_fraction'])}"
            f"（至少应为{result['minimum_attendees']}人），本次测评无效，须重新组织。"
        )
    grades = [_zh(g.label) for g in template.grades]
    labels = {item.id: _zh(item.label) for item in template.items}
    rows = []
    for n, it in enumerate(result["items"], 1):
        counts = [str(it["counts"].get(g.id, 0)) for g in template.grades]
        rows.append([str(n), labels.get(it["item"], it["item"]), *counts, it["rate"]["percent"]])
    overall = result["overall_rate"]["percent"]
    rows.append(["", "总体满意率", *[""] * len(grades), overall])
    doc.table(
        ["序号", "测评项目", *grades, "满意率"],
        rows,
        col_widths=[0.7, 3, *[1.2] * len(grades), 1.3],
        align=["centre", "left", *["right"] * (len(grades) + 1)],
    )
    doc.heading("测评结论", level=2)
    doc.paragraph(f"总体满意率为{overall}。")
    if result["rectification_required"]:
        reasons = [
            message(
                r["code"],
                "zh_CN",
                **{
                    **r["params"],
                    "item": labels.get(r["params"].get("item"), r["params"].get("item")),
                },
            )
            for r in result["rectification_reasons"]
        ]
        doc.paragraph("需要限期整改。原因：" + "；".join(reasons) + "。")
    else:
        doc.paragraph(
            "各项目不满意票均未超过有效票的"
            + _frac_zh(result["rule"]["rectification_above"])
            + "，无需整改。"
        )
    if result["model_home_eligible"]:
        doc.paragraph(
            "满意率达到"
            + _frac_zh(result["rule"]["model_home_at_least"])
            + "，符合申报（保留）模范职工之家条件。"
        )
    else:
        doc.paragraph("未达到申报（保留）模范职工之家的条件。")
    if session.rectifications:
        doc.heading("整改事项", level=2)
        doc.table(
            ["序号", "整改事项", "责任人", "整改期限", "完成情况"],
            [
                [
                    str(n),
                    r.what,
                    r.owner,
                    _date_zh(r.deadline) if r.deadline else "",
                    (_date_zh(r.done_date) + " " + r.outcome).strip() if r.done_date else "未完成",
                ]
                for n, r in enumerate(session.rectifications, 1)
            ],
            col_widths=[0.6, 4, 1.3, 1.6, 2],
        )
    rule = result["rule"]
    doc.paragraph(
        f"计算规则：实到人数不少于应到人数的{_frac_zh(rule['quorum_fraction'])}测评有效；"
        f"满意率 =（满意 + 基本满意）÷ 有效票；某项不满意票超过有效票的{_frac_zh(rule['rectification_above'])}须限期整改；"
        f"总体满意率达到{_frac_zh(rule['model_home_at_least'])}及以上可申报（保留）模范职工之家。"
    )
    doc.paragraph(f"公示期{posting_days}个工作日。如有异议，请在公示期内向{union_name}反映。")
    doc.signature_block(["工会主席", "计票人", "监票人"])
    right = ParagraphStyle("ud-right", parent=doc.styles["body"], alignment=TA_RIGHT)
    doc.spacer(4)
    doc.add(Paragraph(markup(union_name), right))
    doc.add(Paragraph(markup(_date_zh(session.date)), right))
    return doc.build(progress=progress)


def _frac_zh(fraction: str) -> str:
    """ "2/3" -> "三分之二"; "9/10" -> "90%"; others as written."""
    names = {
        "2/3": "三分之二",
        "1/3": "三分之一",
        "3/4": "四分之三",
        "1/2": "二分之一",
        "1/4": "四分之一",
    }
    if fraction in names:
        return names[fraction]
    num, _, den = fraction.partition("/")
    if den and (100 * int(num)) % int(den) == 0:
        return f"{100 * int(num) // int(den)}%"
    return fraction
