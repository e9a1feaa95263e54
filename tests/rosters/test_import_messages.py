"""Every import error names the row, the column and the value as typed; ID numbers and phones
are masked but for the part that is wrong."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from desktop.domain import member_import as ei
from desktop.store import Workspace
from tests.rosters.conftest import HEADERS, member_row, resident_id, write_xlsx


def test_messages_name_row_column_and_value(tmp_path: Path, ws: Workspace, union: str) -> None:
    headers = [*HEADERS, "出生日期"]
    rows = [[*member_row(i), None] for i in range(1, 6)]
    rows[0][8] = "1990-02-30"  # no such date: shown as typed, not masked
    good = resident_id(3, birth="19900101")
    rows[1][2] = good[:17] + ("0" if good[17] != "0" else "1")  # wrong check character
    rows[2][2] = "330106" + "19900230" + "0035"  # a birth date that does not exist
    rows[3][4] = "12345678901"  # not a mobile number
    rows[4][6] = "下个月"  # not a date
    path = write_xlsx(tmp_path / "m.xlsx", headers, rows)
    plan = ei.preview_import(ws, ei.open_member_sheet(path, ws), union)
    text = {row: ei.describe(errs[0]) for row, errs in plan.errors.items()}
    assert text[2] == "出生日期（I列）：日期不存在（表中为“1990-02-30”）"
    assert text[3].startswith("身份证号码（C列）：身份证号码校验位不正确")
    assert f"“{'*' * 17}{rows[1][2][-1]}”" in text[3] and rows[1][2] not in text[3]
    assert "19900230" in text[4] and "330106199002300035" not in text[4]
    assert text[5].startswith("手机号码（E列）") and "12345678901" not in text[5]
    assert "“下个月”" in text[6] and text[6].startswith("入会时间（G列）")
    english = ei.describe(plan.errors[2][0], "en")
    assert english == "出生日期 (I): No such date (cell: '1990-02-30')"

    report = ei.write_error_report(plan, tmp_path / "report.xlsx")
    details = list(openpyxl.load_workbook(report)["错误明细"].iter_rows(values_only=True))
    assert details[0][-1] == "表中内容"
    assert details[1][0] == 2 and details[1][-1] == "1990-02-30"
    assert all(rows[1][2] not in str(line) for line in details)
