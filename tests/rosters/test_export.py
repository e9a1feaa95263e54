"""Export of members and unions, masking by role, the template, and export -> import round trips."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from desktop.domain import member_import as ei
from desktop.reports.excel_export import ExportError, export_records, form_columns
from desktop.store import Workspace
from tests.rosters.conftest import ADMIN_PW, FAST_KDF, resident_id, union_data


def rich_members(ws: Workspace, union: str) -> list[dict[str, Any]]:
    """Members using every kind of column: choices, yes/no, dates, the change history."""
    people = [
        {
            "union": union,
            "name": "张三",
            "id_number": resident_id(11, birth="19800315"),
            "ethnicity": "03",
            "mobile": "13800138000",
            "education": "bachelor",
            "political_status": "cpc_member",
            "household_type": "rural",
            "employer": "杭州某某科技有限公司（滨江）",
            "employment_status": "employed",
            "employment_form": "new_form",
            "new_form_kind": "delivery_rider",
            "migrant_worker": True,
            "hardship": False,
            "model_worker": "city",
            "skill_level": "senior",
            "join_date": "2019-03-01",
            "card_number": "0012345",
            "member_type": "regular",
            "changes": [
                {"kind": "join", "date": "2019-03-01", "reason": "新入职 | 首次入会"},
                {"kind": "transfer_in", "date": "2020-06-01", "from_union": "西溪物流工会"},
            ],
        },
        {
            "union": union,
            "name": "Ayşe 李",
            "id_type": "passport",
            "id_number": "E12345678",
            "gender": "female",
            "birth_date": "1992-02-29",
            "join_date": "2021-12-31",
            "member_type": "probationary",
        },
        {"union": union, "name": "王五", "id_number": resident_id(12), "join_date": "2022-01"},
    ]
    for p in people:
        ws.records.save("member", p)
    return people


def stored(ws: Workspace) -> dict[str, dict[str, Any]]:
    out = {}
    for rec in ws.records.query("member", unmask=True):
        data = dict(rec.data)
        data.pop("union")
        out[data["id_number"]] = data
    return out


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_then_import_round_trips_exactly(
    tmp_path: Path, ws: Workspace, union: str, suffix: str
) -> None:
    rich_members(ws, union)
    path = tmp_path / f"members{suffix}"
    result = export_records(ws, "member", path, union_uuid=union, unmask=True)
    assert result.rows == 3 and not result.masked
    other, _ = Workspace.create(
        tmp_path / "other", org_unit_code="330106002", admin_password=ADMIN_PW, kdf=FAST_KDF
    )
    try:
        target = other.records.save("union", union_data("另一个工会")).uuid
        plan = ei.preview_import(other, ei.open_member_sheet(path, other), target)
        assert plan.error_count == 0, {
            r: [ei.describe(e) for e in v] for r, v in plan.errors.items()
        }
        ei.commit_import(other, plan)
        assert stored(other) == stored(ws)
    finally:
        other.close(backup=False)


def test_exported_sheet_is_readable_in_excel_terms(
    tmp_path: Path, ws: Workspace, union: str
) -> None:
    rich_members(ws, union)
    path = export_records(ws, "member", tmp_path / "m.xlsx", unmask=True).path
    wb = openpyxl.load_workbook(path)
    sheet = wb.active
    headers = [c.value for c in sheet[1]]
    assert headers[:4] == ["姓名", "证件类型", "证件号码", "性别"] and headers[-1] == "所属工会"
    rows = {
        r[0]: dict(zip(headers, r, strict=True))
        for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    zhang = rows["张三"]
    assert zhang["证件号码"] == resident_id(11, birth="19800315")
    assert sheet.cell(row=2, column=3).number_format == "@"  # Excel keeps it as text
    assert zhang["性别"] == "男" and zhang["民族"] == "回族" and zhang["是否农民工"] == "是"
    assert zhang["入会时间"].date().isoformat() == "2019-03-01"
    assert zhang["所属工会"] == "杭州某某科技有限公司工会"
    assert zhang["会籍变化"].splitlines()[0] == "入会 | 2019-03-01 | 新入职 \\| 首次入会"


def test_masked_unless_role_may_unmask_and_unmask_is_audited(
    tmp_path: Path, ws: Workspace, union: str
) -> None:
    rich_members(ws, union)
    masked = export_records(ws, "member", tmp_path / "masked.csv")
    assert masked.masked
    text = masked.path.read_text(encoding="utf-8-sig")
    assert resident_id(11, birth="19800315") not in text and "13800138000" not in text
    assert "*" in text
    before = [e for e in ws.audit.entries(limit=100) if e["action"] == "record.unmask"]
    export_records(ws, "member", tmp_path / "full.csv", unmask=True)
    after = [e for e in ws.audit.entries(limit=100) if e["action"] == "record.unmask"]
    assert len(after) == len(before) + 3
    # an auditor asking for full values still gets masked ones
    ws.users.add("jing", "auditor-pass-1", "auditor")
    auditor = Workspace.open(ws.path, user="jing", password="auditor-pass-1", kdf=FAST_KDF)
    try:
        res = export_records(auditor, "member", tmp_path / "aud.xlsx", unmask=True)
        assert res.masked
        assert "13800138000" not in str(list(openpyxl.load_workbook(res.path).active.values))
    finally:
        auditor.close(backup=False)
    # a masked export does not import back as real numbers
    plan = ei.preview_import(ws, ei.open_member_sheet(masked.path, ws), union)
    codes = {e.code for errs in plan.errors.values() for e in errs}
    assert "import.masked_value" in codes and plan.good_count == 0


def test_export_unions(tmp_path: Path, ws: Workspace, union: str, union2: str) -> None:
    res = export_records(ws, "union", tmp_path / "unions.xlsx")
    assert res.rows == 2
    sheet = openpyxl.load_workbook(res.path).active
    headers = [c.value for c in sheet[1]]
    assert headers[0] == "工会全称"
    names = sorted(r[0] for r in sheet.iter_rows(min_row=2, values_only=True))
    assert names == ["杭州某某科技有限公司工会", "西溪物流有限公司工会"]


def test_export_rejects_other_formats_and_leaves_no_partial_file(
    tmp_path: Path, ws: Workspace, union: str
) -> None:
    with pytest.raises(ExportError):
        export_records(ws, "member", tmp_path / "m.pdf")
    rich_members(ws, union)
    res = export_records(ws, "member", tmp_path / "c.xlsx", cancel=lambda: True)
    assert res.cancelled is False  # 3 rows: finished before the first cancel check
    assert not list(tmp_path.glob("*.part"))


def test_template_has_form_columns_and_imports(tmp_path: Path, ws: Workspace, union: str) -> None:
    path = ei.write_member_template(tmp_path / "模板.xlsx", ws)
    wb = openpyxl.load_workbook(path)
    sheet = wb["会员"]
    headers = [c.value for c in sheet[1]]
    form = ei.member_form(ws)
    assert headers == [c.header for c in form_columns(form)]
    assert "union" not in [c.field_id for c in form_columns(form)]
    assert sheet["A1"].font.color.rgb.endswith("C00000")  # 姓名 is required: red
    assert sheet.cell(row=2, column=headers.index("证件号码") + 1).number_format == "@"
    assert any(
        "性别" in str(dv.sqref) or dv.formula1 for dv in sheet.data_validations.dataValidation
    )
    assert "填写说明" in wb.sheetnames
    # a clerk fills two rows in the template and imports it
    sheet.cell(row=2, column=1, value="赵六")
    sheet.cell(row=2, column=headers.index("证件号码") + 1, value=resident_id(21))
    sheet.cell(row=2, column=headers.index("入会时间") + 1, value="2023-05-04")
    wb.save(path)
    opened = ei.open_member_sheet(path, ws)
    assert all(f is not None for f in opened.mapping)
    plan = ei.preview_import(ws, opened, union)
    assert plan.good_count == 1 and plan.error_count == 0
