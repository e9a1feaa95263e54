"""Member import end to end on a real workspace: preview, errors, duplicates, commit, cancel."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from desktop.domain import member_import as ei
from desktop.store import Workspace
from tests.rosters.conftest import HEADERS, member_row, resident_id, write_xlsx


def errors_of(plan: ei.ImportPlan, row: int) -> list[tuple[str, str, str]]:
    return [(e.letter, e.field, e.code) for e in plan.errors.get(row, [])]


def test_mapping_guessed_from_headers_and_synonyms(tmp_path: Path, ws: Workspace) -> None:
    headers = ["序号", "姓 名", "身份证号码（18位）", "联系电话", "性别", "入会日期", "备注"]
    path = write_xlsx(tmp_path / "a.xlsx", headers, [[1, "张三", resident_id(1), "", "男", "", ""]])
    opened = ei.open_member_sheet(path, ws)
    assert opened.mapping == [None, "name", "id_number", "mobile", "gender", "join_date", None]


def test_mapping_is_remembered_after_an_import(tmp_path: Path, ws: Workspace, union: str) -> None:
    headers = ["会员名", "证件", "入会", "X"]
    rows = [["张三", resident_id(1), "2020-01-01", "?"]]
    path = write_xlsx(tmp_path / "odd.xlsx", headers, rows)
    opened = ei.open_member_sheet(path, ws)
    assert opened.mapping[:3] == [None, None, None]
    mapping = ["name", "id_number", "join_date", None]
    plan = ei.preview_import(ws, opened, union, mapping)
    assert plan.good_count == 1
    ei.commit_import(ws, plan)
    again = ei.open_member_sheet(path, ws)
    assert again.mapping == mapping


def test_good_rows_kept_bad_rows_reported_with_row_and_column(
    tmp_path: Path, ws: Workspace, union: str
) -> None:
    rows = [member_row(i) for i in range(12)]
    rows[1][2] = 1.10105199001011e17  # Excel turned the ID number into a float
    rows[2][2] = "1.10105199001011E+17"  # ... and saved it into a text cell like that
    rows[3][6] = "2020-02-30"  # no such date
    rows[4][0] = None  # name missing
    rows[5][2] = rows[5][2][:-1] + ("0" if rows[5][2][-1] != "0" else "1")  # wrong check digit
    path = write_xlsx(tmp_path / "m.xlsx", HEADERS, rows)
    plan = ei.preview_import(ws, ei.open_member_sheet(path, ws), union)
    assert plan.total_rows == 12 and plan.good_count == 7 and plan.error_count == 5
    assert ws.records.count("member") == 0  # the preview writes nothing
    assert errors_of(plan, 3) == [("C", "id_number", "import.id_precision_lost")]
    assert errors_of(plan, 4) == [("C", "id_number", "import.id_precision_lost")]
    assert errors_of(plan, 5) == [("G", "join_date", "date.invalid")]
    assert errors_of(plan, 6) == [("A", "name", "required")]
    assert errors_of(plan, 7) == [("C", "id_number", "id_number.checksum")]
    text = ei.describe(plan.errors[3][0], "en")
    assert text.startswith("身份证号码 (C):") and "precision lost" in text
    assert "format the column as text" in text
    # the message never shows the number itself
    for errs in plan.errors.values():
        for e in errs:
            assert "199001011" not in ei.describe(e) and "199001011" not in ei.describe(e, "en")
    outcome = ei.commit_import(ws, plan)
    assert outcome.created == 7 and not outcome.failed
    assert ws.records.count("member") == 7
    names = {r.data["name"] for r in ws.records.query("member")}
    assert names == {f"会员{i:05d}" for i in (0, 6, 7, 8, 9, 10, 11)}


def test_excel_artefacts_are_cleaned(tmp_path: Path, ws: Workspace, union: str) -> None:
    idn = resident_id(5, birth="19850612")
    full_width = idn.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(["某某公司工会会员名单（2024年）"])
    sheet.merge_cells("A1:F1")
    sheet.append(["姓名", "身份证号", "手机号码", "入会时间", "出生日期", "性别"])
    sheet.append(
        ["  张　三 ", full_width, " 138 0013 8000 ", 43831, dt.datetime(1985, 6, 12), "男"]
    )
    sheet.append(
        ["李四", f"'{resident_id(8, birth='19900101')}", "13800138001", "2020年1月5日", "", ""]
    )
    sheet.append(["王五", None, "", "20200105", "", "男"])
    sheet["B5"].value = f'="{resident_id(9, birth="19910101")}"'  # text, as a CSV would hold it
    sheet["B5"].data_type = "s"
    path = tmp_path / "artefacts.xlsx"
    wb.save(path)
    opened = ei.open_member_sheet(path, ws)
    assert opened.source.header_row == 2
    plan = ei.preview_import(ws, opened, union)
    assert plan.error_count == 0, {r: errors_of(plan, r) for r in plan.errors}
    ei.commit_import(ws, plan)
    by_name = {r.data["name"]: r for r in ws.records.query("member", unmask=True)}
    assert set(by_name) == {"张三", "李四", "王五"}
    zhang = by_name["张三"].data
    assert zhang["id_number"] == idn and zhang["mobile"] == "13800138000"
    assert zhang["join_date"] == "2020-01-01"  # Excel serial 43831
    assert zhang["birth_date"] == "1985-06-12" and zhang["gender"] == "male"
    assert by_name["李四"].data["join_date"] == "2020-01-05"
    assert by_name["李四"].data["gender"] == "female"  # filled in from the ID number
    assert by_name["王五"].data["join_date"] == "2020-01-05"


def test_duplicates_in_file_and_workspace(tmp_path: Path, ws: Workspace, union: str) -> None:
    first = ws.records.save(
        "member",
        {
            "union": union,
            "name": "老会员",
            "id_number": resident_id(11),
            "join_date": "2018-01-01",
            "mobile": "13900000000",
        },
    )
    rows = [member_row(i) for i in range(4)]
    rows[0][2] = resident_id(11)  # already in the workspace
    rows[3][2] = rows[2][2]  # twice in the file
    rows[0][4] = "13911112222"
    path = write_xlsx(tmp_path / "d.xlsx", HEADERS, rows)
    opened = ei.open_member_sheet(path, ws)
    plan = ei.preview_import(ws, opened, union)
    kinds = sorted((d.row, d.kind) for d in plan.duplicates)
    assert kinds == [(2, "workspace"), (5, "file")]
    dup = plan.duplicate_rows("file")[0]
    assert dup.other_row == 4 and "*" in dup.id_masked
    assert plan.duplicate_rows("workspace")[0].existing_uuid == first.uuid

    skipped = ei.commit_import(ws, plan, "skip")
    assert skipped.created == 2 and skipped.updated == 0
    assert sorted(r for r, _, _ in skipped.skipped) == [2, 5]
    assert ws.records.get(first.uuid, unmask=True).data["mobile"] == "13900000000"


def test_duplicate_update_keeps_union_and_history(
    tmp_path: Path, ws: Workspace, union: str, union2: str
) -> None:
    first = ws.records.save(
        "member",
        {
            "union": union2,
            "name": "老会员",
            "id_number": resident_id(11),
            "join_date": "2018-01-01",
        },
    )
    rows = [member_row(1), member_row(2)]
    rows[0][2] = resident_id(11)
    rows[0][0] = "老会员"
    rows[1][2] = resident_id(11)  # and again in the file: the last row wins
    rows[1][0] = "老会员"
    rows[1][4] = "13722223333"
    path = write_xlsx(tmp_path / "u.xlsx", HEADERS, rows)
    plan = ei.preview_import(ws, ei.open_member_sheet(path, ws), union)
    outcome = ei.commit_import(ws, plan, "update")
    assert outcome.updated == 1 and outcome.created == 0
    rec = ws.records.get(first.uuid, unmask=True)
    assert rec.version == 2 and rec.data["mobile"] == "13722223333"
    assert rec.data["union"] == union2  # an update never moves a member to another union
    assert ws.records.count("member") == 1


def test_csv_gb18030_import(tmp_path: Path, ws: Workspace, union: str) -> None:
    lines = [",".join(HEADERS)] + [",".join(str(v) for v in member_row(i)) for i in range(3)]
    path = tmp_path / "gbk.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    plan = ei.preview_import(ws, ei.open_member_sheet(path, ws), union)
    assert plan.good_count == 3 and plan.source.encoding == "gb18030"
    ei.commit_import(ws, plan)
    assert {r.data["name"] for r in ws.records.query("member")} == {
        "会员00000",
        "会员00001",
        "会员00002",
    }


def test_required_column_missing_is_named(tmp_path: Path, ws: Workspace, union: str) -> None:
    path = write_xlsx(tmp_path / "n.xlsx", ["姓名", "性别"], [["张三", "男"]])
    opened = ei.open_member_sheet(path, ws)
    with pytest.raises(ei.ImportFileError) as err:
        ei.preview_import(ws, opened, union)
    assert err.value.code == "file.unmapped_required"
    assert "证件号码" in ei.file_message(err.value.code, **err.value.params)
    assert ws.records.count("member") == 0


def test_cancel_halfway_keeps_whole_chunks_and_reports(
    tmp_path: Path, ws: Workspace, union: str
) -> None:
    rows = [member_row(i) for i in range(1300)]
    path = write_xlsx(tmp_path / "big.xlsx", HEADERS, rows)
    plan = ei.preview_import(ws, ei.open_member_sheet(path, ws), union)
    assert plan.good_count == 1300
    seen: list[tuple[int, int]] = []

    def cancel() -> bool:
        return len(seen) >= 1  # after the first chunk

    outcome = ei.commit_import(ws, plan, progress=lambda d, t: seen.append((d, t)), cancel=cancel)
    assert outcome.cancelled and outcome.created == 1000 and outcome.not_reached == 300
    assert outcome.written_ranges() == [(2, 1001)]
    assert ws.records.count("member") == 1000
    assert ws.audit.verify().ok
    report = ei.write_error_report(plan, tmp_path / "report.xlsx", outcome, lang="en")
    wb = openpyxl.load_workbook(report, read_only=True)
    notes = [r for r in wb["Not imported"].iter_rows(values_only=True)]
    assert notes[-1] == (1002, "Cancelled: 300 rows from row 1002 on were not imported")
    # the rest can be imported later: the first 1000 are then duplicates to skip
    again = ei.preview_import(ws, ei.open_member_sheet(path, ws), union)
    assert len(again.duplicate_rows("workspace")) == 1000
    rest = ei.commit_import(ws, again, "skip")
    assert rest.created == 300 and ws.records.count("member") == 1300


def test_error_report_holds_rejected_rows(tmp_path: Path, ws: Workspace, union: str) -> None:
    rows = [member_row(i) for i in range(5)]
    rows[2][6] = "去年"
    path = write_xlsx(tmp_path / "m.xlsx", HEADERS, rows)
    plan = ei.preview_import(ws, ei.open_member_sheet(path, ws), union)
    report = ei.write_error_report(plan, tmp_path / "错误报告.xlsx")
    wb = openpyxl.load_workbook(report)
    first = list(wb["导入错误"].iter_rows(values_only=True))
    assert first[0][:3] == ("原行号", "错误说明", "姓名")
    assert first[1][0] == 4 and first[1][2] == "会员00002"
    assert "入会时间（G列）" in first[1][1] and "日期" in first[1][1]
    detail = list(wb["错误明细"].iter_rows(values_only=True))
    assert detail[1][:4] == (4, "G", "入会时间", "date.format")
    # the report imports again once fixed: its extra columns are ignored
    sheet = wb["导入错误"]
    sheet["I2"] = "2020-01-01"
    wb.save(report)
    fixed = ei.preview_import(ws, ei.open_member_sheet(report, ws), union)
    assert fixed.good_count == 1 and fixed.error_count == 0
