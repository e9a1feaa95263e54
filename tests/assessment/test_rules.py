"""The assessment result computation (forms/assessment.py): property tests and boundaries."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forms import assessment as a

TEMPLATE = a.load_template()
N_ITEMS = len(TEMPLATE.items)
KEYS = [g.key for g in TEMPLATE.grades]


def ballots_strategy(min_size: int = 1) -> st.SearchStrategy[list[str]]:
    valid = st.lists(st.sampled_from(KEYS), min_size=N_ITEMS, max_size=N_ITEMS).map("".join)
    one = st.one_of(valid, valid, valid, st.just(a.INVALID_BALLOT))
    return st.lists(one, min_size=min_size, max_size=120)


def typed_totals(ballots: list[str]) -> tuple[a.Tally, int]:
    """What a clerk would type after counting the paper ballots by hand."""
    tally: a.Tally = {i.id: {g.id: 0 for g in TEMPLATE.grades} for i in TEMPLATE.items}
    invalid = 0
    for ballot in ballots:
        if ballot == a.INVALID_BALLOT:
            invalid += 1
            continue
        for item, key in zip(TEMPLATE.items, ballot, strict=True):
            grade = next(g for g in TEMPLATE.grades if g.key == key)
            tally[item.id][grade.id] += 1
    return tally, invalid


@settings(max_examples=300, deadline=None)
@given(ballots=ballots_strategy(), extra_eligible=st.integers(0, 60), spare=st.integers(0, 5))
def test_keyed_ballots_and_typed_totals_give_identical_results(
    ballots: list[str], extra_eligible: int, spare: int
) -> None:
    issued = len(ballots) + spare
    attendees = issued
    eligible = attendees + extra_eligible
    keyed = a.compute_from_ballots(
        TEMPLATE, eligible=eligible, attendees=attendees, issued=issued, ballots=ballots
    )
    tally, invalid = typed_totals(ballots)
    typed = a.compute_result(
        TEMPLATE, a.Turnout(eligible, attendees, issued, len(ballots), invalid), tally
    )
    assert keyed.as_dict() == typed.as_dict()
    if invalid < len(ballots):
        assert keyed.ok
        assert keyed.valid == len(ballots) - invalid
        # the satisfaction rate is exactly what the ballots say, item by item
        for n, item in enumerate(TEMPLATE.items):
            happy = sum(1 for b in ballots if b != a.INVALID_BALLOT and b[n] in "12")
            assert keyed.item(item.id).rate == Fraction(happy, keyed.valid)
    else:
        assert keyed.errors[0].code == "assessment.no_valid_ballots"


def one_item_template(**rules: str) -> a.Template:
    return a.template_from_dict(
        {
            "id": "t",
            "version": 1,
            "items": [{"id": "overall", "label": {"zh_CN": "总体评价"}}],
            "grades": [
                {"id": "s", "key": "1", "counts_as": "satisfied", "label": {"zh_CN": "满意"}},
                {"id": "b", "key": "2", "counts_as": "satisfied", "label": {"zh_CN": "基本满意"}},
                {"id": "u", "key": "3", "counts_as": "unsatisfied", "label": {"zh_CN": "不满意"}},
            ],
            "rules": {"overall": "item:overall", **rules},
        }
    )


def result(s: int, b: int, u: int, eligible: int | None = None, attendees: int | None = None):
    valid = s + b + u
    attendees = valid if attendees is None else attendees
    eligible = attendees if eligible is None else eligible
    return a.compute_result(
        one_item_template(),
        a.Turnout(eligible, attendees, attendees, valid, 0),
        {"overall": {"s": s, "b": b, "u": u}},
    )


@given(k=st.integers(1, 400))
def test_quorum_at_exactly_two_thirds_is_met_and_one_less_is_not(k: int) -> None:
    eligible = 3 * k
    at = result(2 * k, 0, 0, eligible=eligible, attendees=2 * k)
    assert at.quorum_met and at.minimum_attendees == 2 * k
    below = result(2 * k - 1, 0, 0, eligible=eligible, attendees=2 * k - 1)
    assert not below.quorum_met and not below.model_home_eligible


@given(k=st.integers(1, 300))
def test_unsatisfied_at_exactly_one_third_needs_no_rectification_one_more_does(k: int) -> None:
    at = result(2 * k, 0, k)
    assert at.item("overall").unsatisfied_share == Fraction(1, 3)
    assert not at.rectification_required and at.rectification_reasons == ()
    above = result(2 * k - 1, 0, k + 1)
    assert above.rectification_required
    reason = above.rectification_reasons[0]
    assert reason.code == "assessment.reason.item_unsatisfied"
    assert reason.params["unsatisfied"] == k + 1 and reason.params["valid"] == 3 * k


@given(k=st.integers(1, 200), split=st.integers(0, 9))
def test_satisfaction_at_exactly_ninety_percent_is_model_home_eligible(k: int, split: int) -> None:
    # 9k satisfied (split between 满意 and 基本满意), k unsatisfied: exactly 90 %
    s = 9 * k * split // 9
    at = result(s, 9 * k - s, k)
    assert at.overall_rate == Fraction(9, 10)
    assert at.model_home_eligible
    below = result(s, 9 * k - s - 1, k + 1) if 9 * k - s >= 1 else result(s - 1, 0, k + 1)
    assert below.overall_rate < Fraction(9, 10)
    assert not below.model_home_eligible


def test_thresholds_come_from_the_template_data() -> None:
    strict = one_item_template(quorum="3/4", rectification_above="1/5", model_home_at_least="19/20")
    res = a.compute_result(strict, a.Turnout(20, 15, 15, 10, 0), {"overall": {"s": 8, "u": 2}})
    assert res.quorum_met  # 15/20 = 3/4 exactly
    assert not res.rectification_required  # 2/10 = 1/5 exactly, not above
    assert not res.model_home_eligible  # 80 % < 95 %
    assert res.rule["quorum_fraction"] == "3/4"
    assert res.rule["rectification_above"] == "1/5"
    assert res.rule["model_home_at_least"] == "19/20"


@pytest.mark.parametrize(
    ("turnout", "tally", "code", "params"),
    [
        (
            a.Turnout(50, 40, 40, 40, 2),
            {"overall": {"s": 30, "b": 5, "u": 2}},
            "assessment.item_sum_mismatch",
            {"item": "overall", "sum": 37, "valid": 38},
        ),
        (
            a.Turnout(50, 40, 40, 41, 0),
            {"overall": {"s": 41}},
            "assessment.returned_exceed_issued",
            {"returned": 41, "issued": 40},
        ),
        (
            a.Turnout(50, 51, 40, 40, 0),
            {"overall": {"s": 40}},
            "assessment.attendees_exceed_eligible",
            {"attendees": 51, "eligible": 50},
        ),
        (
            a.Turnout(50, 40, 45, 40, 0),
            {"overall": {"s": 40}},
            "assessment.issued_exceed_attendees",
            {"issued": 45, "attendees": 40},
        ),
        (
            a.Turnout(50, 40, 40, 10, 11),
            {"overall": {}},
            "assessment.invalid_exceed_returned",
            {"invalid": 11, "returned": 10},
        ),
    ],
)
def test_inconsistent_input_is_an_error_naming_the_numbers(turnout, tally, code, params) -> None:
    res = a.compute_result(one_item_template(), turnout, tally)
    assert not res.ok
    assert any(e.code == code and e.params == params for e in res.errors), res.errors
    words = a.message(code, **params)
    for value in params.values():
        if isinstance(value, int):
            assert str(value) in words


@given(
    ballots=ballots_strategy(),
    fudge=st.integers(-3, 3).filter(lambda x: x != 0),
    item=st.integers(0, N_ITEMS - 1),
)
def test_typed_totals_off_by_any_amount_are_refused(ballots: list[str], fudge: int, item: int):
    tally, invalid = typed_totals(ballots)
    item_id = TEMPLATE.items[item].id
    tally[item_id]["satisfied"] = max(0, tally[item_id]["satisfied"] + fudge)
    changed = sum(tally[item_id].values()) != len(ballots) - invalid
    n = len(ballots)
    res = a.compute_result(TEMPLATE, a.Turnout(n, n, n, n, invalid), tally)
    if changed:
        assert any(
            e.code == "assessment.item_sum_mismatch" and e.params["item"] == item_id
            for e in res.errors
        )


def test_a_malformed_keyed_ballot_is_an_error_naming_it() -> None:
    res = a.compute_from_ballots(
        TEMPLATE, eligible=10, attendees=3, issued=3, ballots=["111111", "1214", "111111"]
    )
    assert not res.ok
    assert res.errors[0].code == "assessment.ballot_malformed"
    assert res.errors[0].params == {"ballot": 2, "text": "1214", "items": 6}


def test_messages_exist_in_both_languages_for_every_code() -> None:
    for code, texts in a.MESSAGES.items():
        assert set(texts) == {"zh_CN", "en"}, code
    assert "不满意 4 票" in a.message(
        "assessment.reason.item_unsatisfied",
        item="经费使用",
        unsatisfied=4,
        valid=10,
        share="40.0%",
        threshold="1/3",
    )


def test_a_malformed_template_names_the_place() -> None:
    with pytest.raises(a.TemplateError, match=r"grades\[1\]\.key"):
        a.template_from_dict(
            {
                "items": [{"id": "x", "label": {"zh_CN": "x"}}],
                "grades": [
                    {"id": "s", "key": "1", "label": {"zh_CN": "满意"}},
                    {"id": "u", "key": "key", "label": {"zh_CN": "不满意"}},
                ],
            }
        )


def test_percent_is_cut_so_a_shown_ninety_percent_is_really_ninety() -> None:
    assert a.percent(Fraction(2, 3)) == "66.6%"
    assert a.percent(Fraction(9, 10)) == "90.0%"
    assert a.percent(Fraction(1, 2000)) == "0.0%"
    assert a.percent(Fraction(89999, 100000)) == "89.9%"
    assert a.percent(Fraction(1)) == "100.0%"


def test_the_form_ships_a_six_item_and_a_one_question_template() -> None:
    standard = a.load_template()
    assert standard.variant == "standard" and len(standard.items) == 6
    overall = a.load_template(variant="overall")
    assert overall.item_ids() == ["overall"] and overall.rules.overall == "item:overall"
    assert overall.version == standard.version
    with pytest.raises(a.TemplateError, match="nonesuch"):
        a.load_template(variant="nonesuch")


@given(
    num=st.integers(0, 10_000)
    .flatmap(lambda d: st.tuples(st.integers(0, d), st.just(d)))
    .filter(lambda t: t[1] > 0)
)
def test_a_shown_percentage_never_crosses_the_ninety_percent_line(num) -> None:
    value = Fraction(*num)
    shown = float(a.percent(value).rstrip("%"))
    assert (shown >= 90.0) == (value >= Fraction(9, 10))


def test_the_forms_catalogue_knows_the_assessment_codes() -> None:
    import forms

    words = forms.message("assessment.returned_exceed_issued", "zh_CN", returned=41, issued=40)
    assert words == "收回选票 41 张，多于发出的 40 张"
    assert "41" in forms.message("assessment.returned_exceed_issued", "en", returned=41, issued=40)
