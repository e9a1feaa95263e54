"""Funds-review checklists (经费审查): the template inside a form definition, and the summary.

A checklist template *is* a form definition (``forms/definitions/audit_checklist*.json``): its
fields hold the instance (audited union, period, auditors, date, and the ``items`` repeat group
with result, amount in fen, finding, evidence, rectification owner and deadline) and its
``x_checklist`` block holds the template data — the areas, each item's rule text and guidance in
zh_CN and en, and the limits that differ by province (gift occasions, per-person amounts, rates).
Rule texts name limits as ``{limit_id}``; they are filled in from the data, so a province changes
a number by publishing a new definition version, never the code. Money limits (``kind`` "money")
are integer fen and are shown as yuan with two decimals.

Pure functions only: :func:`template_from_raw` reads a definition dict (``form.raw``),
:func:`summarize` counts results and sums the amount in question, :func:`rectifications` lists
the rectification items of one checklist with their state on a given day.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from forms import messages as _messages

COMPLIANT, NONCOMPLIANT, NOT_APPLICABLE = "compliant", "noncompliant", "na"
RESULTS = (COMPLIANT, NONCOMPLIANT, NOT_APPLICABLE)
UNANSWERED = "unanswered"
RESULT_LABELS = {
    COMPLIANT: {"zh_CN": "合规", "en": "Compliant"},
    NONCOMPLIANT: {"zh_CN": "不合规", "en": "Non-compliant"},
    NOT_APPLICABLE: {"zh_CN": "不适用", "en": "N/A"},
}
# outcomes of a rectification (整改结果); only "done" closes it
OUTCOME_DONE, OUTCOME_PARTIAL, OUTCOME_NOT_DONE = "done", "partial", "not_done"
OUTCOMES = (OUTCOME_DONE, OUTCOME_PARTIAL, OUTCOME_NOT_DONE)
# states of a rectification on a given day
OPEN, DUE, OVERDUE, CLOSED = "open", "due", "overdue", "closed"
DUE_WITHIN_DAYS = 14  # a rectification is "due" this many days before its deadline

TEMPLATE_KEY = "x_checklist"

#: Words for the checklist codes that are not field constraints of the definition.
MESSAGES: dict[str, dict[str, str]] = {
    "audit.result_required": {
        "zh_CN": "该项目尚未填写检查结果",
        "en": "This item has no result yet",
    },
    "audit.item_missing": {
        "zh_CN": "检查表缺少模板项目 {item}",
        "en": "The checklist lacks template item {item}",
    },
}


class TemplateError(ValueError):
    """The ``x_checklist`` block of a definition is malformed (the message names the path)."""


@dataclass(frozen=True)
class Limit:
    """A value that differs by province: money (fen), percent (text) or a list of texts."""

    id: str
    kind: str  # "money" | "percent" | "list" | "text"
    value: Any
    label: Mapping[str, str]

    def show(self, lang: str = "zh_CN") -> str:
        """The value as printed inside a rule text."""
        if self.kind == "money":
            return yuan(int(self.value))
        if self.kind == "list":
            values = self.value.get(lang) or self.value.get("zh_CN") or []
            return ("、" if lang == "zh_CN" else ", ").join(values)
        if isinstance(self.value, Mapping):
            return str(self.value.get(lang) or self.value.get("zh_CN"))
        return str(self.value)


@dataclass(frozen=True)
class Item:
    """One checklist item: where it belongs, what the rule says and how to check it."""

    id: str
    area: str
    topic: Mapping[str, str]
    rule: Mapping[str, str]
    guidance: Mapping[str, str]

    def text(self, lang: str = "zh_CN") -> str:
        return self.rule.get(lang) or self.rule["zh_CN"]

    def topic_text(self, lang: str = "zh_CN") -> str:
        return self.topic.get(lang) or self.topic.get("zh_CN", "")

    def guidance_text(self, lang: str = "zh_CN") -> str:
        return self.guidance.get(lang) or self.guidance.get("zh_CN", "")


@dataclass(frozen=True)
class Area:
    id: str
    label: Mapping[str, str]
    items: tuple[Item, ...]

    def title(self, lang: str = "zh_CN") -> str:
        return self.label.get(lang) or self.label["zh_CN"]


@dataclass(frozen=True)
class Template:
    """The checklist template of one definition version."""

    form_id: str
    version: int
    title: Mapping[str, str]
    areas: tuple[Area, ...]
    limits: tuple[Limit, ...]

    @property
    def items(self) -> list[Item]:
        return [item for area in self.areas for item in area.items]

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def area(self, area_id: str) -> Area:
        for area in self.areas:
            if area.id == area_id:
                return area
        raise KeyError(area_id)

    def limit(self, limit_id: str) -> Limit:
        for limit in self.limits:
            if limit.id == limit_id:
                return limit
        raise KeyError(limit_id)

    def title_text(self, lang: str = "zh_CN") -> str:
        return self.title.get(lang) or self.title["zh_CN"]


def yuan(fen: int | None) -> str:
    """Integer fen shown as yuan with two decimals and thousands separators: 123456 -> 1,234.56."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def _labels(raw: Any, path: str) -> dict[str, str]:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("zh_CN"), str):
        raise TemplateError(f"{path}: expected {{'zh_CN': ..., 'en': ...}}")
    return {k: str(v) for k, v in raw.items()}


def _fill(texts: Mapping[str, str], limits: Mapping[str, Limit], path: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for lang, text in texts.items():
        try:
            out[lang] = text.format_map({k: v.show(lang) for k, v in limits.items()})
        except (KeyError, IndexError, ValueError) as exc:
            raise TemplateError(f"{path}.{lang}: unknown limit {exc} in {text!r}") from None
    return out


def _limit(raw: Any, path: str) -> Limit:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str):
        raise TemplateError(f"{path}: expected an object with an id")
    kind = raw.get("kind", "text")
    value = raw.get("value")
    if kind == "money" and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise TemplateError(f"{path}.value: a money limit is a whole number of fen")
    if kind == "list" and not (isinstance(value, Mapping) and isinstance(value.get("zh_CN"), list)):
        raise TemplateError(f"{path}.value: a list limit is {{'zh_CN': [...], 'en': [...]}}")
    if kind not in ("money", "percent", "list", "text"):
        raise TemplateError(f"{path}.kind: unknown kind {kind!r}")
    return Limit(raw["id"], kind, value, _labels(raw.get("label"), f"{path}.label"))


def template_from_raw(raw: Mapping[str, Any]) -> Template:
    """The checklist template in a form definition dict (``form.raw``)."""
    block = raw.get(TEMPLATE_KEY)
    if not isinstance(block, Mapping):
        raise TemplateError(f"{raw.get('id')}: no {TEMPLATE_KEY} block (not a checklist form)")
    limits_list = [_limit(x, f"limits[{i}]") for i, x in enumerate(block.get("limits", []))]
    limits = {x.id: x for x in limits_list}
    areas: list[Area] = []
    seen: set[str] = set()
    for a_no, a_raw in enumerate(block.get("areas") or []):
        a_path = f"areas[{a_no}]"
        if not isinstance(a_raw, Mapping) or not isinstance(a_raw.get("id"), str):
            raise TemplateError(f"{a_path}: expected an object with an id")
        items: list[Item] = []
        for i_no, i_raw in enumerate(a_raw.get("items") or []):
            i_path = f"{a_path}.items[{i_no}]"
            if not isinstance(i_raw, Mapping) or not isinstance(i_raw.get("id"), str):
                raise TemplateError(f"{i_path}: expected an object with an id")
            if i_raw["id"] in seen:
                raise TemplateError(f"{i_path}.id: duplicate item id {i_raw['id']!r}")
            seen.add(i_raw["id"])
            items.append(
                Item(
                    i_raw["id"],
                    a_raw["id"],
                    _labels(i_raw.get("topic") or {"zh_CN": ""}, f"{i_path}.topic"),
                    _fill(_labels(i_raw.get("rule"), f"{i_path}.rule"), limits, f"{i_path}.rule"),
                    _fill(
                        _labels(i_raw.get("guidance") or {"zh_CN": ""}, f"{i_path}.guidance"),
                        limits,
                        f"{i_path}.guidance",
                    ),
                )
            )
        areas.append(
            Area(a_raw["id"], _labels(a_raw.get("label"), f"{a_path}.label"), tuple(items))
        )
    if not seen:
        raise TemplateError("areas: a checklist template needs at least one item")
    return Template(
        str(raw.get("id")),
        int(raw.get("version", 1)),
        _labels(raw.get("title"), "title"),
        tuple(areas),
        tuple(limits_list),
    )


def blank_rows(template: Template) -> list[dict[str, Any]]:
    """The ``items`` rows of a new checklist: one per template item, nothing answered yet."""
    return [{"item_id": item.id} for item in template.items]


@dataclass
class Summary:
    """What a checklist comes to: counts per result, the money in question, rectifications."""

    counts: dict[str, int] = field(default_factory=dict)  # result (or "unanswered") -> items
    amount_in_question: int = 0  # fen, over the non-compliant items
    rectifications_required: int = 0
    open_rectifications: int = 0
    by_area: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def items(self) -> int:
        return sum(self.counts.values())

    @property
    def complete(self) -> bool:
        """Every item has a result."""
        return self.counts.get(UNANSWERED, 0) == 0


def _rows(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [r for r in (data.get("items") or []) if isinstance(r, Mapping)]


def summarize(
    template: Template | None,
    data: Mapping[str, Any],
    outcomes: Mapping[str, str] | None = None,
) -> Summary:
    """Counts per result, total amount in question (fen), required and still-open rectifications.

    ``outcomes`` maps item id -> latest rectification outcome; an item is open until its outcome
    is "done". Items the template does not know count under the area "other".
    """
    outcomes = outcomes or {}
    summary = Summary(counts={r: 0 for r in (*RESULTS, UNANSWERED)})
    area_of = {item.id: item.area for item in template.items} if template else {}
    for row in _rows(data):
        result = str(row["result"]) if row.get("result") in RESULTS else UNANSWERED
        summary.counts[result] += 1
        area = summary.by_area.setdefault(
            area_of.get(str(row.get("item_id")), "other"), {r: 0 for r in (*RESULTS, UNANSWERED)}
        )
        area[result] += 1
        if result == NONCOMPLIANT and isinstance(row.get("amount"), int):
            summary.amount_in_question += int(row["amount"])
        if row.get("rectify"):
            summary.rectifications_required += 1
            if outcomes.get(str(row.get("item_id"))) != OUTCOME_DONE:
                summary.open_rectifications += 1
    return summary


@dataclass(frozen=True)
class Rectification:
    """One rectification item of a checklist and its state on the day asked."""

    item_id: str
    owner: str
    deadline: str | None  # ISO date
    finding: str
    amount: int | None
    outcome: str | None
    state: str  # open / due / overdue / closed
    days_left: int | None  # negative when overdue


def rectification_state(
    deadline: str | None,
    outcome: str | None,
    today: _dt.date,
    due_within_days: int = DUE_WITHIN_DAYS,
) -> tuple[str, int | None]:
    """(state, days left) of one rectification: closed once done, else by its deadline."""
    if outcome == OUTCOME_DONE:
        return CLOSED, None
    if not deadline:
        return OPEN, None
    try:
        days = (_dt.date.fromisoformat(str(deadline)) - today).days
    except ValueError:
        return OPEN, None
    if days < 0:
        return OVERDUE, days
    if days <= due_within_days:
        return DUE, days
    return OPEN, days


def rectifications(
    data: Mapping[str, Any],
    today: _dt.date,
    outcomes: Mapping[str, str] | None = None,
    *,
    include_closed: bool = False,
) -> list[Rectification]:
    """The rectification items of one checklist (in item order) with their state on ``today``."""
    outcomes = outcomes or {}
    out: list[Rectification] = []
    for row in _rows(data):
        if not row.get("rectify"):
            continue
        item_id = str(row.get("item_id"))
        outcome = outcomes.get(item_id)
        state, days = rectification_state(row.get("deadline"), outcome, today)
        if state == CLOSED and not include_closed:
            continue
        amount = row.get("amount")
        out.append(
            Rectification(
                item_id,
                str(row.get("owner") or ""),
                row.get("deadline"),
                str(row.get("finding") or ""),
                amount if isinstance(amount, int) else None,
                outcome,
                state,
                days,
            )
        )
    return out


def sort_by_urgency(items: Iterable[Any], key_state: str = "state") -> list[Any]:
    """Overdue first, then due, then open, then closed; earlier deadline first within each."""
    order = {OVERDUE: 0, DUE: 1, OPEN: 2, CLOSED: 3}

    def key(x: Any) -> tuple[int, str]:
        return order.get(getattr(x, key_state), 9), getattr(x, "deadline", None) or "9999"

    return sorted(items, key=key)


def missing_items(template: Template, data: Mapping[str, Any]) -> list[str]:
    """Template item ids that have no row in the checklist."""
    present = {str(r.get("item_id")) for r in _rows(data)}
    return [item.id for item in template.items if item.id not in present]


def result_label(result: str | None, lang: str = "zh_CN") -> str:
    labels = RESULT_LABELS.get(result or "")
    return labels.get(lang, labels["zh_CN"]) if labels else ""


_messages.register(MESSAGES)

__all__: Sequence[str] = [
    "Area",
    "Item",
    "Limit",
    "MESSAGES",
    "Rectification",
    "Summary",
    "Template",
    "TemplateError",
    "blank_rows",
    "missing_items",
    "rectification_state",
    "rectifications",
    "result_label",
    "sort_by_urgency",
    "summarize",
    "template_from_raw",
    "yuan",
]
