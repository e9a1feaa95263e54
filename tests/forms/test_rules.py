"""Every cross-field rule of DOMAIN.md (and the other constraints of the shipped union and member
forms) broken on purpose: the clerk sees that rule's own code on the right field."""

from __future__ import annotations

from typing import Any

import pytest

import forms
from tests.forms.conftest import TODAY, valid_uscc

UNION_CASES: list[tuple[dict[str, Any], str, str]] = [
    ({"female_employees": "121"}, "female_employees", "union.female_employees_exceed_employees"),
    ({"members": "121"}, "members", "union.members_exceed_employees"),
    ({"female_members": "111"}, "female_members", "union.female_members_exceed_members"),
    ({"migrant_members": "111"}, "migrant_members", "union.migrant_members_exceed_members"),
    ({"new_form_members": "111"}, "new_form_members", "union.new_form_members_exceed_members"),
    ({"fulltime_cadres": "111"}, "fulltime_cadres", "union.cadres_exceed_members"),
    ({"chair_term_end": "2020-12-31"}, "chair_term_end", "union.term_end_before_start"),
    ({"chair_term_end": "2021-01-01"}, "chair_term_end", "union.term_end_before_start"),
    (
        {"contract_expiry_date": "2023-01-05"},
        "contract_expiry_date",
        "union.contract_expiry_before_signing",
    ),
    (
        {
            "is_legal_person": "是",
            "legal_cert_valid_from": "2024-01-01",
            "legal_cert_valid_until": "2023-12-31",
        },
        "legal_cert_valid_until",
        "union.cert_validity_order",
    ),
    (
        {"is_legal_person": "是", "union_uscc": valid_uscc("91330106MA2AXXXX0")},
        "union_uscc",
        "union.union_uscc_not_union",
    ),
]

MEMBER_CASES: list[tuple[dict[str, Any], str, str]] = [
    ({"join_date": "1949-12-30"}, "join_date", "member.join_before_birth"),
    ({"join_date": "1960-01-01"}, "join_date", "member.join_under_16"),
    (
        {"changes": [{"kind": "转出", "date": "1970-01-01", "to_union": "某工会"}]},
        "changes[0].date",
        "member.change_before_join",
    ),
    ({"employment_form": "新就业形态"}, "new_form_kind", "required"),
    ({"changes": [{"kind": "转入", "date": "1980-01-01"}]}, "changes[0].from_union", "required"),
    ({"changes": [{"kind": "转出", "date": "1980-01-01"}]}, "changes[0].to_union", "required"),
    ({"changes": [{"kind": "退会"}]}, "changes[0].date", "required"),
    ({"changes": [{"date": "1980-01-01"}]}, "changes[0].kind", "required"),
]


@pytest.fixture
def good_union(union_data: dict[str, Any]) -> dict[str, Any]:
    union_data["employer_uscc"] = valid_uscc("91330106MA2AXXXX0")
    return union_data


def test_the_baselines_are_valid(union_form, member_form, good_union, member_data) -> None:
    assert forms.validate(union_form, good_union, today=TODAY).ok
    assert forms.validate(member_form, member_data, today=TODAY).ok


@pytest.mark.parametrize(("update", "field", "code"), UNION_CASES)
def test_union_rule_broken(union_form, good_union, update, field, code) -> None:
    good_union.update(update)
    r = forms.validate(union_form, good_union, today=TODAY)
    assert [(e.field, e.code) for e in r.errors] == [(field, code)]
    for lang in ("zh_CN", "en"):
        assert forms.message(code, lang) != code


@pytest.mark.parametrize(("update", "field", "code"), MEMBER_CASES)
def test_member_rule_broken(member_form, member_data, update, field, code) -> None:
    member_data.update(update)
    r = forms.validate(member_form, member_data, today=TODAY)
    assert [(e.field, e.code) for e in r.errors] == [(field, code)]


def test_a_joint_union_counts_the_covered_employers(union_form, good_union) -> None:
    good_union.update(members="150", female_members="45")
    r = forms.validate(union_form, good_union, today=TODAY)
    assert [e.code for e in r.errors] == ["union.members_exceed_employees"]
    good_union.update(union_type="联合基层工会", covered_employees="40")
    r = forms.validate(union_form, good_union, today=TODAY)
    assert r.ok, r.errors
    good_union["covered_employees"] = "20"
    assert [e.code for e in forms.validate(union_form, good_union, today=TODAY).errors] == [
        "union.members_exceed_employees"
    ]


def test_a_union_legal_person_code_starting_81_is_fine(union_form, good_union) -> None:
    good_union.update(is_legal_person="是", union_uscc=valid_uscc("81330106MC0000001"))
    r = forms.validate(union_form, good_union, today=TODAY)
    assert r.ok, r.errors
    assert r.values["union_uscc"].startswith("81")


def test_rules_with_an_empty_side_do_not_fire(union_form, good_union) -> None:
    for key in ("chair_term_start", "female_employees", "contract_expiry_date"):
        good_union.pop(key)
    assert forms.validate(union_form, good_union, today=TODAY).ok


def test_every_shipped_rule_code_is_exercised(union_form, member_form) -> None:
    tested = {c for _, _, c in UNION_CASES + MEMBER_CASES}
    shipped = {
        c.code
        for form in (union_form, member_form)
        for f in form.fields
        for g in (f, *f.fields)
        for c in g.constraint
        if c.severity == "error"
    }
    assert shipped <= tested, shipped - tested
