"""The member roster (会员花名册) of one union as a PDF, through the PDF layer.

Landscape A4: a title, the union's key figures (members, women, migrant workers, new-employment-
form workers), one row per member in join-date order, and the signature lines. ID numbers and
phone numbers are masked as the store shows them; a role that may unmask can ask for full values,
and the store audits every record so revealed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.reports.excel_export import iter_records
from desktop.store.transfer_state import is_current_member, pending_member_uuids
from printing.pdf import PdfDocument

if TYPE_CHECKING:
    from desktop.store import Workspace

ProgressFn = Callable[[int, int], Any]
CancelFn = Callable[[], bool]

#: (field id, relative width) of the roster's columns after 序号
COLUMNS: tuple[tuple[str, float], ...] = (
    ("name", 2.2),
    ("gender", 1.0),
    ("ethnicity", 1.3),
    ("birth_date", 2.0),
    ("id_number", 3.6),
    ("mobile", 2.6),
    ("education", 1.8),
    ("political_status", 2.0),
    ("employer", 4.0),
    ("join_date", 2.0),
    ("member_type", 1.6),
    ("card_number", 2.0),
)
TEXT: dict[str, dict[str, Any]] = {
    "zh_CN": {
        "title": "会员花名册",
        "no": "序号",
        "union": "工会名称",
        "org": "上级工会",
        "members": "会员人数",
        "female": "女会员",
        "migrant": "农民工会员",
        "new_form": "新就业形态会员",
        "masked": "身份证号码、手机号码已部分隐藏；出生日期与身份证号码合看会暴露隐藏的数字，一并隐藏。",
        "none": "（该工会暂无会员）",
        "signatures": ["填表人", "工会主席", "审核人"],
        "yes": "是",
        "no_": "否",
    },
    "en": {
        "title": "Member roster",
        "no": "No.",
        "union": "Union",
        "org": "Higher-level union",
        "members": "Members",
        "female": "Women",
        "migrant": "Migrant workers",
        "new_form": "New-form workers",
        "masked": "ID and phone numbers are partly hidden; birth dates are hidden too (with the "
        "ID number they would reveal its hidden digits).",
        "none": "(This union has no members yet.)",
        "signatures": ["Prepared by", "Union chair", "Reviewed by"],
        "yes": "yes",
        "no_": "no",
    },
}


class RosterError(Exception):
    """The roster cannot be printed (no such union)."""


def union_members(ws: Workspace, union_uuid: str, *, unmask: bool = False) -> list[Any]:
    """The union's current members (transferred-out / withdrawn ones left out), join date then
    name; unmasked only when asked and allowed."""
    pending = pending_member_uuids(ws)
    members = iter_records(ws, "member", {"union": union_uuid}, unmask=unmask)
    out = [r for r in members if is_current_member(r.data, pending, r.uuid)]
    out.sort(key=lambda r: (str(r.data.get("join_date") or ""), str(r.data.get("name") or "")))
    return out


#: columns hidden whenever the ID number is masked: the ID's masked digits are the birth date
MASKED_WITH_ID = frozenset({"birth_date"})


def _hidden(value: Any) -> str:
    """A birth date with every digit hidden (``****-**-**``); "" when there is none."""
    if value is None or value == "":
        return ""
    return "".join("*" if ch.isdigit() else ch for ch in str(value))


def _shown(fld: Any, value: Any, t: dict[str, Any], lang: str) -> str:
    if value is None or value == "":
        return ""
    if fld.type == "choice":
        return fld.choice_label(value, lang)
    if fld.type == "boolean":
        return t["yes"] if value else t["no_"]
    return str(value)


def write_roster(
    ws: Workspace,
    union_uuid: str,
    path: Path | str,
    *,
    unmask: bool = False,
    lang: str = "zh_CN",
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> Path:
    """Write the roster of ``union_uuid`` to ``path`` (see the module doc)."""
    from desktop.store import errors

    t = TEXT.get(lang, TEXT["zh_CN"])
    try:
        union = ws.records.get(union_uuid)
    except errors.RecordNotFound as exc:
        raise RosterError(f"There is no union {union_uuid} in this workspace.") from exc
    if union.form_id != "union":
        raise RosterError(f"Record {union_uuid} is not a union.")
    reveal = unmask and ws.user.can("unmask")
    form = ws.forms.latest("member")
    members = union_members(ws, union_uuid, unmask=reveal)
    union_name = str(union.data.get("full_name") or "")
    doc = PdfDocument(
        path,
        title=f"{union_name}{t['title']}" if lang == "zh_CN" else f"{t['title']}: {union_name}",
        header_left=union_name,
        header_right=ws.org_unit.name or ws.org_unit.code,
        landscape=True,
        font_size=9,
    )
    doc.heading(doc.title, 1)
    female = sum(1 for m in members if m.data.get("gender") == "female")
    migrant = sum(1 for m in members if m.data.get("migrant_worker"))
    new_form = sum(1 for m in members if m.data.get("employment_form") == "new_form")
    doc.key_values(
        [
            (t["union"], union_name),
            (t["org"], ws.org_unit.name or ws.org_unit.code),
            (t["members"], str(len(members))),
            (t["female"], str(female)),
            (t["migrant"], str(migrant)),
            (t["new_form"], str(new_form)),
        ]
    )
    fields = [form.field(fid) for fid, _ in COLUMNS]
    headers = [t["no"], *[f.label.get(lang) or f.label["zh_CN"] for f in fields]]
    rows = []
    hide = set() if reveal else MASKED_WITH_ID
    for n, member in enumerate(members, start=1):
        cells = [
            _hidden(member.data.get(f.id))
            if f.id in hide
            else _shown(f, member.data.get(f.id), t, lang)
            for f in fields
        ]
        rows.append([str(n), *cells])
    if rows:
        doc.table(headers, rows, col_widths=[0.9, *[w for _, w in COLUMNS]])
    else:
        doc.paragraph(t["none"])
    if not reveal:
        doc.paragraph(t["masked"])
    doc.spacer(6)
    doc.signature_block(t["signatures"])
    return doc.build(progress=progress, cancel=cancel)
