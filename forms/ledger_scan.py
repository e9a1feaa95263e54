"""Scanning a journal for the doubts (疑点) a funds review looks for — rules as data.

The rule set lives in the checklist template (``x_checklist.scan``): account classes, and a list
of rules, each with a ``code``, a ``kind`` (which check it runs), the checklist ``item`` it
supports, texts (``label``, ``why`` with ``{placeholders}``) and its ``params`` — keyword lists,
thresholds, windows. A threshold may name a template limit (``"limit": "cash_on_hand_limit"``)
so a number printed on the checklist and the one the scan uses are the same. A province changes
any of it by publishing a new template version.

:func:`rules_from_raw` reads the block, :func:`scan` runs every rule over the lines and returns
:class:`Doubt` s: rule, item, vouchers, amount (fen), why. A doubt's :attr:`Doubt.key` (rule +
vouchers) stays the same when the same ledger is scanned again, so decisions are kept. Pure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date as _date
from typing import Any

from forms.checklist import TEMPLATE_KEY, Template, yuan
from forms.ledger import AccountClasses, Line, Voucher, voucher_key, vouchers

SCAN_KEY = "scan"


class RuleError(ValueError):
    """The scan block of a template is malformed (the message names the path)."""


@dataclass(frozen=True)
class Rule:
    code: str
    kind: str
    item: str
    label: Mapping[str, str]
    why: Mapping[str, str]
    params: Mapping[str, Any]

    def title(self, lang: str = "zh_CN") -> str:
        return self.label.get(lang) or self.label["zh_CN"]

    def words(self, name: str) -> tuple[str, ...]:
        return tuple(str(x) for x in self.params.get(name) or ())


@dataclass(frozen=True)
class RuleSet:
    accounts: AccountClasses
    rules: tuple[Rule, ...]
    limits: Mapping[str, Any]  # limit id -> value (fen for money)

    def value(self, rule: Rule, name: str, default: Any = None) -> Any:
        """A parameter, or the template limit it names (``{"limit": id}``)."""
        v = rule.params.get(name, default)
        if isinstance(v, Mapping) and "limit" in v:
            return self.limits[str(v["limit"])]
        return v

    def shown_params(self, rule: Rule, lang: str = "zh_CN") -> list[tuple[str, str]]:
        """(parameter, value) as printed: money in yuan, lists joined."""
        out: list[tuple[str, str]] = []
        for name, v in rule.params.items():
            if isinstance(v, Mapping) and "limit" in v:
                v = self.limits.get(str(v["limit"]))
            if isinstance(v, Mapping) and ("zh_CN" in v or lang in v):
                v = v.get(lang) or v.get("zh_CN")
            if isinstance(v, Mapping):
                text = "，".join(f"{k}: {'/'.join(map(str, x))}" for k, x in v.items())
            elif isinstance(v, list | tuple):
                text = "、".join(str(x) for x in v)
            elif isinstance(v, int) and (name.endswith("_fen") or name in MONEY_PARAMS):
                text = yuan(v)
            else:
                text = str(v)
            out.append((name, text))
        return out


MONEY_PARAMS = {"threshold", "limit_per_member", "cash_limit", "min_amount"}


@dataclass(frozen=True)
class Doubt:
    """One doubt: which rule, which vouchers, how much, and why."""

    rule: str
    item: str
    vouchers: tuple[tuple[str, str], ...]  # (voucher key, date)
    numbers: tuple[str, ...]  # voucher numbers as written (凭证字号)
    amount: int  # fen
    why: Mapping[str, str]

    @property
    def key(self) -> str:
        return self.rule + ":" + ",".join(sorted(k for k, _ in self.vouchers))

    def reason(self, lang: str = "zh_CN") -> str:
        return self.why.get(lang) or self.why.get("zh_CN", "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "rule": self.rule,
            "item": self.item,
            "vouchers": [list(v) for v in self.vouchers],
            "numbers": list(self.numbers),
            "amount": self.amount,
            "why": dict(self.why),
        }


@dataclass
class Context:
    """What the scan knows beyond the ledger."""

    members: int | None = None  # members of the union (roster, or its record's count)
    payroll: int | None = None  # fen, the year's payroll when known


def _labels(raw: Any, path: str) -> dict[str, str]:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("zh_CN"), str):
        raise RuleError(f"{path}: expected {{'zh_CN': ..., 'en': ...}}")
    return {str(k): str(v) for k, v in raw.items()}


def rules_from_raw(raw: Mapping[str, Any], template: Template | None = None) -> RuleSet:
    """The scan rule set in a checklist definition dict (``form.raw``)."""
    block = (raw.get(TEMPLATE_KEY) or {}).get(SCAN_KEY)
    if not isinstance(block, Mapping):
        raise RuleError(f"{raw.get('id')}: no {TEMPLATE_KEY}.{SCAN_KEY} block")
    limits = {
        str(x["id"]): x.get("value") for x in (raw.get(TEMPLATE_KEY) or {}).get("limits") or []
    }
    items = {i.id for i in template.items} if template else None
    rules: list[Rule] = []
    for n, r in enumerate(block.get("rules") or []):
        path = f"scan.rules[{n}]"
        if not isinstance(r, Mapping) or not isinstance(r.get("code"), str):
            raise RuleError(f"{path}: expected an object with a code")
        if r.get("kind") not in CHECKS:
            raise RuleError(f"{path}.kind: unknown kind {r.get('kind')!r}")
        if items is not None and r.get("item") not in items:
            raise RuleError(f"{path}.item: {r.get('item')!r} is not an item of the template")
        params = dict(r.get("params") or {})
        for name, v in params.items():
            if isinstance(v, Mapping) and "limit" in v and str(v["limit"]) not in limits:
                raise RuleError(f"{path}.params.{name}: unknown limit {v['limit']!r}")
        rules.append(
            Rule(
                r["code"],
                r["kind"],
                str(r.get("item")),
                _labels(r.get("label"), f"{path}.label"),
                _labels(r.get("why"), f"{path}.why"),
                params,
            )
        )
    return RuleSet(AccountClasses(block.get("accounts")), tuple(rules), limits)


def _fill(rule: Rule, **values: Any) -> dict[str, str]:
    shown = {
        k: (yuan(v) if k.endswith("amount") or k in MONEY_PARAMS else v) for k, v in values.items()
    }
    out: dict[str, str] = {}
    for lang, text in rule.why.items():
        try:
            out[lang] = text.format_map(shown)
        except (KeyError, IndexError, ValueError):
            out[lang] = text
    return out


def _has(text: str, words: Sequence[str]) -> bool:
    return any(w in text for w in words)


def _doubt(rule: Rule, vs: Sequence[Voucher], amount: int, **why: Any) -> Doubt:
    return Doubt(
        rule.code,
        rule.item,
        tuple((v.key, v.date) for v in vs),
        tuple(v.number for v in vs),
        amount,
        _fill(rule, amount=amount, vouchers="、".join(v.number for v in vs), **why),
    )


class _Scan:
    """One run: the vouchers and their expense lines, worked out once for every rule."""

    def __init__(self, lines: Sequence[Line], rs: RuleSet, ctx: Context) -> None:
        self.rs, self.ctx = rs, ctx
        self.lines = lines
        self.vouchers = vouchers(lines)
        acc = rs.accounts
        # (voucher, expense amount, its summaries, paid in cash)
        self.spending: list[tuple[Voucher, int, str, bool]] = []
        for v in self.vouchers:
            exp = [x for x in v.lines if x.debit and acc.is_("expense", x)]
            if not exp:
                continue
            text = " ".join(dict.fromkeys(x.summary for x in v.lines if x.summary))
            cash = any(x.credit and acc.is_("cash", x) for x in v.lines)
            self.spending.append((v, sum(x.debit for x in exp), text, cash))


def _keywords(s: _Scan, rule: Rule) -> list[Doubt]:
    """Spending whose summary names a keyword and none of the exceptions; ``cash_words`` are
    also raised when the voucher is paid from cash and names a ``gift_words`` word."""
    words, unless = rule.words("keywords"), rule.words("except")
    gift, min_amount = rule.words("gift_words"), int(s.rs.value(rule, "min_amount", 0) or 0)
    out = []
    for v, amount, text, cash in s.spending:
        if amount < min_amount or _has(text, unless):
            continue
        hit = next((w for w in words if w in text), None)
        if hit is None and gift and cash and rule.params.get("cash_payment"):
            hit = next((w for w in gift if w in text), None)
        if hit is not None:
            out.append(_doubt(rule, [v], amount, word=hit, summary=text))
    return out


def _gift_vouchers(s: _Scan, rule: Rule) -> list[tuple[Voucher, int, str]]:
    words, unless = rule.words("gift_words"), rule.words("except")
    return [(v, a, t) for v, a, t, _ in s.spending if _has(t, words) and not _has(t, unless)]


def _festival_outside(s: _Scan, rule: Rule) -> list[Doubt]:
    allowed = s.rs.value(rule, "festivals") or []
    if isinstance(allowed, Mapping):
        allowed = allowed.get("zh_CN") or []
    aliases = rule.params.get("aliases") or {}
    names = [*allowed, *(a for f in allowed for a in aliases.get(f, []))]
    return [
        _doubt(rule, [v], a, summary=t) for v, a, t in _gift_vouchers(s, rule) if not _has(t, names)
    ]


def _festival_limit(s: _Scan, rule: Rule) -> list[Doubt]:
    members = s.ctx.members
    limit = int(s.rs.value(rule, "limit_per_member", 0) or 0)
    gifts = _gift_vouchers(s, rule)
    if not members or not gifts:
        return []
    total = sum(a for _, a, _ in gifts)
    allowed = limit * members
    if total <= allowed:
        return []
    per = total // members
    return [
        _doubt(
            rule,
            [v for v, _, _ in gifts],
            total - allowed,
            total=yuan(total),
            members=members,
            per_member=yuan(per),
            limit=yuan(limit),
        )
    ]


def _days(a: str, b: str) -> int:
    return (_date.fromisoformat(b) - _date.fromisoformat(a)).days


def _by_payee(s: _Scan, rule: Rule) -> dict[str, list[tuple[Voucher, int, str]]]:
    unless = rule.words("except")
    out: dict[str, list[tuple[Voucher, int, str]]] = defaultdict(list)
    for v, a, t, _ in s.spending:
        if v.payee and not _has(t, unless):
            out[v.payee].append((v, a, t))
    for group in out.values():
        group.sort(key=lambda x: x[0].date)
    return out


def _split_purchase(s: _Scan, rule: Rule) -> list[Doubt]:
    threshold = int(s.rs.value(rule, "threshold", 0) or 0)
    window = int(rule.params.get("window_days", 30))
    out = []
    for payee, group in _by_payee(s, rule).items():
        small = [g for g in group if g[1] < threshold]
        i = 0
        while i < len(small):
            j = i
            while j + 1 < len(small) and _days(small[i][0].date, small[j + 1][0].date) <= window:
                j += 1
            run = small[i : j + 1]
            total = sum(a for _, a, _ in run)
            if len(run) >= 2 and total >= threshold:
                out.append(
                    _doubt(
                        rule,
                        [v for v, _, _ in run],
                        total,
                        payee=payee,
                        count=len(run),
                        days=window,
                        threshold=threshold,
                    )
                )
                i = j + 1
            else:
                i += 1
    return out


def _duplicate(s: _Scan, rule: Rule) -> list[Doubt]:
    window = int(rule.params.get("window_days", 7))
    out = []
    for payee, group in _by_payee(s, rule).items():
        seen: dict[int, tuple[Voucher, int, str]] = {}
        for v, a, t in group:
            prev = seen.get(a)
            if prev is not None and _days(prev[0].date, v.date) <= window:
                out.append(_doubt(rule, [prev[0], v], a, payee=payee, days=window))
            seen[a] = (v, a, t)
    return out


def _cash_limit(s: _Scan, rule: Rule) -> list[Doubt]:
    """The running balance of the cash account at the end of each day, against the limit."""
    limit = int(s.rs.value(rule, "cash_limit", 0) or 0)
    acc = s.rs.accounts
    days: dict[str, int] = {}
    draws: dict[str, list[Voucher]] = defaultdict(list)
    by_key = {v.key: v for v in s.vouchers}
    for line in sorted(s.lines, key=lambda x: x.date):
        if acc.is_("cash", line):
            days[line.date] = days.get(line.date, 0) + line.debit - line.credit
            if line.debit:
                draws[line.date].append(by_key[voucher_key(line)])
    out: list[Doubt] = []
    balance, peak = 0, 0
    episode: list[Voucher] = []
    for day in sorted(days):
        balance += days[day]
        if balance > limit:
            if not episode:
                episode = list(dict.fromkeys(draws.get(day) or []))
            peak = max(peak, balance)
        elif episode:
            out.append(_doubt(rule, episode, peak - limit, balance=yuan(peak), limit=yuan(limit)))
            episode, peak = [], 0
    if episode:
        out.append(_doubt(rule, episode, peak - limit, balance=yuan(peak), limit=yuan(limit)))
    return out


def _no_documents(s: _Scan, rule: Rule) -> list[Doubt]:
    min_amount = int(s.rs.value(rule, "min_amount", 0) or 0)
    return [
        _doubt(rule, [v], a, summary=t)
        for v, a, t, _ in s.spending
        if v.attachments == 0 and a >= min_amount
    ]


def _income_vs_payroll(s: _Scan, rule: Rule) -> list[Doubt]:
    """Income booked to an account class against payroll × rate % (× share %)."""
    if not s.ctx.payroll:
        return []
    expected = s.ctx.payroll * float(s.rs.value(rule, "rate", 0)) / 100
    for share in rule.params.get("shares") or []:
        v = share
        if isinstance(v, Mapping) and "limit" in v:
            v = s.rs.limits[str(v["limit"])]
        expected = expected * float(v) / 100
    tolerance = float(rule.params.get("tolerance_percent", 0)) / 100
    cls = str(rule.params.get("account", ""))
    got = [x for x in s.lines if x.credit and s.rs.accounts.is_(cls, x)]
    booked = sum(x.credit for x in got)
    if booked >= int(expected * (1 - tolerance)):
        return []
    by_key = {v.key: v for v in s.vouchers}
    vs = list(dict.fromkeys(by_key[voucher_key(x)] for x in got))
    return [
        _doubt(rule, vs, int(expected) - booked, booked=yuan(booked), expected=yuan(int(expected)))
    ]


CHECKS: dict[str, Callable[[_Scan, Rule], list[Doubt]]] = {
    "keywords": _keywords,
    "festival_outside": _festival_outside,
    "festival_limit": _festival_limit,
    "split_purchase": _split_purchase,
    "duplicate_payment": _duplicate,
    "cash_limit": _cash_limit,
    "no_documents": _no_documents,
    "income_vs_payroll": _income_vs_payroll,
}


def scan(lines: Sequence[Line], rules: RuleSet, context: Context | None = None) -> list[Doubt]:
    """Every doubt the rules find, rule by rule in the rule set's order."""
    s = _Scan(lines, rules, context or Context())
    out: list[Doubt] = []
    for rule in rules.rules:
        out.extend(CHECKS[rule.kind](s, rule))
    return out
