"""Every row of the field-type table takes what a clerk or a spreadsheet gives it and stores the
normalised value; what it cannot take gives its code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

import forms
from tests.forms.helpers import definition, field

CHOICES = [
    {"value": "red", "label": {"zh_CN": "红色", "en": "Red"}, "aliases": ["红"]},
    {"value": "blue", "label": {"zh_CN": "蓝色", "en": "Blue"}},
]
FORM = forms.load_form_dict(
    definition(
        field("txt", "text", max_length=10),
        field("memo", "multiline"),
        field("n", "integer", min=0, max=100000),
        field("dec", "decimal", places=2),
        field("fee", "money"),
        field("refund", "money", min=-100000),
        field("day", "date", max="today"),
        field("at", "datetime"),
        field("yr", "year"),
        field("flag", "boolean"),
        field("colour", "choice", choices=CHOICES),
        field("colours", "multi_choice", choices=CHOICES),
        field("ric", "resident_id"),
        field("code", "uscc"),
        field("phone", "mobile"),
        field("div", "division_code"),
        field("ref", "reference", ref_form="union"),
        field("pin", "text", pattern="[0-9]{6}"),
    )
)
TODAY = dt.date(2026, 11, 23)
RIC = "11010519491231002X"
USCC = "91350100M000100Y43"


def one(fid: str, raw: Any) -> tuple[Any, list[str]]:
    r = forms.validate(FORM, {fid: raw}, today=TODAY)
    return r.values.get(fid), [e.code for e in r.errors]


@pytest.mark.parametrize(
    ("fid", "raw", "stored"),
    [
        ("txt", "  工会  委员会 ", "工会 委员会"),
        ("memo", "第一行\n第二行", "第一行\n第二行"),
        ("n", "1,234", 1234),
        ("n", "１２", 12),
        ("n", "12人", 12),
        ("n", 12.0, 12),
        ("n", 7, 7),
        ("dec", "3.14", 3.14),
        ("dec", Decimal("2.5"), 2.5),
        ("fee", "12.50", 1250),
        ("fee", "¥1,234.5", 123450),
        ("fee", "12.5元", 1250),
        ("fee", 12.5, 1250),
        ("fee", 1250, 1250),  # an int is already fen (the stored form)
        ("refund", "-3", -300),
        ("day", "2024-01-05", "2024-01-05"),
        ("day", "2024/1/5", "2024-01-05"),
        ("day", "2024.1.5", "2024-01-05"),
        ("day", "2024年1月5日", "2024-01-05"),
        ("day", "20240105", "2024-01-05"),
        ("day", "２０２４－０１－０５", "2024-01-05"),
        ("day", dt.datetime(2024, 1, 5, 13, 0), "2024-01-05"),
        ("at", "2024-01-05 09:30", "2024-01-05T09:30:00"),
        ("at", "2024/1/5 9:30:15", "2024-01-05T09:30:15"),
        ("yr", "2024年", 2024),
        ("flag", "是", True),
        ("flag", "否", False),
        ("flag", "TRUE", True),
        ("flag", "1", True),
        ("flag", 0, False),
        ("flag", "√", True),
        ("colour", "红色", "red"),
        ("colour", "Blue", "blue"),
        ("colour", "red", "red"),
        ("colour", "红", "red"),
        ("colours", "蓝色、红色", ["red", "blue"]),
        ("colours", ["blue"], ["blue"]),
        ("ric", RIC.lower(), RIC),
        ("code", " ".join([USCC[:6], USCC[6:]]).lower(), USCC),
        ("phone", "+86 139-1234-5678", "13912345678"),
        ("phone", 13912345678, "13912345678"),
        ("div", "330106001", "330106001"),
        ("ref", "{0B8F3E2A1C4D4E5F9A6B7C8D9E0F1A2B}", "0b8f3e2a-1c4d-4e5f-9a6b-7c8d9e0f1a2b"),
        ("pin", "310000", "310000"),
    ],
)
def test_accepted_and_normalised(fid: str, raw: Any, stored: Any) -> None:
    value, errors = one(fid, raw)
    assert errors == [] and value == stored


@pytest.mark.parametrize(
    ("fid", "raw", "code"),
    [
        ("txt", "一二三四五六七八九十一", "text.too_long"),
        ("n", "12.5", "integer.format"),
        ("n", "-1", "number.too_small"),
        ("n", "100001", "number.too_large"),
        ("n", "十二", "integer.format"),
        ("dec", "3.145", "decimal.places"),
        ("fee", "12.345", "money.places"),
        ("fee", "-1", "money.negative"),
        ("fee", "abc", "money.format"),
        ("day", "2027-01-01", "date.future"),
        ("day", "2024-02-30", "date.invalid"),
        ("day", "1/5/2024", "date.format"),
        ("at", "noon", "datetime.format"),
        ("yr", "1800", "year.range"),
        ("flag", "maybe", "boolean.format"),
        ("colour", "green", "choice.unknown"),
        ("colours", "红色,green", "multi_choice.unknown"),
        ("code", USCC[:17] + "0", "uscc.checksum"),
        ("code", "91350100M000100I43", "uscc.format"),
        ("phone", "1391234567", "mobile.format"),
        ("div", "3301", "division_code.format"),
        ("ref", "union-1", "reference.format"),
        ("pin", "31000", "text.pattern"),
    ],
)
def test_rejected_with_its_code(fid: str, raw: Any, code: str) -> None:
    value, errors = one(fid, raw)
    assert errors == [code] and value is None


def test_empty_means_missing_for_every_type() -> None:
    for f in FORM.fields:
        for empty in ("", "   ", "\u3000", None):
            value, errors = one(f.id, empty)
            assert value is None and errors == [], (f.id, empty)


def test_the_money_widget_shows_yuan() -> None:
    assert forms.TYPES["money"].widget == "money_edit"
    assert "fen" in forms.TYPES["money"].storage


def test_defaults_apply_only_to_absent_keys() -> None:
    form = forms.load_form_dict(definition(field("c", "choice", choices=CHOICES, default="blue")))
    assert forms.validate(form, {}).values["c"] == "blue"
    assert forms.validate(form, {"c": ""}).values["c"] is None
