"""Member assessment (会员评家): the template, ballots, and the result computation (pure Python).

A *template* (data: one of ``meta.assessment_templates`` of the ``assessment`` form definition,
shipped in ``forms/definitions/assessment.json`` or received by sync as a new form version) names
the assessment items, the grades (满意 / 基本满意 / 不满意 by default, each with the key a clerk
presses when keying paper ballots) and the rules with their thresholds as exact fractions:

- quorum: ``attendees / eligible >= quorum`` (default 2/3), else the session is invalid;
- satisfaction rate = (grades counting as satisfied) / valid ballots, per item and overall;
- rectification required when the unsatisfied share ``> rectification_above`` (default 1/3),
  per item or overall;
- model-home eligible when the overall rate ``>= model_home_at_least`` (default 9/10).

Everything is computed with :class:`fractions.Fraction`, so 2/3, 1/3 and 90 % fall exactly on the
documented side. Results carry error and reason *codes* with parameters; only the UI turns them
into words (:data:`MESSAGES` holds the zh_CN / en texts for the forms catalogue).

Ballots keyed one by one are kept as compact strings: one grade key per item (``"1213"``), or
``"X"`` for a ballot marked invalid. :func:`tally_ballots` turns them into the same per-item
per-grade totals a clerk would type, so both ways give identical results.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from forms.assessment_messages import MESSAGES, message
from forms.assessment_template import (
    FORM_ID,
    Grade,
    Item,
    Rules,
    Tally,
    Template,
    TemplateError,
    _frac,
    load_template,
    shipped_definitions,
    template_from_dict,
    template_from_form,
    template_variants,
)

__all__ = [
    "FORM_ID",
    "INVALID_BALLOT",
    "MESSAGES",
    "AssessmentResult",
    "BallotTally",
    "Grade",
    "Item",
    "ItemResult",
    "Problem",
    "Rules",
    "Tally",
    "Template",
    "TemplateError",
    "Turnout",
    "check_turnout",
    "compute_from_ballots",
    "compute_result",
    "load_template",
    "message",
    "percent",
    "shipped_definitions",
    "split_ballots",
    "join_ballots",
    "tally_ballots",
    "template_from_dict",
    "template_from_form",
    "template_variants",
]

INVALID_BALLOT = "X"
BALLOT_SEPARATOR = " "


# --------------------------------------------------------------------------- ballots
def ballot_code(template: Template, grades_by_item: Sequence[str]) -> str:
    """The compact string for one valid ballot from its grade ids in item order."""
    if len(grades_by_item) != len(template.items):
        raise ValueError("a ballot needs one grade per item")
    return "".join(template.grade(g).key for g in grades_by_item)


def split_ballots(text: str) -> list[str]:
    """The ballots kept in a session record (separated by spaces or new lines)."""
    return [b for b in text.split() if b]


def join_ballots(ballots: Iterable[str]) -> str:
    return BALLOT_SEPARATOR.join(ballots)


@dataclass(frozen=True)
class Problem:
    """One error or reason: a code for the message catalogue and its parameters."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params)}


@dataclass(frozen=True)
class BallotTally:
    tally: Tally
    returned: int
    invalid: int
    errors: tuple[Problem, ...]


def tally_ballots(template: Template, ballots: Iterable[str]) -> BallotTally:
    """Count keyed ballots into per-item per-grade totals; malformed ballots are errors."""
    tally = template.empty_tally()
    returned = invalid = 0
    errors: list[Problem] = []
    ids = template.item_ids()
    for n, ballot in enumerate(ballots, start=1):
        returned += 1
        if ballot == INVALID_BALLOT:
            invalid += 1
            continue
        grades = [template.grade_for_key(ch) for ch in ballot]
        if len(ballot) != len(ids) or any(g is None for g in grades):
            errors.append(
                Problem(
                    "assessment.ballot_malformed",
                    {"ballot": n, "text": ballot, "items": len(ids)},
                )
            )
            continue
        for item_id, grade in zip(ids, grades, strict=True):
            assert grade is not None
            tally[item_id][grade.id] += 1
    return BallotTally(tally, returned, invalid, tuple(errors))


# --------------------------------------------------------------------------- the result
@dataclass(frozen=True)
class Turnout:
    eligible: int
    attendees: int
    issued: int
    returned: int
    invalid: int


@dataclass(frozen=True)
class ItemResult:
    item: str
    counts: dict[str, int]
    satisfied: int
    unsatisfied: int
    rate: Fraction
    unsatisfied_share: Fraction
    rectification: bool


@dataclass(frozen=True)
class AssessmentResult:
    errors: tuple[Problem, ...]
    quorum_met: bool = False
    minimum_attendees: int = 0
    valid: int = 0
    items: tuple[ItemResult, ...] = ()
    overall_rate: Fraction | None = None
    overall_unsatisfied_share: Fraction | None = None
    rectification_required: bool = False
    rectification_reasons: tuple[Problem, ...] = ()
    model_home_eligible: bool = False
    rule: dict[str, Any] = field(default_factory=dict)
    template: tuple[str, int, str] = ("", 0, "")

    @property
    def ok(self) -> bool:
        return not self.errors

    def item(self, item_id: str) -> ItemResult:
        for it in self.items:
            if it.item == item_id:
                return it
        raise KeyError(item_id)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with exact fractions as "n/d" and a rounded percentage beside each."""

        def rate(v: Fraction | None) -> Any:
            return None if v is None else {"fraction": _frac(v), "percent": percent(v)}

        return {
            "ok": self.ok,
            "errors": [e.as_dict() for e in self.errors],
            "quorum_met": self.quorum_met,
            "minimum_attendees": self.minimum_attendees,
            "valid": self.valid,
            "items": [
                {
                    "item": it.item,
                    "counts": dict(it.counts),
                    "satisfied": it.satisfied,
                    "unsatisfied": it.unsatisfied,
                    "rate": rate(it.rate),
                    "unsatisfied_share": rate(it.unsatisfied_share),
                    "rectification": it.rectification,
                }
                for it in self.items
            ],
            "overall_rate": rate(self.overall_rate),
            "overall_unsatisfied_share": rate(self.overall_unsatisfied_share),
            "rectification_required": self.rectification_required,
            "rectification_reasons": [r.as_dict() for r in self.rectification_reasons],
            "model_home_eligible": self.model_home_eligible,
            "rule": dict(self.rule),
            "template": {
                "id": self.template[0],
                "version": self.template[1],
                "variant": self.template[2],
            },
        }


def percent(value: Fraction, decimals: int = 1) -> str:
    """A fraction as a percentage, cut (not rounded) to ``decimals``: ``Fraction(2, 3)`` ->
    "66.6%". Cutting keeps what people read on the side the rules decide on: a satisfaction
    shown as "90.0%" is always at least 90 %, never 89.96 % rounded up."""
    scaled = value * 100 * 10**decimals
    rounded = scaled.numerator // scaled.denominator
    whole, frac_part = divmod(rounded, 10**decimals)
    return f"{whole}.{frac_part:0{decimals}d}%" if decimals else f"{whole}%"


def check_turnout(turnout: Turnout) -> list[Problem]:
    """Errors in the session's numbers, each naming the numbers involved."""
    errors: list[Problem] = []
    for name in ("eligible", "attendees", "issued", "returned", "invalid"):
        value = getattr(turnout, name)
        if value < 0:
            errors.append(Problem("assessment.negative", {"field": name, "value": value}))
    if errors:
        return errors
    t = turnout
    if t.eligible == 0:
        errors.append(Problem("assessment.no_eligible", {"eligible": 0}))
    if t.attendees > t.eligible:
        errors.append(
            Problem(
                "assessment.attendees_exceed_eligible",
                {"attendees": t.attendees, "eligible": t.eligible},
            )
        )
    if t.issued > t.attendees:
        errors.append(
            Problem(
                "assessment.issued_exceed_attendees", {"issued": t.issued, "attendees": t.attendees}
            )
        )
    if t.returned > t.issued:
        errors.append(
            Problem(
                "assessment.returned_exceed_issued", {"returned": t.returned, "issued": t.issued}
            )
        )
    if t.invalid > t.returned:
        errors.append(
            Problem(
                "assessment.invalid_exceed_returned",
                {"invalid": t.invalid, "returned": t.returned},
            )
        )
    return errors


def compute_result(
    template: Template, turnout: Turnout, tally: Mapping[str, Any]
) -> AssessmentResult:
    """The session's result, or its errors (``result.ok`` is False) when the input disagrees."""
    rules = template.rules
    base = {"rule": rules.as_dict(), "template": (template.id, template.version, template.variant)}
    errors = check_turnout(turnout)
    valid = turnout.returned - turnout.invalid
    counts_by_item: dict[str, dict[str, int]] = {}
    for key in tally:
        if key not in template.item_ids():
            errors.append(Problem("assessment.unknown_item", {"item": key}))
    for item in template.items:
        row = tally.get(item.id, {})
        counts: dict[str, int] = {}
        for key in row:
            if key not in template.grade_ids():
                errors.append(Problem("assessment.unknown_grade", {"item": item.id, "grade": key}))
        for grade in template.grades:
            value = row.get(grade.id, 0)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                errors.append(
                    Problem(
                        "assessment.bad_count",
                        {"item": item.id, "grade": grade.id, "value": value},
                    )
                )
                value = 0
            counts[grade.id] = value
        total = sum(counts.values())
        if total != valid and valid >= 0:
            errors.append(
                Problem(
                    "assessment.item_sum_mismatch",
                    {"item": item.id, "sum": total, "valid": valid},
                )
            )
        counts_by_item[item.id] = counts
    if not errors and valid == 0:
        errors.append(Problem("assessment.no_valid_ballots", {"returned": turnout.returned}))
    if errors:
        return AssessmentResult(errors=tuple(errors), **base)  # type: ignore[arg-type]

    minimum = _ceil(rules.quorum * turnout.eligible)
    quorum_met = Fraction(turnout.attendees, turnout.eligible) >= rules.quorum
    items: list[ItemResult] = []
    reasons: list[Problem] = []
    for item in template.items:
        counts = counts_by_item[item.id]
        sat = sum(counts[g.id] for g in template.grades if g.satisfied)
        unsat = sum(counts[g.id] for g in template.grades if g.unsatisfied)
        share = Fraction(unsat, valid)
        rect = share > rules.rectification_above
        items.append(ItemResult(item.id, counts, sat, unsat, Fraction(sat, valid), share, rect))
        if rect:
            reasons.append(
                Problem(
                    "assessment.reason.item_unsatisfied",
                    {
                        "item": item.id,
                        "unsatisfied": unsat,
                        "valid": valid,
                        "share": percent(share),
                        "threshold": _frac(rules.rectification_above),
                    },
                )
            )
    if rules.overall.startswith("item:"):
        chosen = next(it for it in items if it.item == rules.overall[5:])
        overall_rate, overall_unsat = chosen.rate, chosen.unsatisfied_share
    else:
        overall_rate = sum((it.rate for it in items), Fraction(0)) / len(items)
        overall_unsat = sum((it.unsatisfied_share for it in items), Fraction(0)) / len(items)
    if overall_unsat > rules.rectification_above:
        reasons.append(
            Problem(
                "assessment.reason.overall_unsatisfied",
                {"share": percent(overall_unsat), "threshold": _frac(rules.rectification_above)},
            )
        )
    rect_required = bool(reasons)
    eligible = quorum_met and overall_rate >= rules.model_home_at_least
    if rules.model_home_requires_no_rectification and rect_required:
        eligible = False
    return AssessmentResult(
        errors=(),
        quorum_met=quorum_met,
        minimum_attendees=minimum,
        valid=valid,
        items=tuple(items),
        overall_rate=overall_rate,
        overall_unsatisfied_share=overall_unsat,
        rectification_required=rect_required,
        rectification_reasons=tuple(reasons),
        model_home_eligible=eligible,
        **base,  # type: ignore[arg-type]
    )


def compute_from_ballots(
    template: Template,
    *,
    eligible: int,
    attendees: int,
    issued: int,
    ballots: Sequence[str],
) -> AssessmentResult:
    """The result of keyed ballots: returned and invalid counts come from the ballots."""
    counted = tally_ballots(template, ballots)
    turnout = Turnout(eligible, attendees, issued, counted.returned, counted.invalid)
    result = compute_result(template, turnout, counted.tally)
    if counted.errors:
        return AssessmentResult(
            errors=counted.errors + result.errors, rule=result.rule, template=result.template
        )
    return result


def _ceil(value: Fraction) -> int:
    return -((-value.numerator) // value.denominator)
