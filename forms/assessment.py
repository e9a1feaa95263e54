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

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from importlib import resources
from typing import Any

INVALID_BALLOT = "X"
BALLOT_SEPARATOR = " "
FORM_ID = "assessment"

Tally = dict[str, dict[str, int]]


class TemplateError(ValueError):
    """A template definition is malformed (the message names the path inside it)."""


@dataclass(frozen=True)
class Item:
    id: str
    label: Mapping[str, str]


@dataclass(frozen=True)
class Grade:
    id: str
    key: str
    label: Mapping[str, str]
    satisfied: bool  # counts towards the satisfaction rate
    unsatisfied: bool  # counts towards the rectification share


@dataclass(frozen=True)
class Rules:
    quorum: Fraction = Fraction(2, 3)
    rectification_above: Fraction = Fraction(1, 3)
    model_home_at_least: Fraction = Fraction(9, 10)
    model_home_requires_no_rectification: bool = True
    overall: str = "mean_of_items"  # or "item:<id>" when one item is the overall question

    def as_dict(self) -> dict[str, Any]:
        """The rule and thresholds in the form stored with each result."""
        return {
            "quorum": f"attendees / eligible >= {_frac(self.quorum)}",
            "quorum_fraction": _frac(self.quorum),
            "satisfaction": "(satisfied grades) / valid ballots",
            "rectification": f"unsatisfied / valid > {_frac(self.rectification_above)}",
            "rectification_above": _frac(self.rectification_above),
            "model_home": f"overall rate >= {_frac(self.model_home_at_least)}",
            "model_home_at_least": _frac(self.model_home_at_least),
            "model_home_requires_no_rectification": self.model_home_requires_no_rectification,
            "overall": self.overall,
        }


@dataclass(frozen=True)
class Template:
    id: str
    version: int
    title: Mapping[str, str]
    items: tuple[Item, ...]
    grades: tuple[Grade, ...]
    rules: Rules
    variant: str = "standard"  # which of the form version's templates (e.g. "overall")

    def item_ids(self) -> list[str]:
        return [i.id for i in self.items]

    def grade_ids(self) -> list[str]:
        return [g.id for g in self.grades]

    def grade_for_key(self, key: str) -> Grade | None:
        for grade in self.grades:
            if grade.key == key:
                return grade
        return None

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def grade(self, grade_id: str) -> Grade:
        for grade in self.grades:
            if grade.id == grade_id:
                return grade
        raise KeyError(grade_id)

    def empty_tally(self) -> Tally:
        return {i.id: {g.id: 0 for g in self.grades} for i in self.items}


# --------------------------------------------------------------------------- template loading
def _frac(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def _parse_fraction(raw: Any, path: str) -> Fraction:
    try:
        value = Fraction(str(raw))
    except (ValueError, ZeroDivisionError) as exc:
        raise TemplateError(f"{path}: not a fraction: {raw!r}") from exc
    if not 0 <= value <= 1:
        raise TemplateError(f"{path}: must lie between 0 and 1, got {raw!r}")
    return value


def _labels(raw: Any, path: str) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise TemplateError(f"{path}: expected a label object like {{'zh_CN': …, 'en': …}}")
    if "zh_CN" not in raw:
        raise TemplateError(f"{path}: missing the zh_CN label")
    return dict(raw)


def template_from_dict(raw: Mapping[str, Any], source: str = "<template>") -> Template:
    """Build a :class:`Template` from its JSON form (shipped or received by sync)."""
    try:
        items_raw = raw["items"]
        grades_raw = raw["grades"]
    except KeyError as exc:
        raise TemplateError(f"{source}: missing {exc.args[0]!r}") from exc
    if not isinstance(items_raw, list) or not items_raw:
        raise TemplateError(f"{source}: items: expected a non-empty list")
    if not isinstance(grades_raw, list) or len(grades_raw) < 2:
        raise TemplateError(f"{source}: grades: expected a list of at least two grades")
    items: list[Item] = []
    for n, it in enumerate(items_raw):
        path = f"{source}: items[{n}]"
        if not isinstance(it, dict) or not isinstance(it.get("id"), str) or not it["id"]:
            raise TemplateError(f"{path}: expected an object with an id")
        items.append(Item(it["id"], _labels(it.get("label"), f"{path}.label")))
    grades: list[Grade] = []
    for n, gr in enumerate(grades_raw):
        path = f"{source}: grades[{n}]"
        if not isinstance(gr, dict) or not isinstance(gr.get("id"), str):
            raise TemplateError(f"{path}: expected an object with an id")
        key = gr.get("key")
        if not isinstance(key, str) or len(key) != 1 or not key.isdigit() or key == "0":
            raise TemplateError(f"{path}.key: expected one digit 1-9, got {key!r}")
        counts = gr.get("counts_as", "neutral")
        if counts not in ("satisfied", "unsatisfied", "neutral"):
            raise TemplateError(f"{path}.counts_as: unknown {counts!r}")
        grades.append(
            Grade(
                gr["id"],
                key,
                _labels(gr.get("label"), f"{path}.label"),
                counts == "satisfied",
                counts == "unsatisfied",
            )
        )
    for kind, ids in (("items", [i.id for i in items]), ("grades", [g.id for g in grades])):
        if len(set(ids)) != len(ids):
            raise TemplateError(f"{source}: {kind}: duplicate id")
    if len({g.key for g in grades}) != len(grades):
        raise TemplateError(f"{source}: grades: duplicate key")
    rules_raw = raw.get("rules", {})
    defaults = Rules()
    overall = str(rules_raw.get("overall", defaults.overall))
    if overall != "mean_of_items" and not (
        overall.startswith("item:") and overall[5:] in {i.id for i in items}
    ):
        raise TemplateError(f"{source}: rules.overall: unknown {overall!r}")
    rules = Rules(
        quorum=_parse_fraction(rules_raw.get("quorum", "2/3"), f"{source}: rules.quorum"),
        rectification_above=_parse_fraction(
            rules_raw.get("rectification_above", "1/3"), f"{source}: rules.rectification_above"
        ),
        model_home_at_least=_parse_fraction(
            rules_raw.get("model_home_at_least", "9/10"), f"{source}: rules.model_home_at_least"
        ),
        model_home_requires_no_rectification=bool(
            rules_raw.get("model_home_requires_no_rectification", True)
        ),
        overall=overall,
    )
    return Template(
        id=str(raw.get("id", "assessment_template")),
        version=int(raw.get("version", 1)),
        title=_labels(raw.get("title", {"zh_CN": "会员评家"}), f"{source}: title"),
        items=tuple(items),
        grades=tuple(grades),
        rules=rules,
    )


def _template_bodies(raw_form: Mapping[str, Any], source: str) -> list[Mapping[str, Any]]:
    meta = raw_form.get("meta") or {}
    bodies = meta.get("assessment_templates") if isinstance(meta, Mapping) else None
    if not isinstance(bodies, list) or not bodies:
        raise TemplateError(f"{source}: meta.assessment_templates: expected a non-empty list")
    for n, body in enumerate(bodies):
        if not isinstance(body, Mapping) or not isinstance(body.get("id"), str):
            raise TemplateError(f"{source}: meta.assessment_templates[{n}]: needs an id")
    return bodies


def template_variants(raw_form: Mapping[str, Any]) -> list[tuple[str, Mapping[str, str]]]:
    """(variant id, title) of every template a form version carries; the first is the default."""
    return [
        (str(b["id"]), dict(b.get("title") or raw_form.get("title") or {"zh_CN": b["id"]}))
        for b in _template_bodies(raw_form, "assessment")
    ]


def template_from_form(
    raw_form: Mapping[str, Any], variant: str | None = None, source: str = "assessment"
) -> Template:
    """A template carried by an ``assessment`` form definition (``meta.assessment_templates``:
    e.g. "standard" with six items, "overall" with one overall question; the first is default).

    The template's version is the form's, so a new template reaches townships by sync as a new
    version of the form, and a session names the version and variant it was entered with.
    """
    bodies = _template_bodies(raw_form, source)
    body = bodies[0] if not variant else next((b for b in bodies if b["id"] == variant), None)
    if body is None:
        raise TemplateError(f"{source}: no assessment template {variant!r}")
    n = bodies.index(body)
    template = template_from_dict(
        {
            "title": raw_form.get("title", {"zh_CN": "会员评家"}),
            **body,
            "id": raw_form.get("id", FORM_ID),
            "version": raw_form.get("version", 1),
        },
        source=f"{source}: meta.assessment_templates[{n}]",
    )
    return replace(template, variant=str(body["id"]))


def shipped_definitions() -> list[dict[str, Any]]:
    """The raw shipped ``assessment`` form definitions (every version in definitions/)."""
    found = []
    for entry in resources.files("forms").joinpath("definitions").iterdir():
        if entry.name.startswith(FORM_ID) and entry.name.endswith(".json"):
            raw = json.loads(entry.read_text(encoding="utf-8"))
            if raw.get("id") == FORM_ID:
                found.append(raw)
    return found


def load_template(version: int | None = None, variant: str | None = None) -> Template:
    """A template of a shipped ``assessment`` form: the latest version unless ``version``, the
    default variant unless ``variant``."""
    candidates = [
        raw for raw in shipped_definitions() if version is None or raw.get("version") == version
    ]
    if not candidates:
        raise KeyError(f"no shipped assessment template version {version}")
    raw = max(candidates, key=lambda r: int(r.get("version", 0)))
    return template_from_form(raw, variant, source=f"{FORM_ID} v{raw.get('version')}")


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


# --------------------------------------------------------------------------- message catalogue
MESSAGES: dict[str, dict[str, str]] = {
    "assessment.negative": {
        "zh_CN": "{field} 不能为负数（填写的是 {value}）",
        "en": "{field} cannot be negative (entered {value})",
    },
    "assessment.no_eligible": {
        "zh_CN": "应到人数为 0，无法计算到会比例",
        "en": "Eligible voters is 0: the quorum cannot be computed",
    },
    "assessment.attendees_exceed_eligible": {
        "zh_CN": "实到人数 {attendees} 多于应到人数 {eligible}",
        "en": "Attendees ({attendees}) exceed eligible voters ({eligible})",
    },
    "assessment.issued_exceed_attendees": {
        "zh_CN": "发出选票 {issued} 张，多于实到人数 {attendees}",
        "en": "Ballots issued ({issued}) exceed attendees ({attendees})",
    },
    "assessment.returned_exceed_issued": {
        "zh_CN": "收回选票 {returned} 张，多于发出的 {issued} 张",
        "en": "Ballots returned ({returned}) exceed ballots issued ({issued})",
    },
    "assessment.invalid_exceed_returned": {
        "zh_CN": "废票 {invalid} 张，多于收回的 {returned} 张",
        "en": "Invalid ballots ({invalid}) exceed ballots returned ({returned})",
    },
    "assessment.unknown_item": {
        "zh_CN": "模板中没有测评项目 {item}",
        "en": "The template has no assessment item {item}",
    },
    "assessment.unknown_grade": {
        "zh_CN": "项目 {item} 中有模板没有的等级 {grade}",
        "en": "Item {item} has a grade the template does not know: {grade}",
    },
    "assessment.bad_count": {
        "zh_CN": "项目 {item} 的 {grade} 票数无效：{value}",
        "en": "Item {item}: the count for {grade} is not a whole number ≥ 0: {value}",
    },
    "assessment.item_sum_mismatch": {
        "zh_CN": "项目 {item} 各等级合计 {sum} 票，与有效票 {valid} 张不符",
        "en": "Item {item}: the grades add up to {sum}, but there are {valid} valid ballots",
    },
    "assessment.no_valid_ballots": {
        "zh_CN": "没有有效票（收回 {returned} 张），无法计算满意率",
        "en": "No valid ballots ({returned} returned): satisfaction cannot be computed",
    },
    "assessment.ballot_malformed": {
        "zh_CN": "第 {ballot} 张选票“{text}”不完整：应为每个项目（共 {items} 项）各选一个等级",
        "en": "Ballot {ballot} ({text}) is incomplete: it needs one grade for each of {items} items",
    },
    "assessment.reason.item_unsatisfied": {
        "zh_CN": "项目 {item} 不满意 {unsatisfied} 票，占有效票 {valid} 张的 {share}，超过 {threshold}",
        "en": "Item {item}: {unsatisfied} of {valid} valid ballots unsatisfied ({share}), more than {threshold}",
    },
    "assessment.reason.overall_unsatisfied": {
        "zh_CN": "总体不满意率 {share}，超过 {threshold}",
        "en": "Overall unsatisfied share {share} is more than {threshold}",
    },
    "assessment.duplicate_session": {
        "zh_CN": "{union} 在 {year} 年已有测评记录；再次测评须填写理由",
        "en": "{union} already has an assessment session in {year}; a repeat needs a reason",
    },
}


def message(code: str, lang: str = "zh_CN", **params: Any) -> str:
    """The words for one assessment code (until the forms catalogue merges :data:`MESSAGES`)."""
    texts = MESSAGES.get(code)
    if texts is None:
        return code
    text = texts.get(lang) or texts["en"]
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text


def _register_messages() -> None:
    """Add :data:`MESSAGES` to the forms catalogue (its registration hook)."""
    try:
        from forms.messages import register
    except ImportError:  # pragma: no cover - the catalogue module is always there once merged
        return
    register(MESSAGES)


_register_messages()
