"""Fixtures for the roster tests: a real SQLCipher workspace with two unions, sheet writers."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from desktop.domain import transfers
from desktop.store import KdfParams, Workspace
from forms import ids

FAST_KDF = KdfParams(memory_kib=1024, iterations=1, lanes=1)
ADMIN_PW = "Chief-pass-1"
HEADERS = ["姓名", "性别", "身份证号码", "民族", "手机号码", "工作单位", "入会时间", "会员类型"]


def resident_id(seq: int, birth: str = "19900101", region: str = "330106") -> str:
    """A valid GB 11643 number; ``seq`` (0..999) picks the sequence digits (odd = male)."""
    first17 = f"{region}{birth}{seq % 1000:03d}"
    return first17 + ids.resident_id_check_char(first17)


def union_data(name: str) -> dict[str, Any]:
    return {
        "full_name": name,
        "union_type": "independent",
        "founded_date": "2010-05-01",
        "employer_name": name.removesuffix("工会"),
        "employer_nature": "enterprise_domestic",
        "division_code": "330106",
        "employees": 120,
        "members": 100,
    }


def open_workspace(folder: Path, code: str, name: str) -> Iterator[Workspace]:
    """A new township workspace (admin / ADMIN_PW), closed without a backup afterwards."""
    workspace, _ = Workspace.create(
        folder,
        org_unit_code=code,
        org_unit_name=name,
        admin_user="admin",
        admin_password=ADMIN_PW,
        kdf=FAST_KDF,
        crypto_suite=os.environ.get("UNIONDESK_TEST_SUITE", "intl"),  # gm: the same tests on gm
    )
    yield workspace
    workspace.close(backup=False)


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    yield from open_workspace(tmp_path / "ws", "330106001", "西溪街道总工会")


@pytest.fixture
def union(ws: Workspace) -> str:
    return ws.records.save("union", union_data("杭州某某科技有限公司工会")).uuid


@pytest.fixture
def union2(ws: Workspace) -> str:
    return ws.records.save("union", union_data("西溪物流有限公司工会")).uuid


def member_row(i: int, **over: Any) -> list[Any]:
    """A good sheet row under :data:`HEADERS`."""
    row = {
        "姓名": f"会员{i:05d}",
        "性别": "男" if i % 2 else "女",
        "身份证号码": resident_id(
            i if i % 2 else i + 1000, birth=f"19{70 + i % 30:02d}0{1 + i % 9}1{i % 10}"
        ),
        "民族": "汉族",
        "手机号码": f"138{i:08d}",
        "工作单位": "杭州某某科技有限公司",
        "入会时间": "2020-03-01",
        "会员类型": "普通会员",
    }
    row.update(over)
    return [row[h] for h in HEADERS]


def write_xlsx(path: Path, headers: list[str], rows: list[list[Any]], **opts: Any) -> Path:
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = opts.get("title", "会员")
    for pre in opts.get("before", []):
        sheet.append(pre)
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for rng in opts.get("merges", []):
        sheet.merge_cells(rng)
    wb.save(path)
    return path


@pytest.fixture
def rng() -> random.Random:
    return random.Random(8)


# ---------------------------------------------------------------- transfers to township B

B = "330106002"


@pytest.fixture
def ws_b(tmp_path: Path) -> Iterator[Workspace]:
    yield from open_workspace(tmp_path / "ws-b", B, "北山街道总工会")


@pytest.fixture
def member(ws: Workspace, union: str) -> str:
    """钱七, a member of ``union`` with a join row and a (sensitive) mobile number."""
    return ws.records.save(
        "member",
        {
            "union": union,
            "name": "钱七",
            "id_number": resident_id(31),
            "mobile": "13600000000",
            "join_date": "2018-04-01",
            "changes": [{"kind": "join", "date": "2018-04-01"}],
        },
    ).uuid


def offer_body(ws: Workspace, pending: transfers.PendingTransfer) -> dict[str, Any]:
    [item] = [i for i in ws.outbox.pending(100) if i.record_uuid == pending.request_uuid]
    return {
        "transfer_id": pending.id,
        "from_org_unit": ws.org_unit.code,
        "from_org_unit_name": "西溪街道总工会",
        "to_org_unit": B,
        "request": dict(item.record),
    }


def request_to_b(ws: Workspace, member: str) -> transfers.PendingTransfer:
    return transfers.request_external_transfer(
        ws, member, to_union_name="北山某工会", to_org_unit=B, date="2026-11-01", reason="调动"
    )


# ---------------------------------------------------------------- sheets in every format

SHEET_FORMATS = ("xlsx", "xls", "ods", "csv")


def write_xls(path: Path, headers: list[str], rows: list[list[Any]]) -> Path:
    """An Excel 97-2003 .xls (BIFF8) as xlwt writes it; dates get a date format."""
    import datetime as dt

    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("会员")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for c, h in enumerate(headers):
        sheet.write(0, c, h)
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, dt.date):
                sheet.write(r, c, v, date_style)
            else:
                sheet.write(r, c, v)
    book.save(str(path))
    return path


def write_ods(path: Path, headers: list[str], rows: list[list[Any]]) -> Path:
    """A minimal OpenDocument spreadsheet (.ods) as LibreOffice / WPS save one."""
    import datetime as dt
    import zipfile
    from xml.sax.saxutils import escape

    def cell(v: Any) -> str:
        if v is None:
            return "<table:table-cell/>"
        if isinstance(v, bool):
            return f'<table:table-cell office:value-type="boolean" office:boolean-value="{str(v).lower()}"/>'
        if isinstance(v, dt.date):
            return (
                f'<table:table-cell office:value-type="date" office:date-value="{v.isoformat()}">'
                f"<text:p>{v.isoformat()}</text:p></table:table-cell>"
            )
        if isinstance(v, int | float):
            return (
                f'<table:table-cell office:value-type="float" office:value="{v!r}">'
                f"<text:p>{v!r}</text:p></table:table-cell>"
            )
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'

    body = "".join(
        "<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>"
        for row in [headers, *rows]
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="会员">'
        f"{body}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return path


def write_csv(path: Path, headers: list[str], rows: list[list[Any]]) -> Path:
    """A GB18030 CSV, as Excel saves one on a Chinese Windows."""
    import csv
    import datetime as dt

    with path.open("w", encoding="gb18030", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(headers)
        for row in rows:
            w.writerow(
                ["" if v is None else v.isoformat() if isinstance(v, dt.date) else v for v in row]
            )
    return path


def write_sheet(path: Path, headers: list[str], rows: list[list[Any]]) -> Path:
    """The rows in the format named by ``path``'s suffix (.xlsx, .xls, .ods, .csv)."""
    writer = {".xlsx": write_xlsx, ".xls": write_xls, ".ods": write_ods, ".csv": write_csv}
    return writer[path.suffix](path, headers, rows)
