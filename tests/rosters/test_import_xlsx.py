"""The streaming .xlsx reader on files shaped like Excel's own (shared strings, styles, gaps)."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl

from desktop.reports.import_xlsx import XlsxBook, is_date_format

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def excel_like(path: Path, date1904: bool = False) -> Path:
    """A workbook as Excel writes it: shared strings (one with a phonetic run), a custom date
    format, a built-in date format, a row left out, a formula with its cached text, a boolean."""
    sheet = f"""<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="{MAIN}"><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>
<c r="D1" t="s"><v>3</v></c></row>
<row r="2"><c r="A2" t="s"><v>4</v></c><c r="B2" s="1"><v>43831</v></c><c r="C2" s="2"><v>32874</v></c>
<c r="D2"><v>1.10105199001011E+17</v></c></row>
<row r="4"><c r="A4" t="str"><f>"王"&amp;"五"</f><v>王五</v></c><c r="C4" t="b"><v>1</v></c>
<c r="D4"><v>42</v></c><c r="F4" t="inlineStr"><is><t>行内</t></is></c></row>
</sheetData></worksheet>"""
    strings = f"""<?xml version="1.0" encoding="UTF-8"?>
<sst xmlns="{MAIN}" count="5" uniqueCount="5"><si><t>姓名</t></si><si><t>入会时间</t></si>
<si><t>出生日期</t></si><si><t>身份证号</t></si>
<si><r><t>张</t></r><r><t>三</t></r><rPh sb="0" eb="1"><t>zhang</t></rPh></si></sst>"""
    styles = f"""<?xml version="1.0" encoding="UTF-8"?>
<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>
<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="176"/><xf numFmtId="14"/></cellXfs></styleSheet>"""
    pr = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
    book = f"""<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="{MAIN}" xmlns:r="{REL}">{pr}<sheets>
<sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>"""
    rels = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xl/workbook.xml", book)
        zf.writestr("xl/_rels/workbook.xml.rels", rels)
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
        zf.writestr("xl/sharedStrings.xml", strings)
        zf.writestr("xl/styles.xml", styles)
    return path


def test_reads_values_as_excel_shows_them(tmp_path: Path) -> None:
    with XlsxBook(excel_like(tmp_path / "e.xlsx")) as book:
        assert book.sheet_names == ["花名册"]
        rows = list(book.rows("花名册"))
    assert rows[0] == ("姓名", "入会时间", "出生日期", "身份证号")
    assert rows[1][0] == "张三"  # the phonetic guide is not part of the text
    assert rows[1][1] == dt.datetime(2020, 1, 1)  # custom 年月日 date format
    assert rows[1][2] == dt.datetime(1990, 1, 1)  # built-in date format 14
    assert rows[1][3] == 1.10105199001011e17  # a float, as Excel stored it
    assert rows[2] == ()  # row 3 was left out of the file: still counted
    assert rows[3] == ("王五", None, True, 42, None, "行内")


def test_1904_date_system(tmp_path: Path) -> None:
    with XlsxBook(excel_like(tmp_path / "e.xlsx", date1904=True)) as book:
        rows = list(book.rows("花名册"))
    assert rows[1][1] == dt.datetime(2024, 1, 2)  # 43831 days after 1904-01-01


def test_same_values_as_openpyxl_on_its_own_files(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "日期", "数", "真"])
    ws.append(["  空格 ", dt.datetime(2021, 5, 6), 3.5, False])
    ws.append([None, None, -7, "=A1"])
    path = tmp_path / "o.xlsx"
    wb.save(path)
    ours = list(XlsxBook(path).rows(ws.title))
    theirs = [
        tuple(v for v in row)
        for row in openpyxl.load_workbook(path, read_only=True, data_only=True).active.iter_rows(
            values_only=True
        )
    ]
    assert ours[0] == theirs[0] and ours[1] == theirs[1]
    assert ours[2][:3] == (None, None, -7)


def test_date_format_detection() -> None:
    assert is_date_format("yyyy-mm-dd") and is_date_format('yyyy"年"m"月"')
    assert not is_date_format("0.00") and not is_date_format('"m"0') and not is_date_format("@")
    assert not is_date_format("[h]:mm:ss")


def test_shared_strings_with_entities_and_attributes(tmp_path: Path) -> None:
    path = excel_like(tmp_path / "e.xlsx")
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["xl/sharedStrings.xml"] = parts["xl/sharedStrings.xml"].replace(
        b"<si><t>\xe5\xa7\x93\xe5\x90\x8d</t></si>",  # 姓名
        b'<si><t xml:space="preserve"> A&amp;B &lt;1&gt; </t></si>',
    )
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    with XlsxBook(path) as book:
        assert next(book.rows("花名册"))[0] == " A&B <1> "
