"""Fixtures for the roster tests: a real SQLCipher workspace with two unions, sheet writers."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from desktop.store import KdfParams, Workspace, transfers
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
