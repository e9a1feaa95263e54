"""forms.validate gives what integ's validator gave (before the plan rewrite) for thousands of
generated records of the member, union, assessment and audit checklist forms: the same values
(types and key order), errors and warnings (codes, fields, params, order) and hidden fields.

The expected results were captured from the old code into ``validate_expected.json`` (see
tests/forms/validate_cases.py); the records are generated again here from the same seed."""

from __future__ import annotations

import json
from typing import Any

import pytest

import forms
from tests.forms import validate_cases as vc

EXPECTED: dict[str, Any] = json.loads(vc.EXPECTED.read_text())


@pytest.mark.parametrize("form_id", list(vc.SIZES))
def test_results_equal_the_old_validators(form_id: str) -> None:
    form = forms.load_form(form_id)
    items = vc.cases(form_id)
    expected = EXPECTED[form_id]
    assert vc.inputs_digest(items) == expected["inputs"], "the generator changed: recapture"
    wrong = []
    for twice in range(2):  # the second pass answers from the parsers' memo
        for i, ((data, today, final), (want, codes)) in enumerate(
            zip(items, expected["results"], strict=True)
        ):
            result = forms.validate(form, data, today=today, final=final)
            if vc.digest(vc.shape(result)) != want:
                wrong.append((twice, i, codes, vc.summary(result), vc.shape(result)[:400]))
    assert not wrong, wrong[:5]


def test_the_cases_fail_in_every_way() -> None:
    """The generated records do reach the failures they are meant to cover."""
    codes = {
        code
        for entry in EXPECTED.values()
        for _, summary in entry["results"]
        for code in summary.replace("|", " ").split()
    }
    for code in (
        "required",
        "record.format",
        "choice.unknown",
        "date.format",
        "date.invalid",
        "date.future",
        "date.day_required",
        "date.too_early",
        "id_number.checksum",
        "id_number.length",
        "id_number.region",
        "id_number.birth_date",
        "id_number.birth_date_future",
        "id_number.gender_mismatch",
        "id_number.birth_date_mismatch",
        "member.join_before_birth",
        "member.join_under_16",
        "mobile.format",
        "reference.format",
        "repeat.format",
        "repeat.row_format",
        "repeat.too_many",
        "integer.format",
        "number.too_small",
        "derived.result_missing",
        "audit.result_required",
        "field.unknown",
    ):
        assert code in codes, code
    ok = sum(s.split("|")[0].strip() == "" for e in EXPECTED.values() for _, s in e["results"])
    assert ok > 1000  # valid records too
