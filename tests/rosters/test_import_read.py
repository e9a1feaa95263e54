"""Opening member sheets: file kinds, encodings, header guessing, malformed files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from desktop.reports.import_read import ImportFileError, open_sheet

KNOWN = {"姓名", "身份证号", "性别", "手机", "出生日期", "入会时间", "工作单位"}


def known(text: str) -> bool:
    return text.strip() in KNOWN


def write_xlsx(path: Path, rows: list[list], merges: list[str] = ()) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "会员"
    for row in rows:
        ws.append(row)
    for rng in merges:
        ws.merge_cells(rng)
    wb.save(path)
    return path


def test_xlsx_title_row_merged_above_header(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "m.xlsx",
        [
            ["西溪街道某某公司工会会员花名册", None, None],
            ["姓名", "性别", "身份证号"],
            ["张三", "男", "110105199001011234"],
            [None, None, None],
            ["李四", "女", "110105199001021220"],
        ],
        merges=["A1:C1"],
    )
    src = open_sheet(path, known)
    assert src.kind == "xlsx" and src.sheet == "会员"
    assert src.header_row == 2
    assert src.headers == ["姓名", "性别", "身份证号"]
    rows = list(src.rows())
    # row numbers are those Excel shows; the blank row 4 is skipped
    assert [n for n, _ in rows] == [3, 5]
    assert rows[1][1][0] == "李四"


def test_xlsx_two_row_header_with_vertical_merge(tmp_path: Path) -> None:
    # 姓名 and 性别 merged over rows 1-2; 联系方式 spans the 手机 sub-header below it
    path = write_xlsx(
        tmp_path / "m.xlsx",
        [
            ["姓名", "性别", "联系方式", "其他"],
            [None, None, "手机", "身份证号"],
            ["张三", "男", "13800138000", "110105199001011234"],
        ],
        merges=["A1:A2", "B1:B2"],
    )
    src = open_sheet(path, known)
    assert src.header_row == 2
    assert src.headers == ["姓名", "性别", "手机", "身份证号"]
    assert [n for n, _ in src.rows()] == [3]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes("姓名,性别,身份证号\r\n张三,男,110105199001011234\r\n".encode(encoding))
    src = open_sheet(path, known)
    assert src.kind == "csv"
    assert src.headers == ["姓名", "性别", "身份证号"]
    assert list(src.rows()) == [(2, ("张三", "男", "110105199001011234"))]


def test_csv_tab_delimited(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("姓名\t手机\n王五\t13800138000\n", encoding="utf-8")
    src = open_sheet(path, known)
    assert src.delimiter == "\t"
    assert list(src.rows()) == [(2, ("王五", "13800138000"))]


def test_not_a_spreadsheet(tmp_path: Path) -> None:
    png = tmp_path / "photo.xlsx"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    with pytest.raises(ImportFileError) as err:
        open_sheet(png, known)
    assert err.value.code == "file.not_spreadsheet"
    assert "photo.xlsx" in str(err.value) and "not a spreadsheet" in str(err.value)


def test_word_document_is_not_a_spreadsheet(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ImportFileError) as err:
        open_sheet(path, known)
    assert err.value.code == "file.not_spreadsheet"


def test_password_protected_xlsx(tmp_path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = write_xlsx(tmp_path / "plain.xlsx", [["姓名"], ["张三"]])
    locked = tmp_path / "locked.xlsx"
    with plain.open("rb") as fh, locked.open("wb") as out:
        OOXMLFile(fh).encrypt("secret", out)
    with pytest.raises(ImportFileError) as err:
        open_sheet(locked, known)
    assert err.value.code == "file.encrypted"
    assert "password" in str(err.value)


def test_legacy_xls_is_named(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(ImportFileError) as err:
        open_sheet(path, known)
    assert err.value.code == "file.legacy_xls"


def test_empty_sheet_and_empty_file(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "empty.xlsx", [])
    with pytest.raises(ImportFileError) as err:
        open_sheet(path, known)
    assert err.value.code == "file.empty"
    blank = tmp_path / "blank.csv"
    blank.write_bytes(b"")
    with pytest.raises(ImportFileError) as err:
        open_sheet(blank, known)
    assert err.value.code == "file.empty"


def test_header_only_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "h.xlsx", [["姓名", "身份证号"], [None, "  "]])
    with pytest.raises(ImportFileError) as err:
        open_sheet(path, known)
    assert err.value.code == "file.header_only"
    assert "h.xlsx" in str(err.value)


def test_no_recognisable_header(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "x.xlsx", [[3, 4], [1, 2]])
    with pytest.raises(ImportFileError) as err:
        open_sheet(path, known)
    assert err.value.code == "file.no_header"
    # unknown text headers are still a header: the user maps the columns by hand
    path = write_xlsx(tmp_path / "y.xlsx", [[None], ["会员名", "证件"], ["张三", "x"]])
    src = open_sheet(path, known)
    assert src.header_row == 2 and src.headers == ["会员名", "证件"]


def test_damaged_xlsx(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "g.xlsx", [["姓名"], ["张三"]])
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(good.read_bytes()[:300])
    with pytest.raises(ImportFileError) as err:
        open_sheet(broken, known)
    assert err.value.code in ("file.damaged", "file.not_spreadsheet")


def test_dates_and_numbers_keep_their_cell_types(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "d.xlsx",
        [["姓名", "出生日期", "身份证号"], ["张三", dt.datetime(1990, 1, 1), 110105199001011234]],
    )
    src = open_sheet(path, known)
    (_, values) = next(src.rows())
    assert values[1] == dt.datetime(1990, 1, 1)
    assert isinstance(values[2], int | float)


def test_second_sheet_used_when_first_is_empty(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    ws = wb.create_sheet("名单")
    ws.append(["姓名", "性别"])
    ws.append(["张三", "男"])
    path = tmp_path / "two.xlsx"
    wb.save(path)
    src = open_sheet(path, known)
    assert src.sheet == "名单"
    assert src.sheet_names == ["说明", "名单"]


def test_excel_unicode_text_export(tmp_path: Path) -> None:
    """Excel's "Unicode text" save: UTF-16 with a BOM, tab-separated."""
    path = tmp_path / "名单.txt"
    path.write_bytes("姓名\t身份证号\r\n张三\t110105199001011234\r\n".encode("utf-16"))
    src = open_sheet(path, known)
    assert src.encoding == "utf-16" and src.delimiter == "\t"
    assert list(src.rows()) == [(2, ("张三", "110105199001011234"))]
