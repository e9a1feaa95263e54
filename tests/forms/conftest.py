"""Shared fixtures for the forms tests: the shipped forms and a valid member and union."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import forms

TODAY = dt.date(2026, 11, 23)
UNION_UUID = "0b8f3e2a-1c4d-4e5f-9a6b-7c8d9e0f1a2b"


@pytest.fixture(scope="session")
def member_form() -> forms.Form:
    return forms.load_form("member")


@pytest.fixture(scope="session")
def union_form() -> forms.Form:
    return forms.load_form("union")


@pytest.fixture
def member_data() -> dict[str, Any]:
    """A member as a clerk types it: strings everywhere."""
    return {
        "union": UNION_UUID,
        "name": "张三",
        "id_type": "居民身份证",
        "id_number": "11010519491231002x",
        "gender": "女",
        "birth_date": "1949/12/31",
        "ethnicity": "汉族",
        "mobile": "138 0013 8000",
        "education": "大专",
        "employment_form": "标准劳动关系",
        "migrant_worker": "否",
        "hardship": "是",
        "join_date": "1975-03-01",
        "member_type": "普通会员",
        "changes": [{"kind": "入会", "date": "1975-03-01", "reason": "新入职"}],
    }


@pytest.fixture
def union_data() -> dict[str, Any]:
    return {
        "full_name": "杭州市西溪机械有限公司工会委员会",
        "short_name": "西溪机械工会",
        "union_type": "独立基层工会",
        "status": "active",
        "founded_date": "2005-06-01",
        "employer_name": "杭州市西溪机械有限公司",
        "employer_uscc": "91330106MA2AXXXX0X",  # replaced in tests that need a valid one
        "employer_nature": "企业（内资）",
        "division_code": "330106",
        "chair_name": "李四",
        "chair_mobile": "13912345678",
        "chair_term_start": "2021-01-01",
        "chair_term_end": "2026-01-01",
        "employees": "120",
        "female_employees": "50",
        "members": "110",
        "female_members": "45",
        "migrant_members": "30",
        "new_form_members": "0",
        "has_collective_contract": "是",
        "contract_signed_date": "2024-01-05",
        "contract_expiry_date": "2027-01-04",
    }


def valid_uscc(first17: str) -> str:
    return first17 + forms.uscc_check_char(first17)
