"""Valid test data: unions and members with real check digits (names, IDs, phones are synthetic)."""

from __future__ import annotations

from typing import Any

import forms

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"


def resident_id(i: int, *, female: bool = False) -> str:
    """A valid 18-character resident ID, distinct for each ``i`` < 10**6."""
    day = 1 + i % 28
    month = 1 + (i // 28) % 12
    year = 1960 + (i // 336) % 40
    seq = (i // 13440) % 500 * 2 + (0 if female else 1)
    body = f"330106{year:04d}{month:02d}{day:02d}{seq:03d}"
    return body + forms.resident_id_check_char(body)


def name(i: int) -> str:
    return (
        SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 20) % len(GIVEN)] + GIVEN[(i // 600) % len(GIVEN)]
    )


def mobile(i: int) -> str:
    return f"139{i:08d}"


def member(i: int, union_uuid: str, **over: Any) -> dict[str, Any]:
    idn = resident_id(i)
    d = {
        "union": union_uuid,
        "name": name(i),
        "id_type": "resident_id",
        "id_number": idn,
        "gender": "male",
        "birth_date": f"{idn[6:10]}-{idn[10:12]}-{idn[12:14]}",
        "ethnicity": "汉族",
        "mobile": mobile(i),
        "employment_form": "standard",
        "join_date": "2020-01-01",
        "member_type": "普通",
    }
    d.update(over)
    return d


def union(i: int = 0, **over: Any) -> dict[str, Any]:
    d = {
        "full_name": f"杭州测试{i}有限公司工会委员会",
        "union_type": "independent",
        "status": "active",
        "founded_date": "2015-03-01",
        "employer_name": f"杭州测试{i}有限公司",
        "employer_nature": "enterprise_domestic",
        "division_code": "330106",
        "employees": 100,
        "members": 80,
    }
    d.update(over)
    return d
