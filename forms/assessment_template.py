"""Member-assessment templates (会员评家): items, grades with their keys, rules and thresholds.

A template is data: one of ``meta.assessment_templates`` of the ``assessment`` form definition
(shipped in ``forms/definitions/assessment.json`` or received by sync as a new form version).
Thresholds are exact fractions ("2/3", "1/3", "9/10"). Pure Python: reads definitions only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from importlib import resources
from typing import Any

FORM_ID = "assessment"

Tally = dict[str, dict[str, int]]  # item id -> grade id -> count


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
