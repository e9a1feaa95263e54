"""Which spreadsheet column holds which member-form field: guessed from headers, remembered.

Known names come from the form definition itself (Chinese and English labels, field ids) plus the
synonyms township sheets use (身份证号码, 公民身份号码, 手机号码, 联系电话 …). A mapping the user
confirmed is remembered in the workspace settings (``rosters.import.mapping``: header -> field id)
and wins over guessing the next time the same header is seen.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from desktop.reports.import_read import header_key

if TYPE_CHECKING:
    from desktop.store import Workspace

SETTINGS_KEY = "rosters.import.mapping"

#: fields never read from a sheet (set by the import itself)
NOT_IMPORTED = {"union"}
#: header texts of columns that carry nothing to import
IGNORED_HEADERS = {"序号", "编号", "no", "no.", "#", "备注说明", "行号"}

SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "会员姓名", "职工姓名", "名字", "姓名(必填)"),
    "gender": ("性别",),
    "ethnicity": ("民族",),
    "id_type": ("证件类型", "证件种类", "身份证件类型"),
    "id_number": (
        "身份证号",
        "身份证号码",
        "身份证",
        "公民身份号码",
        "公民身份证号码",
        "证件号码",
        "证件号",
        "身份证件号码",
        "idnumber",
    ),
    "birth_date": ("出生日期", "出生年月日", "生日"),
    "mobile": ("手机", "手机号", "手机号码", "移动电话", "联系电话", "电话", "联系方式", "mobile"),
    "education": ("学历", "文化程度", "最高学历"),
    "political_status": ("政治面貌",),
    "household_type": ("户籍", "户籍类型", "户籍性质", "户口性质", "户口类型"),
    "employer": ("工作单位", "单位", "单位名称", "所在单位", "工作单位名称"),
    "employment_status": ("就业状态", "就业状况", "在岗状态", "在职状态"),
    "employment_form": ("就业形态", "用工形式"),
    "new_form_kind": ("新就业形态类型", "新就业形态群体", "新就业形态类别"),
    "migrant_worker": ("是否农民工", "农民工"),
    "hardship": ("是否困难职工", "困难职工"),
    "join_date": ("入会时间", "入会日期", "入会年月"),
    "card_number": ("会员卡号", "会员证号", "会员证编号", "工会会员卡号"),
    "member_type": ("会员类型", "会员类别"),
    "model_worker": ("劳模称号", "劳模", "劳动模范"),
    "skill_level": ("技能等级", "技术等级"),
    "changes": ("会籍变化", "会籍变动"),
}

_PAREN = re.compile(r"[(（\[【].*?[)）\]】]")


def _keys(text: str) -> list[str]:
    """The header as typed and without parenthesised notes: 身份证号码（18位） -> 身份证号码."""
    k = header_key(text)
    out = [k]
    bare = header_key(_PAREN.sub("", str(text)))
    if bare and bare != k:
        out.append(bare)
    return out


class HeaderIndex:
    """Known column names of a form: label / id / synonym (normalised) -> field id."""

    def __init__(self, form: Any) -> None:
        self.form = form
        self.names: dict[str, str] = {}
        self.fields: list[str] = []
        for fld in form.fields:
            if fld.id in NOT_IMPORTED:
                continue
            self.fields.append(fld.id)
            for text in (fld.id, *((fld.label or {}).values())):
                for k in _keys(str(text)):
                    self.names.setdefault(k, fld.id)
        for field_id, words in SYNONYMS.items():
            if field_id not in self.fields:
                continue
            for w in words:
                self.names.setdefault(header_key(w), field_id)

    def lookup(self, header: str) -> str | None:
        """The field a header names, exactly or by a known name inside it (手机号码1 -> mobile)."""
        keys = _keys(header)
        for k in keys:
            if k in self.names:
                return self.names[k]
        bare = keys[-1]
        if not bare or bare in IGNORED_HEADERS:
            return None
        best: tuple[int, str] | None = None
        for name, field_id in self.names.items():
            fits = len(name) >= 2 and name in bare and len(name) * 2 > len(bare)
            if fits and (best is None or len(name) > best[0]):
                best = (len(name), field_id)
        return best[1] if best else None

    def is_known(self, header: str) -> bool:
        """For finding the header row: does this text name a field?"""
        return self.lookup(header) is not None


def guess_mapping(
    headers: Sequence[str], index: HeaderIndex, remembered: dict[str, str] | None = None
) -> list[str | None]:
    """A field id (or ``None`` = not imported) per column; each field at most once."""
    remembered = remembered or {}
    result: list[str | None] = [None] * len(headers)
    used: set[str] = set()
    # first pass: remembered and exact names; second: names inside longer headers
    for exact in (True, False):
        for col, header in enumerate(headers):
            if result[col] is not None or not header:
                continue
            k = header_key(header)
            field_id = remembered.get(k)
            if field_id is not None and field_id not in index.fields:
                field_id = None
            if field_id is None:
                if exact:
                    field_id = next(
                        (index.names[x] for x in _keys(header) if x in index.names), None
                    )
                else:
                    field_id = index.lookup(header)
            if field_id and field_id not in used:
                result[col] = field_id
                used.add(field_id)
    return result


def remembered_mapping(ws: Workspace | None) -> dict[str, str]:
    """The mapping saved in the workspace settings ({} when none or no workspace)."""
    if ws is None:
        return {}
    value = ws.settings.get(SETTINGS_KEY, {}) or {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def remember_mapping(ws: Workspace, headers: Sequence[str], mapping: Sequence[str | None]) -> None:
    """Save the headers the user mapped (merged into what was saved before)."""
    saved = remembered_mapping(ws)
    for header, field_id in zip(headers, mapping, strict=False):
        k = header_key(header)
        if k and field_id:
            saved[k] = field_id
    ws.settings.set(SETTINGS_KEY, saved)
