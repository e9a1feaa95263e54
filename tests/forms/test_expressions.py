"""The expression language as a form author uses it: relevance, constraints, calculations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import forms
from tests.forms.helpers import definition, field, label

TODAY = dt.date(2026, 11, 23)


def calc(text: str, **data: Any) -> Any:
    """Value of ``text`` as the calculate of a decimal field over fields a, b (integers),
    s (text), d, e (dates) and the repeat group rows(x integer, k text)."""
    form = forms.load_form_dict(
        definition(
            field("a"),
            field("b"),
            field("s", "text"),
            field("d", "date"),
            field("e", "date"),
            field("rows", "repeat", fields=[field("x"), field("k", "text")]),
            field("out", "text", calculate=text),
        )
    )
    r = forms.validate(form, data, today=TODAY)
    assert r.ok, r.errors
    return r.values["out"]


@pytest.mark.parametrize(
    ("text", "data", "expected"),
    [
        ("a + b * 2", {"a": "1", "b": "3"}, "7"),
        ("(a + b) * 2", {"a": "1", "b": "3"}, "8"),
        ("a - -b", {"a": "1", "b": "3"}, "4"),
        ("a / b", {"a": "7", "b": "2"}, "3.5"),
        ("a / b", {"a": "7", "b": "0"}, None),
        ("a % b", {"a": "7", "b": "4"}, "3"),
        ("2 ** 10", {}, "1024"),
        ("a + b", {"a": "1"}, None),
        ("if(a > b, 'bigger', 'not bigger')", {"a": "5", "b": "3"}, "bigger"),
        ("if(a > b, 'bigger', 'not bigger')", {"a": "5"}, "not bigger"),
        ("length(s)", {"s": "工会委员会"}, "5"),
        ("length(s)", {}, "0"),
        ("s + '!'", {"s": "好"}, "好!"),
        ("days(d, e)", {"d": "2024-01-01", "e": "2024-03-01"}, "60"),
        ("days(d, today())", {"d": "2026-11-01"}, "22"),
        ("e - d", {"d": "2024-01-01", "e": "2024-01-31"}, "30"),
        ("add_days(d, 10)", {"d": "2024-12-25"}, "2025-01-04"),
        ("add_years(d, 1)", {"d": "2024-02-29"}, "2025-02-28"),
        ("age(d, e)", {"d": "2000-06-15", "e": "2016-06-14"}, "15"),
        ("year(d) * 100 + month(d)", {"d": "2024-07-09"}, "202407"),
        ("d >= '2024-01-01'", {"d": "2024-07-09"}, "True"),
        ("count(rows)", {"rows": [{"x": "1"}, {"x": "2"}]}, "2"),
        ("count(rows, x > 1)", {"rows": [{"x": "1"}, {"x": "2"}, {"x": "5"}]}, "2"),
        ("sum(rows.x)", {"rows": [{"x": "1"}, {}, {"x": "5"}]}, "6"),
        ("sum(rows, x * a)", {"a": "10", "rows": [{"x": "1"}, {"x": "5"}]}, "60"),
        ("count(rows, k == 'y' and x > a)", {"a": "1", "rows": [{"k": "y", "x": "2"}]}, "1"),
        ("min(a, b, 3)", {"a": "5"}, "3"),
        ("coalesce(s, 'none')", {}, "none"),
        ("contains(s, '工会')", {"s": "某某工会"}, "True"),
        ("starts_with(s, '81')", {"s": "8133"}, "True"),
        ("round(a / b, 2)", {"a": "2", "b": "3"}, "0.67"),
        ("not (a > 1) or b == 2", {"a": "5", "b": "2"}, "True"),
        ("'x' + a", {"a": "1"}, None),
    ],
)
def test_expression_values(text: str, data: dict[str, Any], expected: Any) -> None:
    assert calc(text, **data) == expected


def test_three_valued_logic_with_empty_fields() -> None:
    assert calc("a > 1 and b > 1", a="0") == "False"  # false and unknown = false
    assert calc("a > 1 or b > 1", a="5") == "True"  # true or unknown = true
    assert calc("a > 1 and b > 1", a="5") is None  # true and unknown = unknown
    assert calc("not (a > 1)") is None
    assert calc("a == null") == "True" and calc("a != 1") == "True"


def test_a_calculated_money_total_over_rows() -> None:
    form = forms.load_form_dict(
        definition(
            field("items", "repeat", fields=[field("amount", "money"), field("qty")]),
            field("total", "money", calculate="sum(items, amount * qty)"),
            field("big", "boolean", calculate="total > 100000"),
        )
    )
    r = forms.validate(
        form, {"items": [{"amount": "12.50", "qty": "4"}, {"amount": "¥1,000", "qty": "1"}]}
    )
    assert r.ok and r.values["total"] == 105000 and r.values["big"] is True
    assert r.values["items"][0]["amount"] == 1250


def test_calculated_values_ignore_what_was_typed() -> None:
    form = forms.load_form_dict(
        definition(field("a"), field("b"), field("sum", calculate="a + b", readonly=True))
    )
    assert forms.validate(form, {"a": "2", "b": "3", "sum": "999"}).values["sum"] == 5


def test_relevance_cascades_and_clears() -> None:
    form = forms.load_form_dict(
        definition(
            field("has", "boolean"),
            field("n", relevant="has", required=True),
            field("detail", "text", relevant="n > 2", required=True),
        )
    )
    r = forms.validate(form, {"has": "否", "n": "5", "detail": ""})
    assert r.ok and r.hidden == {"n", "detail"} and "detail" not in r.values
    r = forms.validate(form, {"has": "是", "n": "5"})
    assert [(e.field, e.code) for e in r.errors] == [("detail", "required")]
    r = forms.validate(form, {"has": "是", "n": "1", "detail": "x"})
    assert r.ok and "detail" not in r.values


def test_constraint_with_own_code_and_warning_severity() -> None:
    raw = definition(
        field(
            "n",
            constraint=[
                {"expr": "n >= 0", "code": "t.negative", "message": label("neg")},
                {
                    "expr": "n < 100",
                    "code": "t.large",
                    "message": label("big"),
                    "severity": "warning",
                },
            ],
        )
    )
    form = forms.load_form_dict(raw)
    r = forms.validate(form, {"n": "-1"})
    assert [e.code for e in r.errors] == ["t.negative"] and not r.warnings
    r = forms.validate(form, {"n": "150"})
    assert r.ok and [w.code for w in r.warnings] == ["t.large"]
    assert forms.message("t.large", "en") == "big"


def test_expressions_see_only_the_record() -> None:
    """Names resolve only to fields; everything else is unknown at load."""
    for name in ("forms", "os", "self", "globals", "data", "print"):
        with pytest.raises(forms.DefinitionError, match="unknown"):
            forms.load_form_dict(definition(field("a", relevant=f"{name} == 1")))


def test_row_calculations_and_relevance_can_read_the_record() -> None:
    form = forms.load_form_dict(
        definition(
            field("rate"),
            field(
                "items",
                "repeat",
                fields=[
                    field("qty"),
                    field("cost", "money", calculate="qty * rate"),
                    field("note", "text", relevant="qty > 10", required=True),
                ],
            ),
            field("total", "money", calculate="sum(items.cost)"),
        )
    )
    r = forms.validate(form, {"rate": "3", "items": [{"qty": "2"}, {"qty": "20", "note": "bulk"}]})
    assert r.ok, r.errors
    assert r.values["items"] == [{"qty": 2, "cost": 6}, {"qty": 20, "cost": 60, "note": "bulk"}]
    assert r.values["total"] == 66
    r = forms.validate(form, {"rate": "3", "items": [{"qty": "20"}]})
    assert [(e.field, e.code) for e in r.errors] == [("items[0].note", "required")]
