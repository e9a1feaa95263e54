"""The cases of the import in every format township PCs save: .xlsx, .xls, .ods, .csv."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.domain import member_import as ei
from desktop.reports.import_read import open_sheet
from desktop.store import Workspace
from tests.rosters.conftest import (
    HEADERS,
    SHEET_FORMATS,
    member_row,
    resident_id,
    write_sheet,
)

SHEET_HEADERS = [*HEADERS[:6], "入会年月", HEADERS[7], "出生日期"]


def _rows() -> list[list]:
    rows = [[*member_row(i), None] for i in range(1, 7)]
    rows[0][6] = "2019.05"
    rows[1][6] = "2019年5月"
    rows[2][6] = "2019-05"
    rows[3][2] = resident_id(7, birth="19850612")  # a man, typed as a woman
    rows[3][1] = "女"
    rows[4][2] = resident_id(9, birth="19900101")
    rows[4][8] = "1990-01-02"  # the ID number says 1990-01-01
    return rows


@pytest.mark.parametrize("fmt", SHEET_FORMATS)
def test_every_case_in_every_format(tmp_path: Path, ws: Workspace, union: str, fmt: str) -> None:
    path = write_sheet(tmp_path / f"roster.{fmt}", SHEET_HEADERS, _rows())
    opened = ei.open_member_sheet(path, ws)
    assert opened.source.kind == fmt
    assert opened.source.reader == ("csv" if fmt == "csv" else "calamine")
    plan = ei.preview_import(ws, opened, union)
    assert plan.error_count == 0, {r: [ei.describe(e) for e in v] for r, v in plan.errors.items()}
    contradictions = {
        r: [(c.column, c.typed, c.from_id) for c in cs] for r, cs in plan.contradictions.items()
    }
    assert contradictions == {
        5: [("性别", "女", "男")],
        6: [("出生日期", "1990-01-02", "1990-01-01")],
    }
    assert ei.commit_import(ws, plan).created == 6
    data = {r.data["name"]: r.data for r in ws.records.query("member")}
    assert [data[f"会员{i:05d}"]["join_date"] for i in (1, 2, 3)] == ["2019-05"] * 3
    assert data["会员00004"]["gender"] == "male"  # the ID's value (the default)
    assert data["会员00005"]["birth_date"] == "1990-01-01"
    assert data["会员00006"]["join_date"] == "2020-03-01"

    versions = {r.uuid: r.version for r in ws.records.query("member")}
    outbox = ws.outbox.pending_count()
    again = ei.preview_import(ws, ei.open_member_sheet(path, ws), union)
    assert again.class_counts()["unchanged"] == 6
    outcome = ei.commit_import(ws, again, "update")
    assert outcome.written == 0 and len(outcome.unchanged) == 6
    assert {r.uuid: r.version for r in ws.records.query("member")} == versions
    assert ws.outbox.pending_count() == outbox

    fixed = _rows()
    fixed[5][4] = "13999990006"  # one phone number corrected
    path2 = write_sheet(tmp_path / f"fixed.{fmt}", SHEET_HEADERS, fixed)
    plan = ei.preview_import(ws, ei.open_member_sheet(path2, ws), union)
    assert [(m.row, m.columns) for m in plan.matches.values() if m.kind == "changed"] == [
        (7, ("手机号码",))
    ]
    outcome = ei.commit_import(ws, plan, "update")
    assert outcome.updated == 1 and len(outcome.unchanged) == 5
    changed = {r.data["name"] for r in ws.records.query("member") if r.version > 1}
    assert changed == {"会员00006"}


def test_xls_rows_and_columns_are_those_excel_shows(tmp_path: Path) -> None:
    """A title in A1 and the table starting at column B, row 3 (calamine starts its grid at
    the first used cell): row numbers and column letters stay the spreadsheet's."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名单")
    sheet.write_merge(0, 0, 1, 3, "某街道工会会员花名册")
    for c, h in enumerate(["姓名", "身份证号码", "入会时间"], start=1):
        sheet.write(2, c, h)
    sheet.write(3, 1, "张三")
    sheet.write(3, 2, "330106199001010012")
    sheet.write(3, 3, 2019.05)
    path = tmp_path / "old.xls"
    book.save(str(path))
    src = open_sheet(path, lambda t: t in ("姓名", "身份证号码", "入会时间"))
    assert src.kind == "xls" and src.header_row == 3
    assert src.headers == ["", "姓名", "身份证号码", "入会时间"]
    assert list(src.rows()) == [(4, (None, "张三", "330106199001010012", 2019.05))]


def test_a_password_protected_xls_is_named(tmp_path: Path) -> None:
    from desktop.reports.import_read import ImportFileError

    path = tmp_path / "locked.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le"))
    with pytest.raises(ImportFileError) as err:
        open_sheet(path, lambda t: True)
    assert err.value.code == "file.encrypted"


@pytest.mark.parametrize(("suffix", "kind"), [(".et", "xls"), (".xlsm", "xlsx")])
def test_wps_et_and_xlsm_are_read_by_their_bytes(
    tmp_path: Path, ws: Workspace, union: str, suffix: str, kind: str
) -> None:
    """WPS saves .et as an OLE workbook like .xls; .xlsm is an .xlsx with macros."""
    made = write_sheet(tmp_path / f"roster.{kind}", SHEET_HEADERS, _rows())
    path = made.rename(tmp_path / f"roster{suffix}")
    opened = ei.open_member_sheet(path, ws)
    assert (opened.source.kind, opened.source.reader) == (kind, "calamine")
    plan = ei.preview_import(ws, opened, union)
    assert plan.good_count == 6 and plan.error_count == 0
