"""Derived results re-checked from the record's own inputs (pure Python; run by forms.validate).

Some records carry figures a township computed: the ``result`` of an assessment session (rates,
quorum, rectification, model home, the rule and thresholds used), or a signed-off checklist whose
summary depends on every item having a result. The county must not trust them, so
:func:`check` recomputes them from the record's inputs and the template of the record's own form
version — the same code the desktop used to compute them — and returns error codes naming the
numbers when they disagree. Which check applies is read from the definition's data: a form whose
``meta`` carries ``assessment_templates`` gets the assessment check, one with an ``x_checklist``
block the checklist check (so a province's own version of either is checked the same way).

``final`` is False for a draft: a draft may lack its result (and a checklist may be unanswered),
but a result that *is* stored must always agree. A final (ready / signed-off) record must carry
its result, and it must agree.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from forms import messages
from forms.errors import FieldError

#: At most this many mismatches are reported per record (the first ones, in result order).
MAX_REPORTED = 5

MESSAGES: dict[str, dict[str, str]] = {
    "derived.result_missing": {
        "zh_CN": "记录已完成，但没有计算结果",
        "en": "The record is final but carries no computed result",
    },
    "derived.result_unreadable": {
        "zh_CN": "存储的计算结果无法读取",
        "en": "The stored result cannot be read",
    },
    "derived.template_unknown": {
        "zh_CN": "本记录的表单版本中没有测评模板“{variant}”",
        "en": "The record's form version has no assessment template “{variant}”",
    },
    "derived.template_version": {
        "zh_CN": "记录注明测评模板版本 {stored}，但记录的表单版本是 {form}",
        "en": "The record names template version {stored}, but its form version is {form}",
    },
    "derived.ballots_mismatch": {
        "zh_CN": "逐票录入的选票与存储的票数不符：{figure} 存储为 {stored}，按选票统计为 {computed}",
        "en": "The keyed ballots disagree with the stored counts: {figure} is stored as "
        "{stored}, the ballots give {computed}",
    },
    "derived.satisfaction_mismatch": {
        "zh_CN": "存储的总体满意率为 {stored}，但按票数计算为 {computed}",
        "en": "The stored overall satisfaction is {stored}, but the counts give {computed}",
    },
    "derived.item_satisfaction_mismatch": {
        "zh_CN": "存储的项目 {item} 满意率为 {stored}，但按票数计算为 {computed}",
        "en": "The stored satisfaction of item {item} is {stored}, but the counts give {computed}",
    },
    "derived.valid_mismatch": {
        "zh_CN": "存储的有效票为 {stored} 张，但收回 {returned} 张、废票 {invalid} 张，应为 {computed} 张",
        "en": "The stored result has {stored} valid ballots, but {returned} returned less "
        "{invalid} invalid gives {computed}",
    },
    "derived.rule_mismatch": {
        "zh_CN": "存储的计算规则 {rule} 为 {stored}，而本记录表单版本的模板规定为 {computed}",
        "en": "The stored rule {rule} is {stored}, but the template of the record's form "
        "version says {computed}",
    },
    "derived.result_mismatch": {
        "zh_CN": "存储的测评结果中 {figure} 为 {stored}，但按本记录的票数和模板计算应为 {computed}",
        "en": "The stored result has {figure} = {stored}, but the record's counts and template "
        "give {computed}",
    },
}

messages.CATALOGUE.update(MESSAGES)  # the one catalogue (tests check it is complete)

_Check = Callable[[Any, Mapping[str, Any], bool], list[FieldError]]
#: Prose in the stored rule that is not a figure (wording may change between program versions).
_RULE_PROSE = frozenset({"quorum", "satisfaction", "rectification", "model_home"})
_cache: dict[str, tuple[_Check, ...]] = {}
_templates: dict[tuple[str, str | None], Any] = {}


def checks_for(form: Any) -> tuple[_Check, ...]:
    """The derived-result checks a definition calls for (cached by its hash)."""
    key = form.hash
    found = _cache.get(key)
    if found is None:
        raw = form.raw if isinstance(form.raw, Mapping) else {}
        meta = raw.get("meta")
        picked: list[_Check] = []
        if isinstance(meta, Mapping) and "assessment_templates" in meta:
            picked.append(check_assessment)
        if "x_checklist" in raw:
            picked.append(check_checklist)
        found = _cache[key] = tuple(picked)
    return found


def check(form: Any, values: Mapping[str, Any], *, final: bool = False) -> list[FieldError]:
    """Errors where ``values`` (validated, stored shapes) disagree with what forms/ computes."""
    errors: list[FieldError] = []
    for fn in checks_for(form):
        errors += fn(form, values, final)
    return errors


# --------------------------------------------------------------------------- assessment
def check_assessment(form: Any, values: Mapping[str, Any], final: bool) -> list[FieldError]:
    """The stored ``result`` of an assessment session against its counts or ballots."""
    from forms import assessment as rules

    raw_result = values.get("result")
    if not raw_result:
        return [FieldError("derived.result_missing", "result")] if final else []
    try:
        stored = json.loads(raw_result)
    except (TypeError, ValueError, RecursionError):
        stored = None
    if not isinstance(stored, dict):
        return [FieldError("derived.result_unreadable", "result")]
    version = values.get("template_version") or form.version
    if version != form.version:
        params = {"stored": version, "form": form.version}
        return [FieldError("derived.template_version", "template_version", params)]
    variant = values.get("template_variant") or None
    template = _template(form, variant)
    if template is None:
        return [FieldError("derived.template_unknown", "template_variant", {"variant": variant})]
    tally: dict[str, dict[str, Any]] = {}
    for row in values.get("counts") or []:
        tally.setdefault(str(row.get("item")), {})[str(row.get("grade"))] = row.get("count") or 0
    turnout = rules.Turnout(
        *(
            int(values.get(k) or 0)
            for k in ("eligible", "attendees", "issued", "returned", "invalid")
        )
    )
    errors: list[FieldError] = []
    if values.get("entry_mode") == "ballots":
        ballots = rules.split_ballots(str(values.get("ballots") or ""))
        errors = _ballots_agree(template, ballots, turnout, tally)
        result = rules.compute_from_ballots(
            template,
            eligible=turnout.eligible,
            attendees=turnout.attendees,
            issued=turnout.issued,
            ballots=ballots,
        )
    else:
        result = rules.compute_result(template, turnout, tally)
    if not result.ok:  # a result stored for numbers that give none
        return errors + [FieldError(p.code, "result", dict(p.params)) for p in result.errors]
    computed = json.loads(json.dumps(result.as_dict()))
    errors += _result_mismatches(stored, computed, turnout)
    return errors[:MAX_REPORTED]


def _template(form: Any, variant: str | None) -> Any:
    """The assessment template ``variant`` of this form version (None if it has none)."""
    from forms import assessment as rules

    key = (form.hash, variant)
    if key not in _templates:
        try:
            _templates[key] = rules.template_from_form(form.raw, variant, source=form.id)
        except (ValueError, TypeError, KeyError):  # TemplateError is a ValueError
            _templates[key] = None
        if len(_templates) > 256:  # bounded: variants come from records
            _templates.pop(next(iter(_templates)))
    return _templates[key]


def _ballots_agree(
    template: Any, ballots: list[str], turnout: Any, tally: Mapping[str, Mapping[str, Any]]
) -> list[FieldError]:
    """Keyed ballots are the input: the stored totals, returned and invalid must follow them."""
    from forms.assessment import tally_ballots

    counted = tally_ballots(template, ballots)
    errors = []
    for name, stored, computed in (
        ("returned", turnout.returned, counted.returned),
        ("invalid", turnout.invalid, counted.invalid),
    ):
        if stored != computed:
            errors.append(_ballot_error(name, stored, computed))
    for item in template.items:
        for grade in template.grades:
            stored = (tally.get(item.id) or {}).get(grade.id, 0)
            computed = counted.tally[item.id][grade.id]
            if stored != computed:
                errors.append(_ballot_error(f"{item.id}/{grade.id}", stored, computed))
    return errors


def _ballot_error(figure: str, stored: Any, computed: Any) -> FieldError:
    params = {"figure": figure, "stored": stored, "computed": computed}
    return FieldError("derived.ballots_mismatch", "ballots", params)


def _shown(value: Any) -> str:
    """A stored or computed figure for a message: rates as percentages, the rest as JSON."""
    if isinstance(value, Mapping) and "percent" in value:
        return str(value.get("percent"))[:40]
    if isinstance(value, str):
        return value[:80]
    return json.dumps(value, ensure_ascii=False)[:80]


def _rate_words(stored: Any, computed: Mapping[str, Any]) -> tuple[str, str]:
    """(stored, computed) as percentages; exact fractions when the percentages read the same."""
    s, c = _shown(stored), _shown(computed)
    if s == c:
        s = str(stored.get("fraction") if isinstance(stored, Mapping) else stored)[:40]
        c = str(computed.get("fraction"))
    return s, c


def _result_mismatches(
    stored: Mapping[str, Any], computed: Mapping[str, Any], turnout: Any
) -> list[FieldError]:
    errors: list[FieldError] = []
    for path, want in _figures(computed):
        have = _at(stored, path)
        if have == want:
            continue
        if path == "overall_rate":
            s, c = _rate_words(have, want)
            errors.append(
                FieldError("derived.satisfaction_mismatch", "result", {"stored": s, "computed": c})
            )
        elif path.startswith("items[") and path.endswith(".rate"):
            index = int(path[6 : path.index("]")])
            s, c = _rate_words(have, want)
            item = computed["items"][index]["item"]
            params = {"item": item, "stored": s, "computed": c}
            errors.append(FieldError("derived.item_satisfaction_mismatch", "result", params))
        elif path == "valid":
            params = {
                "stored": _shown(have),
                "computed": want,
                "returned": turnout.returned,
                "invalid": turnout.invalid,
            }
            errors.append(FieldError("derived.valid_mismatch", "result", params))
        elif path.startswith("rule."):
            params = {"rule": path[5:], "stored": _shown(have), "computed": _shown(want)}
            errors.append(FieldError("derived.rule_mismatch", "result", params))
        else:
            params = {"figure": path, "stored": _shown(have), "computed": _shown(want)}
            errors.append(FieldError("derived.result_mismatch", "result", params))
        if len(errors) >= MAX_REPORTED:
            break
    return errors


_ORDER = (
    "overall_rate",
    "items",
    "valid",
    "quorum_met",
    "minimum_attendees",
    "overall_unsatisfied_share",
    "rectification_required",
    "rectification_reasons",
    "model_home_eligible",
    "rule",
    "template",
)


def _figures(computed: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(path, value) of every figure of a computed result, most telling first; a rate
    ``{"fraction", "percent"}`` is one figure; the rule's prose is left out."""
    out: list[tuple[str, Any]] = []
    for key in _ORDER:
        value: Any = computed.get(key)
        if key == "items":
            rows = [(f"items[{i}].{k}", v) for i, it in enumerate(value) for k, v in it.items()]
            rows.sort(key=lambda pv: not pv[0].endswith(".rate"))  # item rates lead (stable)
            out += [("items.count", len(value)), *rows]
        elif key == "rule":
            out += [(f"rule.{k}", v) for k, v in value.items() if k not in _RULE_PROSE]
        elif key == "template":
            out += [(f"template.{k}", v) for k, v in value.items()]
        else:
            out.append((key, value))
    return out


def _at(stored: Any, path: str) -> Any:
    """The value at ``path`` (``items[2].rate``, ``rule.quorum_fraction``) of a stored result."""
    node = stored
    for part in path.split("."):
        if part == "count" and isinstance(node, list):
            return len(node)
        name, _, index = part.partition("[")
        node = node.get(name) if isinstance(node, Mapping) else None
        if index:
            i = int(index.rstrip("]"))
            node = node[i] if isinstance(node, list) and i < len(node) else None
    return node


# --------------------------------------------------------------------------- checklist
def check_checklist(form: Any, values: Mapping[str, Any], final: bool) -> list[FieldError]:
    """A signed-off checklist: every template item present and answered (its summary — counts
    per result, the money in question — is computed from these rows wherever it is shown)."""
    if not final:
        return []
    from forms.checklist import RESULTS, TemplateError, missing_items, template_from_raw

    errors = [
        FieldError("audit.result_required", f"items[{i}].result")
        for i, row in enumerate(values.get("items") or [])
        if isinstance(row, Mapping) and row.get("result") not in RESULTS
    ]
    try:
        template = template_from_raw(form.raw)
    except TemplateError:
        return errors
    errors += [
        FieldError("audit.item_missing", "items", {"item": item_id})
        for item_id in missing_items(template, values)
    ]
    return errors
