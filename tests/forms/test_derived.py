"""Derived results are recomputed from the record's own inputs (forms/derived.py via
forms.validate): one test per kind of disagreement, and records the desktop really makes pass."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

import forms
from forms import assessment as rules
from forms.derived import MESSAGES
from forms.messages import LANGUAGES
from tests.forms.conftest import TODAY, UNION_UUID

TURNOUT = {"eligible": 10, "attendees": 8, "issued": 6, "returned": 6, "invalid": 1}


@pytest.fixture(scope="module")
def form() -> forms.Form:
    return forms.load_form("assessment", 1)


def _session(form: forms.Form, tally: dict[str, dict[str, int]], **over: Any) -> dict[str, Any]:
    """A session as desktop/assessments.py stores it (typed totals), its result computed."""
    variant = over.pop("template_variant", "standard")
    template = rules.template_from_form(form.raw, variant)
    data: dict[str, Any] = {
        "union": UNION_UUID,
        "year": 2026,
        "template_version": form.version,
        "template_variant": variant,
        **TURNOUT,
        "entry_mode": "totals",
        "counts": [
            {"item": i, "grade": g, "count": n} for i, r in tally.items() for g, n in r.items()
        ],
        **over,
    }
    turnout = rules.Turnout(*(data[k] for k in TURNOUT))
    result = rules.compute_result(template, turnout, tally)
    assert result.ok, result.errors
    data["result"] = json.dumps(result.as_dict(), ensure_ascii=False, sort_keys=True)
    return data


def _tally(form: forms.Form, sat: int = 3, basic: int = 1, unsat: int = 1) -> dict[str, Any]:
    template = rules.template_from_form(form.raw)
    return {i.id: {"satisfied": sat, "basic": basic, "unsatisfied": unsat} for i in template.items}


def _tampered(data: dict[str, Any], change: Any) -> dict[str, Any]:
    result = json.loads(data["result"])
    change(result)
    return {**data, "result": json.dumps(result, ensure_ascii=False)}


def _errors(form: forms.Form, data: dict[str, Any], final: bool = True) -> list[Any]:
    return forms.validate(form, data, today=TODAY, final=final).errors


def test_a_computed_result_passes_final_or_draft(form: forms.Form) -> None:
    data = _session(form, _tally(form))
    assert _errors(form, data) == []
    assert _errors(form, data, final=False) == []


def test_overall_satisfaction_tampered_names_both_rates(form: forms.Form) -> None:
    # 3 + 1 of 5 valid ballots satisfied on every item: 80.0 %
    data = _tampered(
        _session(form, _tally(form)),
        lambda r: r.update(overall_rate={"fraction": "19/20", "percent": "95.0%"}),
    )
    [err] = _errors(form, data)
    assert (err.code, err.field) == ("derived.satisfaction_mismatch", "result")
    assert err.params == {"stored": "95.0%", "computed": "80.0%"}
    assert forms.message(err.code, "en", **err.params) == (
        "The stored overall satisfaction is 95.0%, but the counts give 80.0%"
    )
    assert "95.0%" in forms.message(err.code, **err.params)
    # a draft may lack a result, but one it stores must agree too
    assert [e.code for e in _errors(form, data, final=False)] == ["derived.satisfaction_mismatch"]


def test_only_the_fraction_changed_shows_the_fractions(form: forms.Form) -> None:
    data = _tampered(
        _session(form, _tally(form)),
        lambda r: r["overall_rate"].update(fraction="801/1000"),
    )
    [err] = _errors(form, data)
    assert err.params == {"stored": "801/1000", "computed": "4/5"}


def test_item_satisfaction_tampered(form: forms.Form) -> None:
    def change(r: dict[str, Any]) -> None:
        r["items"][2]["rate"] = {"fraction": "1/1", "percent": "100.0%"}

    [err] = _errors(form, _tampered(_session(form, _tally(form)), change))
    assert err.code == "derived.item_satisfaction_mismatch"
    assert err.params == {"item": "rights", "stored": "100.0%", "computed": "80.0%"}


def test_counts_changed_after_the_result_was_computed(form: forms.Form) -> None:
    """The inputs were edited (more satisfied, fewer unsatisfied) and the old result kept."""
    data = _session(form, _tally(form, sat=1, basic=1, unsat=3))  # 40.0 %
    fresh = _session(form, _tally(form))
    data["counts"] = fresh["counts"]  # now 80.0 %, result still says 40.0 %
    codes = [
        (e.code, e.params.get("stored"), e.params.get("computed")) for e in _errors(form, data)
    ]
    assert codes[0] == ("derived.satisfaction_mismatch", "40.0%", "80.0%")


def test_valid_ballots_tampered(form: forms.Form) -> None:
    [err] = _errors(form, _tampered(_session(form, _tally(form)), lambda r: r.update(valid=6)))
    assert err.code == "derived.valid_mismatch"
    assert err.params == {"stored": "6", "computed": 5, "returned": 6, "invalid": 1}


@pytest.mark.parametrize(
    ("figure", "stored", "computed"),
    [
        ("quorum_met", False, "true"),
        ("rectification_required", True, "false"),
        ("model_home_eligible", True, "false"),
    ],
)
def test_a_flag_tampered(form: forms.Form, figure: str, stored: bool, computed: str) -> None:
    data = _tampered(_session(form, _tally(form)), lambda r: r.update({figure: stored}))
    [err] = _errors(form, data)
    assert err.code == "derived.result_mismatch"
    assert err.params == {"figure": figure, "stored": json.dumps(stored), "computed": computed}


def test_thresholds_that_are_not_the_form_versions(form: forms.Form) -> None:
    def change(r: dict[str, Any]) -> None:
        r["rule"]["model_home_at_least"] = "3/4"

    [err] = _errors(form, _tampered(_session(form, _tally(form)), change))
    assert err.code == "derived.rule_mismatch"
    assert err.params == {"rule": "model_home_at_least", "stored": "3/4", "computed": "9/10"}
    assert "9/10" in forms.message(err.code, **err.params)


def test_a_result_computed_with_another_versions_template(form: forms.Form) -> None:
    """A province's version 2 with other thresholds: its own records pass; the same result
    presented as version 1 is refused with the rule it used."""
    raw = copy.deepcopy(form.raw)
    raw["version"] = 2
    for body in raw["meta"]["assessment_templates"]:
        body["rules"]["rectification_above"] = "1/5"
    v2 = forms.load_form_dict(raw, source="province v2")
    tally = _tally(v2)  # 1 of 5 unsatisfied = 20 %: not above 1/5
    data = _session(v2, tally)
    assert _errors(v2, data) == []
    as_v1 = {**data, "template_version": 1}
    codes = {(e.code, e.params.get("rule")) for e in _errors(form, as_v1)}
    assert ("derived.rule_mismatch", "rectification_above") in codes
    [err] = _errors(v2, as_v1)
    assert err.code == "derived.template_version"
    assert err.params == {"stored": 1, "form": 2}


def test_a_result_stored_for_numbers_that_give_none(form: forms.Form) -> None:
    data = _session(form, _tally(form))
    data["returned"] = 7  # the grades add up to 5, but 7 - 1 = 6 valid ballots
    data["issued"] = 7
    errs = _errors(form, data)
    assert errs[0].code == "assessment.item_sum_mismatch"
    assert errs[0].params == {"item": "organisation", "sum": 5, "valid": 6}


def test_keyed_ballots_are_the_input(form: forms.Form) -> None:
    template = rules.template_from_form(form.raw)
    ballots = ["111111", "121212", "333333", "X", "112233", "111113"]
    result = rules.compute_from_ballots(
        template, eligible=10, attendees=8, issued=6, ballots=ballots
    )
    counted = rules.tally_ballots(template, ballots)
    data = {
        "union": UNION_UUID,
        "year": 2026,
        "template_version": 1,
        "template_variant": "standard",
        **TURNOUT,
        "entry_mode": "ballots",
        "ballots": rules.join_ballots(ballots),
        "counts": [
            {"item": i, "grade": g, "count": n}
            for i, r in counted.tally.items()
            for g, n in r.items()
        ],
        "result": json.dumps(result.as_dict(), sort_keys=True),
    }
    assert _errors(form, data) == []
    # the typed totals were changed to match a better result: the ballots say otherwise
    rows = [dict(r) for r in data["counts"]]
    for row in rows:
        if row["item"] == "care":
            row["count"] = {"satisfied": 3, "basic": 2, "unsatisfied": 0}[row["grade"]]
    errs = _errors(form, {**data, "counts": rows})
    assert [(e.code, e.params["figure"]) for e in errs] == [
        ("derived.ballots_mismatch", "care/satisfied"),
        ("derived.ballots_mismatch", "care/unsatisfied"),
    ]
    assert (errs[0].params["stored"], errs[0].params["computed"]) == (3, 2)
    # a ballot changed after the result was computed: the result disagrees with the ballots
    changed = {**data, "ballots": rules.join_ballots([*ballots[:-1], "111111"])}
    codes = [e.code for e in _errors(form, changed)]
    assert "derived.ballots_mismatch" in codes and "derived.satisfaction_mismatch" in codes


def test_the_overall_question_variant(form: forms.Form) -> None:
    tally = {"overall": {"satisfied": 2, "basic": 1, "unsatisfied": 2}}
    data = _session(form, tally, template_variant="overall")
    assert _errors(form, data) == []
    # presented as the six-item template, the result does not fit
    assert _errors(form, {**data, "template_variant": "standard"})
    unknown = _errors(form, {**data, "template_variant": "nonesuch"})
    assert [(e.code, e.params) for e in unknown] == [
        ("derived.template_unknown", {"variant": "nonesuch"})
    ]


def test_missing_or_unreadable_result(form: forms.Form) -> None:
    data = _session(form, _tally(form))
    del data["result"]
    assert [e.code for e in _errors(form, data)] == ["derived.result_missing"]
    assert _errors(form, data, final=False) == []  # a draft may lack its result
    for junk in ("{not json", "[1, 2]", '"text"'):
        errs = _errors(form, {**data, "result": junk}, final=False)
        assert [(e.code, e.field) for e in errs] == [("derived.result_unreadable", "result")]


def test_a_gutted_result_is_refused_not_crashed(form: forms.Form) -> None:
    data = _session(form, _tally(form))
    for body in ({}, {"items": "x", "rule": 3}, {"items": [None] * 9}):
        errs = _errors(form, {**data, "result": json.dumps(body)})
        assert errs and all(e.code.startswith("derived.") for e in errs)
        assert len(errs) <= 5


@pytest.fixture(scope="module")
def checklist_form() -> forms.Form:
    return forms.load_form("audit_checklist")


def _checklist(form: forms.Form) -> dict[str, Any]:
    from forms.checklist import blank_rows, template_from_raw

    rows = [{**r, "result": "compliant"} for r in blank_rows(template_from_raw(form.raw))]
    return {
        "union_name": "测试工会",
        "period_start": "2025-01-01",
        "period_end": "2025-12-31",
        "auditors": "张三",
        "audit_date": "2026-02-01",
        "items": rows,
    }


def test_a_signed_off_checklist_must_be_answered_in_full(checklist_form: forms.Form) -> None:
    data = _checklist(checklist_form)
    assert _errors(checklist_form, data) == []
    data["items"][3] = {"item_id": data["items"][3]["item_id"]}  # no result
    assert _errors(checklist_form, data, final=False) == []  # a draft may be unanswered
    [err] = _errors(checklist_form, data)
    assert (err.code, err.field) == ("audit.result_required", "items[3].result")
    gone = data["items"].pop(0)["item_id"]
    codes = [(e.code, e.params) for e in _errors(checklist_form, data)]
    assert ("audit.item_missing", {"item": gone}) in codes


def test_every_derived_code_has_both_languages_and_the_same_slots() -> None:
    import re

    for code, entry in MESSAGES.items():
        assert forms.CATALOGUE[code] is entry
        assert set(entry) == set(LANGUAGES), code
        assert set(re.findall(r"\{(\w+)\}", entry["zh_CN"])) == set(
            re.findall(r"\{(\w+)\}", entry["en"])
        ), code


def test_forms_without_derived_results_are_unaffected(member_form: forms.Form) -> None:
    from forms.derived import checks_for

    assert checks_for(member_form) == ()
