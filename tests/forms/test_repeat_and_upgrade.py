"""Repeat groups (membership changes) with row-indexed error paths, and upgrading a record from
one form version to the next with what could not be carried over reported."""

from __future__ import annotations

import copy
from typing import Any

import pytest

import forms
from tests.forms.conftest import TODAY
from tests.forms.helpers import label


def test_row_errors_carry_the_row_index(member_form, member_data) -> None:
    member_data["changes"] = [
        {"kind": "入会", "date": "1975-03-01"},
        {"kind": "转出", "date": "1980/13/01", "to_union": "乙工会"},
        {"kind": "火星", "date": "1981-01-01"},
        {"kind": "转入", "date": "1982-01-01", "from_union": "乙工会", "to_union": "ignored"},
    ]
    r = forms.validate(member_form, member_data, today=TODAY)
    assert [(e.field, e.code) for e in r.errors] == [
        ("changes[1].date", "date.invalid"),
        ("changes[2].kind", "choice.unknown"),
    ]
    rows = r.values["changes"]
    assert rows[3] == {
        "kind": "transfer_in",
        "date": "1982-01-01",
        "reason": None,
        "from_union": "乙工会",
    }  # to_union hidden for a transfer in


def test_bad_row_shapes_are_errors_not_crashes(member_form, member_data) -> None:
    member_data["changes"] = ["not a row", {"kind": "退会", "date": "2000-01-01"}]
    r = forms.validate(member_form, member_data, today=TODAY)
    assert [(e.field, e.code) for e in r.errors] == [("changes[0]", "repeat.row_format")]
    member_data["changes"] = "入会 1975"
    r = forms.validate(member_form, member_data, today=TODAY)
    assert [(e.field, e.code) for e in r.errors] == [("changes", "repeat.format")]
    member_data["changes"] = [{"kind": "退会", "date": "2000-01-01"}] * 201
    r = forms.validate(member_form, member_data, today=TODAY)
    assert [(e.field, e.code) for e in r.errors] == [("changes", "repeat.too_many")]


def test_no_changes_is_fine(member_form, member_data) -> None:
    del member_data["changes"]
    r = forms.validate(member_form, member_data, today=TODAY)
    assert r.ok and r.values["changes"] is None


def member_v2(v1: forms.Form) -> dict[str, Any]:
    """Version 2: card_number renamed, skill_level dropped on purpose, model_worker gone,
    education values regrouped, changes.reason renamed to changes.note."""
    raw = copy.deepcopy(v1.raw)
    raw["version"] = 2
    sections = raw["sections"]
    for s in sections:
        s["fields"] = [f for f in s["fields"] if f["id"] not in ("skill_level", "model_worker")]
        for f in s["fields"]:
            if f["id"] == "card_number":
                f["id"] = "member_card_no"
            if f["id"] == "changes":
                for rf in f["fields"]:
                    if rf["id"] == "reason":
                        rf["id"] = "note"
    raw["choice_lists"]["education"] = [
        {"value": "basic", "label": label("基础教育")},
        {"value": "higher", "label": label("高等教育")},
    ]
    raw["upgrade"] = {
        "from_version": 1,
        "rename": {"card_number": "member_card_no", "changes.reason": "changes.note"},
        "drop": ["skill_level"],
        "values": {
            "education": {"junior_college": "higher", "bachelor": "higher", "junior_high": "basic"}
        },
    }
    return raw


@pytest.fixture
def stored_v1(member_form, member_data) -> dict[str, Any]:
    member_data.update(card_number="HZ001", skill_level="技师", model_worker="全国劳模")
    r = forms.validate(member_form, member_data, today=TODAY)
    assert r.ok, r.errors
    return r.values


def test_a_v1_record_still_validates_against_v1(member_form, stored_v1) -> None:
    v2 = forms.load_form_dict(member_v2(member_form), source="member_v2")
    assert forms.validate(member_form, stored_v1, today=TODAY).ok
    assert not forms.validate(v2, stored_v1, today=TODAY).ok  # old education value
    assert forms.load_form("member", version=1).hash == member_form.hash


def test_upgrade_with_the_declared_mapping(member_form, stored_v1) -> None:
    v2 = forms.load_form_dict(member_v2(member_form), source="member_v2")
    up = forms.upgrade(stored_v1, member_form, v2, today=TODAY)
    assert up.result.ok, up.result.errors
    assert up.data["member_card_no"] == "HZ001" and up.data["education"] == "higher"
    assert up.data["changes"][0]["note"] == "新入职" and "reason" not in up.data["changes"][0]
    assert up.dropped == ["skill_level"]
    assert [(u.field, u.code) for u in up.unmapped] == [("model_worker", "upgrade.unmapped_field")]
    assert not up.ok  # something could not be carried over: a person must look
    assert forms.message("upgrade.unmapped_field", "en", field="model_worker").startswith(
        "“model_worker”"
    )


def test_upgrade_reports_values_without_a_place(member_form, stored_v1) -> None:
    v2 = forms.load_form_dict(member_v2(member_form), source="member_v2")
    stored_v1["education"] = "postgraduate"  # no value in v2's regrouped list maps it
    up = forms.upgrade(stored_v1, member_form, v2, today=TODAY)
    assert ("education", "upgrade.unmapped_value") in [(u.field, u.code) for u in up.unmapped]
    assert up.data["education"] is None and not up.ok


def test_upgrade_with_an_explicit_mapping(member_form, stored_v1) -> None:
    v2 = forms.load_form_dict(member_v2(member_form), source="member_v2")
    mapping = {
        "card_number": "member_card_no",
        "skill_level": None,
        "model_worker": None,
        "changes.reason": "changes.note",
    }
    up = forms.upgrade(
        stored_v1,
        member_form,
        v2,
        mapping,
        value_map={"education": {"junior_college": "higher"}},
        today=TODAY,
    )
    assert up.ok, (up.unmapped, up.result.errors)
    assert set(up.dropped) == {"skill_level", "model_worker"}


def test_a_mismatched_declared_upgrade_is_refused(member_form) -> None:
    raw = member_v2(member_form)
    raw["upgrade"]["from_version"] = 7
    v2 = forms.load_form_dict(raw, source="member_v2")
    with pytest.raises(ValueError, match="from v7"):
        forms.upgrade({}, member_form, v2)


def test_a_rule_on_the_whole_group_is_reported_once_on_the_group() -> None:
    raw = {
        "id": "g",
        "version": 1,
        "title": label("g"),
        "sections": [
            {
                "id": "s",
                "title": label("s"),
                "fields": [
                    {
                        "id": "changes",
                        "type": "repeat",
                        "label": label("changes"),
                        "required": True,
                        "fields": [{"id": "kind", "type": "text", "label": label("kind")}],
                        "constraint": {
                            "expr": "count(changes, kind == 'join') <= 1",
                            "code": "g.joined_twice",
                            "message": label("joined twice"),
                        },
                    }
                ],
            }
        ],
    }
    form = forms.load_form_dict(raw)
    r = forms.validate(form, {"changes": [{"kind": "join"}, {"kind": "join"}]})
    assert [(e.field, e.code) for e in r.errors] == [("changes", "g.joined_twice")]
    r = forms.validate(form, {"changes": []})
    assert [(e.field, e.code) for e in r.errors] == [("changes", "required")]
    assert forms.validate(form, {"changes": [{"kind": "join"}]}).ok
