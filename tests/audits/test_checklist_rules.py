"""The checklist template as data and the pure summary / rectification rules (forms/checklist.py)."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

import forms
from forms.checklist import (
    CLOSED,
    DUE,
    OPEN,
    OVERDUE,
    TemplateError,
    blank_rows,
    missing_items,
    rectification_state,
    rectifications,
    summarize,
    template_from_raw,
    yuan,
)

AREAS = {"income", "spending", "assets", "budget", "rules", "vouchers", "cashier"}


@pytest.fixture(scope="module")
def form():
    return forms.load_form("audit_checklist")


def test_default_template_covers_every_area_with_rule_and_guidance_in_both_languages(form) -> None:
    template = template_from_raw(form.raw)
    assert {a.id for a in template.areas} == AREAS
    assert len(template.items) >= 35
    for item in template.items:
        for lang in ("zh_CN", "en"):
            assert item.text(lang) and item.guidance_text(lang), item.id
            assert "{" not in item.text(lang), f"unfilled limit in {item.id}"
    topics = "".join(i.topic_text() for i in template.items)
    for word in (
        "会费",
        "拨缴经费",
        "上级补助",
        "行政补助",
        "节日慰问",
        "培训",
        "维权",
        "困难帮扶",
        "资本性支出",
    ):
        assert word in topics
    assert any("预算" in i.text() for i in template.items)
    assert any("决算" in i.text() for i in template.items)
    assert any("购物卡" in i.text() and "现金" in i.text() for i in template.items)


def test_province_limits_are_template_data_filled_into_the_rule_text(form) -> None:
    raw = copy.deepcopy(form.raw)
    for limit in raw["x_checklist"]["limits"]:
        if limit["id"] == "holiday_gift_per_person_year":
            limit["value"] = 150000
        if limit["id"] == "holiday_occasions":
            limit["value"] = {"zh_CN": ["春节", "中秋"], "en": ["Spring Festival", "Mid-Autumn"]}
    raw["version"] = 2
    changed = template_from_raw(forms.load_form_dict(raw).raw)
    gifts = changed.item("spending_holiday_gifts")
    assert "1,500.00元" in gifts.text() and "春节、中秋" in gifts.text()
    assert "Spring Festival, Mid-Autumn" in gifts.text("en")
    original = template_from_raw(form.raw).item("spending_holiday_gifts")
    assert "2,000.00元" in original.text()


def test_a_rule_naming_an_unknown_limit_is_refused(form) -> None:
    raw = copy.deepcopy(form.raw)
    raw["x_checklist"]["areas"][0]["items"][0]["rule"]["zh_CN"] = "不超过{no_such_limit}元"
    with pytest.raises(TemplateError, match="no_such_limit"):
        template_from_raw(raw)


def test_duplicate_item_ids_are_refused(form) -> None:
    raw = copy.deepcopy(form.raw)
    items = raw["x_checklist"]["areas"][0]["items"]
    items.append(dict(items[0]))
    with pytest.raises(TemplateError, match="duplicate"):
        template_from_raw(raw)


def test_summary_counts_results_and_sums_the_amount_in_question(form) -> None:
    template = template_from_raw(form.raw)
    rows = blank_rows(template)
    rows[0].update(result="compliant", amount=999)  # compliant amounts are not "in question"
    rows[1].update(result="noncompliant", amount=123456, finding="x", rectify=True)
    rows[2].update(result="noncompliant", amount=44, finding="y")
    rows[3].update(result="na")
    summary = summarize(template, {"items": rows}, outcomes={rows[1]["item_id"]: "partial"})
    assert summary.counts == {
        "compliant": 1,
        "noncompliant": 2,
        "na": 1,
        "unanswered": len(rows) - 4,
    }
    assert summary.amount_in_question == 123500 and yuan(123500) == "1,235.00"
    assert summary.rectifications_required == 1 and summary.open_rectifications == 1
    assert summary.by_area["income"]["noncompliant"] == 2
    assert not summary.complete
    done = summarize(template, {"items": rows}, outcomes={rows[1]["item_id"]: "done"})
    assert done.open_rectifications == 0


def test_rectification_states_by_deadline_and_outcome() -> None:
    today = dt.date(2026, 11, 23)
    assert rectification_state("2026-11-22", None, today) == (OVERDUE, -1)
    assert rectification_state("2026-11-30", "partial", today) == (DUE, 7)
    assert rectification_state("2027-03-01", None, today)[0] == OPEN
    assert rectification_state("2026-01-01", "done", today) == (CLOSED, None)
    data = {
        "items": [
            {"item_id": "a", "rectify": True, "owner": "王", "deadline": "2026-11-01"},
            {"item_id": "b", "rectify": False},
            {"item_id": "c", "rectify": True, "owner": "李", "deadline": "2026-12-01"},
        ]
    }
    items = rectifications(data, today, {"c": "done"})
    assert [(r.item_id, r.state) for r in items] == [("a", OVERDUE)]
    assert len(rectifications(data, today, {"c": "done"}, include_closed=True)) == 2


def test_yuan_shows_fen_with_two_decimals() -> None:
    assert yuan(0) == "0.00" and yuan(5) == "0.05" and yuan(-1234567) == "-12,345.67"


def test_missing_items_names_template_items_without_a_row(form) -> None:
    template = template_from_raw(form.raw)
    rows = blank_rows(template)[1:]
    assert missing_items(template, {"items": rows}) == [template.items[0].id]


def test_definition_rules_checked_by_forms_validate(form) -> None:
    base = {
        "union_name": "某某公司工会",
        "period_start": "2026-01-01",
        "period_end": "2026-06-30",
        "auditors": "张三",
        "audit_date": "2026-07-05",
    }
    bad = forms.validate(
        form,
        dict(base, items=[{"item_id": "income_dues", "result": "不合规", "rectify": "是"}]),
    )
    assert {(e.code, e.field) for e in bad.errors} == {
        ("audit.finding_required", "items[0].finding"),
        ("audit.owner_required", "items[0].owner"),
        ("audit.deadline_required", "items[0].deadline"),
    }
    assert forms.message("audit.finding_required") == "结果为不合规时须填写发现的问题"
    good = forms.validate(
        form,
        dict(
            base,
            items=[
                {
                    "item_id": "income_dues",
                    "result": "不合规",
                    "amount": "1,200.50",
                    "finding": "少收会费",
                    "rectify": True,
                    "owner": "王会计",
                    "deadline": "2026/9/1",
                }
            ],
        ),
    )
    assert good.ok, good.errors
    row = good.values["items"][0]
    assert row["result"] == "noncompliant" and row["amount"] == 120050
    assert row["deadline"] == "2026-09-01"
