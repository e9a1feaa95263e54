"""The core contract of docs/INTERFACES.md: loading, hashing, string input for every type,
normalised values, hidden fields and the message catalogue."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

import forms
from tests.forms.conftest import TODAY, valid_uscc

UNION_IDS = [
    "full_name",
    "short_name",
    "employer_name",
    "employer_uscc",
    "union_uscc",
    "union_type",
    "employer_nature",
    "industry",
    "address",
    "division_code",
    "founded_date",
    "chair_name",
    "chair_mobile",
    "employees",
    "female_employees",
    "members",
    "female_members",
    "migrant_members",
    "new_form_members",
    "has_funds_committee",
    "has_women_committee",
    "has_workers_congress",
    "has_collective_contract",
    "status",
]
MEMBER_IDS = [
    "union",
    "name",
    "gender",
    "ethnicity",
    "id_type",
    "id_number",
    "birth_date",
    "mobile",
    "education",
    "political_status",
    "household_type",
    "employer",
    "employment_status",
    "employment_form",
    "new_form_kind",
    "migrant_worker",
    "hardship",
    "join_date",
    "card_number",
    "member_type",
    "changes",
]


def codes(result: Any) -> set[tuple[str, str]]:
    return {(e.field, e.code) for e in result.errors}


def test_shipped_forms_have_the_promised_fields(member_form, union_form) -> None:
    assert ("member", 1) in forms.available_forms() and ("union", 1) in forms.available_forms()
    assert [f.id for f in union_form.fields if f.id in UNION_IDS] == [
        f for f in [f.id for f in union_form.fields] if f in UNION_IDS
    ]
    assert set(UNION_IDS) <= {f.id for f in union_form.fields}
    assert set(MEMBER_IDS) <= {f.id for f in member_form.fields}
    assert {f.id for f in member_form.field("changes").fields} == {
        "kind",
        "date",
        "reason",
        "from_union",
        "to_union",
    }
    assert union_form.field("status").choices[0].value == "active"
    assert {c.value for c in union_form.field("status").choices} == {
        "active",
        "preparing",
        "deregistered",
    }
    assert member_form.field("id_type").default == "resident_id"
    assert member_form.field("changes.kind").type == "choice"
    assert member_form.title["zh_CN"] == "会员信息" and member_form.title["en"]


def test_searchable_and_sensitive_marks(member_form, union_form) -> None:
    assert member_form.field("name").searchable
    idn, mob = member_form.field("id_number"), member_form.field("mobile")
    assert idn.sensitive and idn.searchable and idn.search_mode == "prefix"
    assert mob.sensitive and mob.search_mode == "prefix"
    assert union_form.field("chair_mobile").sensitive
    assert not member_form.field("name").sensitive


def test_every_label_and_choice_is_bilingual(member_form, union_form) -> None:
    for form in (member_form, union_form):
        for f in [*form.fields, *[r for g in form.fields for r in g.fields]]:
            assert f.label["zh_CN"] and f.label["en"], f.id
            for c in f.choices:
                assert c.label["zh_CN"] and c.label["en"], (f.id, c.value)
    assert len(member_form.field("ethnicity").choices) == 58  # 56 + other + naturalised


def test_hash_is_sha256_of_canonical_json(member_form) -> None:
    raw = json.loads((forms.registry.DEFINITIONS_DIR / "member.json").read_bytes())
    canon = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert member_form.hash == hashlib.sha256(canon.encode()).hexdigest()
    assert forms.canonical_json({"b": 1, "a": "工"}) == '{"a":"工","b":1}'.encode()
    again = forms.load_form_dict(json.loads(json.dumps(raw, indent=4)), source="sync")
    assert again.hash == member_form.hash
    raw["title"]["en"] = "Member (changed)"
    assert forms.load_form_dict(raw).hash != member_form.hash


def test_a_typed_member_normalises(member_form, member_data) -> None:
    r = forms.validate(member_form, member_data, today=TODAY)
    assert r.ok, r.errors
    v = r.values
    assert v["id_number"] == "11010519491231002X"
    assert v["id_type"] == "resident_id" and v["gender"] == "female"
    assert v["birth_date"] == "1949-12-31" and v["ethnicity"] == "01"
    assert v["mobile"] == "13800138000" and v["education"] == "junior_college"
    assert v["migrant_worker"] is False and v["hardship"] is True
    assert v["changes"] == [{"kind": "join", "date": "1975-03-01", "reason": "新入职"}]
    assert "new_form_kind" not in v  # hidden: standard employment


def test_stored_values_validate_to_themselves(member_form, union_form, member_data, union_data):
    union_data["employer_uscc"] = valid_uscc("91330106MA2AXXXX0")
    for form, data in ((member_form, member_data), (union_form, union_data)):
        first = forms.validate(form, data, today=TODAY)
        assert first.ok, first.errors
        second = forms.validate(form, first.values, today=TODAY)
        assert second.ok and second.values == first.values
        assert json.loads(json.dumps(first.values)) == first.values  # plain JSON


def test_birth_date_and_gender_are_filled_from_the_id(member_form, member_data) -> None:
    del member_data["gender"], member_data["birth_date"]
    member_data["id_number"] = "110105490101001"  # 15-digit legacy, odd sequence = male
    r = forms.validate(member_form, member_data, today=TODAY)
    assert r.ok, r.errors
    assert r.values["id_number"] == forms.upgrade_resident_id("110105490101001")
    assert r.values["birth_date"] == "1949-01-01" and r.values["gender"] == "male"


def test_disagreeing_birth_date_and_gender_are_warnings(member_form, member_data) -> None:
    member_data.update(gender="男", birth_date="1950-01-01")
    r = forms.validate(member_form, member_data, today=TODAY)
    assert r.ok
    assert {(w.field, w.code) for w in r.warnings} == {
        ("gender", "id_number.gender_mismatch"),
        ("birth_date", "id_number.birth_date_mismatch"),
    }


def test_a_passport_is_not_checked_as_resident_id(member_form, member_data) -> None:
    member_data.update(id_type="护照", id_number="e1234 5678", gender="男", birth_date="1950-2-3")
    r = forms.validate(member_form, member_data, today=TODAY)
    assert r.ok, r.errors
    assert r.values["id_number"] == "E12345678" and not r.warnings
    member_data["id_number"] = "护照号"
    r = forms.validate(member_form, member_data, today=TODAY)
    assert codes(r) == {("id_number", "id_number.document_format")}


@pytest.mark.parametrize(
    ("field", "raw", "code"),
    [
        ("id_number", "11010519491231002", "id_number.length"),
        ("id_number", "110105194912310021", "id_number.checksum"),
        ("mobile", "12800138000", "mobile.format"),
        ("join_date", "2024-02-30", "date.invalid"),
        ("join_date", "next tuesday", "date.format"),
        ("join_date", "2030-01-01", "date.future"),
        ("ethnicity", "火星族", "choice.unknown"),
        ("hardship", "maybe", "boolean.format"),
        ("union", "not-a-uuid", "reference.format"),
        ("name", "", "required"),
        ("name", "长" * 51, "text.too_long"),
    ],
)
def test_bad_values_give_their_code(member_form, member_data, field, raw, code) -> None:
    member_data[field] = raw
    r = forms.validate(member_form, member_data, today=TODAY)
    assert (field, code) in codes(r)
    assert forms.message(code, "zh_CN") != code and forms.message(code, "en") != code


def test_union_counts_and_dates_from_strings(union_form, union_data) -> None:
    union_data.update(
        employees="1,200", members="１１００", employer_uscc=valid_uscc("91330106MA2AXXXX0")
    )
    r = forms.validate(union_form, union_data, today=TODAY)
    assert r.ok, r.errors
    assert r.values["employees"] == 1200 and r.values["members"] == 1100
    assert (
        r.values["union_type"] == "independent"
        and r.values["employer_nature"] == "enterprise_domestic"
    )
    assert r.values["contract_signed_date"] == "2024-01-05"
    assert "economic_type" in r.values and "covered_employees" not in r.values


def test_hidden_fields_are_cleared_not_validated(union_form, union_data) -> None:
    union_data.update(
        employer_uscc=valid_uscc("91330106MA2AXXXX0"),
        has_collective_contract="否",
        contract_signed_date="garbage",
        contract_expiry_date="2000-01-01",
    )
    r = forms.validate(union_form, union_data, today=TODAY)
    assert r.ok, r.errors
    assert "contract_signed_date" not in r.values and "contract_expiry_date" not in r.values
    assert "contract_signed_date" in r.hidden
    union_data["has_collective_contract"] = "是"
    r = forms.validate(union_form, union_data, today=TODAY)
    assert ("contract_signed_date", "date.format") in codes(r)


def test_unknown_keys_are_warned_about_and_dropped(member_form, member_data) -> None:
    member_data["shoe_size"] = "42"
    r = forms.validate(member_form, member_data, today=TODAY)
    assert r.ok and "shoe_size" not in r.values
    assert [(w.field, w.code) for w in r.warnings] == [("shoe_size", "field.unknown")]


def test_not_a_dict_is_an_error_not_a_crash(member_form) -> None:
    r = forms.validate(member_form, ["not", "a", "record"])  # type: ignore[arg-type]
    assert not r.ok and r.errors[0].code == "record.format"


def test_message_fills_params_and_speaks_both_languages() -> None:
    assert (
        forms.message("text.too_long", "en", max=50, length=51) == "At most 50 characters (now 51)"
    )
    assert "50" in forms.message("text.too_long", max=50, length=51)
    assert forms.message("required") == "必填项，不能为空"
    assert forms.message("no.such_code", "en") == "no.such_code"


def test_definition_messages_are_known_after_load(union_form) -> None:
    assert forms.message("union.female_members_exceed_members", "en").startswith("Female members")
    assert "女会员" in forms.message("union.female_members_exceed_members")


def test_field_types_table_covers_the_issue() -> None:
    wanted = {
        "text",
        "multiline",
        "integer",
        "decimal",
        "money",
        "date",
        "datetime",
        "year",
        "boolean",
        "choice",
        "multi_choice",
        "resident_id",
        "uscc",
        "mobile",
        "division_code",
        "reference",
        "repeat",
    }
    assert wanted <= set(forms.TYPES)
    assert all(t.widget and t.storage for t in forms.TYPES.values())
