"""Validation: raw record data in, normalised values + error codes out.

``build_plan`` runs once per definition (at load) and precomputes, per field, a parser closure
(empty check + memo + type parse), the default, the dumper and the order of
``relevant``/``calculate``/``fill``; ``validate`` then is a few dict operations per field.
Steps for one record:

1. parse every input field (strings from widgets or Excel are fine), remembering type errors;
2. in dependency order: hide non-relevant fields (cleared, their errors dropped), compute
   ``calculate`` values, ``fill`` empty fields; repeat-group rows are processed the same way;
3. check ``required`` and ``constraint`` on the fields that remain; kind-dependent ID checks;
4. dump values to their stored JSON form (the working dict becomes ``values``);
5. when the fields are valid, derived results the record stores (an assessment's ``result``, a
   signed-off checklist's answers) are recomputed from its own inputs (:mod:`forms.derived`).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from forms import derived, ids
from forms.errors import FieldError, InvalidValue
from forms.expr import TODAY_KEY, truth
from forms.types import INVALID_CODE, TODAY_AWARE, TYPES, _same, check_other_document

#: id_type choice values whose number is checked as a GB 11643 resident ID.
RESIDENT_ID_KINDS = frozenset({"resident_id", "hmt_residence_permit"})
_MISSING = object()
#: Types whose parse result depends only on the raw string (and today): memoised per field,
#: since imports repeat the same choice labels, flags and dates row after row.
_CACHED_TYPES = frozenset(
    {
        "choice",
        "boolean",
        "date",
        "datetime",
        "integer",
        "year",
        "money",
        "decimal",
        "reference",
        "division_code",
    }
)
_CACHE_SIZE = 4096


@dataclass(slots=True)
class ValidationResult:
    """``ok`` when no errors; ``values`` normalised; ``hidden`` the non-relevant top fields."""

    values: dict[str, Any]
    errors: list[FieldError] = field(default_factory=list)
    warnings: list[FieldError] = field(default_factory=list)
    hidden: frozenset[str] = frozenset()

    @property
    def ok(self) -> bool:
        return not self.errors

    def errors_for(self, path: str) -> list[FieldError]:
        """Errors of one field path (``"name"``, ``"changes[0].date"``)."""
        return [e for e in self.errors if e.field == path]


class _Err:
    """A memoised parse failure (re-raised as a fresh InvalidValue)."""

    __slots__ = ("code", "params")

    def __init__(self, code: str, params: dict[str, Any]) -> None:
        self.code, self.params = code, params


Parser = Callable[[Any, _dt.date], Any]


def _guarded(type_parse: Callable[..., Any], code: str) -> Callable[..., Any]:
    """The type's parse with a safety net: any unexpected failure on odd input (a NaN, a
    bytes object, a nested list) becomes the type's own error code, never an exception."""

    def parse(*args: Any) -> Any:
        try:
            return type_parse(*args)
        except InvalidValue:
            raise
        except (ValueError, TypeError, ArithmeticError, AttributeError, OverflowError):
            raise InvalidValue(code) from None

    return parse


def _make_parser(
    f: Any, aware_caches: list[dict[str, Any]]
) -> tuple[Parser, dict[str, Any] | None]:
    """One closure per field: empty -> None, else the type's parse; and, when the type is pure
    (its result depends only on the raw string and today), the field's memo of raw string ->
    value or :class:`_Err`, which ``_parse`` reads inline (the closure fills it on a miss). A
    today-aware type's memo goes into ``aware_caches``: validate clears those when today moves."""
    raw_parse = TYPES[f.type].parse
    parse = _guarded(raw_parse, INVALID_CODE[f.type])
    aware = f.type in TODAY_AWARE
    if f.type not in _CACHED_TYPES:
        bad = INVALID_CODE[f.type]

        def plain(raw: Any, today: _dt.date) -> Any:
            if raw.__class__ is str:
                if not raw or raw.isspace():
                    return None
            elif raw is None:
                return None
            try:
                return raw_parse(raw, f)
            except InvalidValue:
                raise
            except (ValueError, TypeError, ArithmeticError, AttributeError, OverflowError):
                raise InvalidValue(bad) from None

        return plain, None
    cache: dict[str, Any] = {}
    if aware:
        aware_caches.append(cache)

    def cached(raw: Any, today: _dt.date) -> Any:
        if raw.__class__ is not str:
            if raw is None:
                return None
            return parse(raw, f, today) if aware else parse(raw, f)
        hit = cache.get(raw, _MISSING)
        if hit is _MISSING:
            if not raw or raw.isspace():
                hit = None
            else:
                try:
                    hit = parse(raw, f, today) if aware else parse(raw, f)
                except InvalidValue as exc:
                    hit = _Err(exc.code, exc.params)
            if len(cache) >= _CACHE_SIZE:
                cache.clear()
            cache[raw] = hit
        if hit.__class__ is _Err:
            raise InvalidValue(hit.code, **hit.params)
        return hit

    return cached, cache


#: a field's checks, precomputed: (id, required, id_type_field, ((constraint fn, code, is an
#: error), …))
_Checks = tuple[str, bool, str | None, tuple[tuple[Any, str, bool], ...]]


def _checks(f: Any) -> _Checks:
    return (
        f.id,
        f.required,
        f.id_type_field,
        tuple((c.expr.fn, c.code, c.severity == "error") for c in f.constraint),
    )


@dataclass(slots=True)
class _Level:
    """The precomputed work for one level: the record's top fields or a group's row fields."""

    order: list[str]  # every field id, in form order
    #: (id, default, parser, memo or None) of the input, non-repeat fields
    parsers: list[tuple[str, Any, Parser, dict[str, Any] | None]]
    repeats: list[str]  # repeat field ids (top level only)
    steps: list[
        tuple[str, Any, Any, Any, Any, bool]
    ]  # (id, relevant, calculate, fill, compute, repeat)
    required: list[str]  # fields whose only check is "required"
    checked: list[_Checks]  # fields with constraints / kind-dependent checks
    dumpers: list[tuple[str, Callable[[Any], Any]]]
    position: dict[str, int]
    known: frozenset[str]


@dataclass(slots=True)
class Plan:
    """What validate needs, precomputed once per definition."""

    top: _Level
    rows: dict[str, _Level]
    groups: dict[str, Any]  # repeat field id -> Field
    group_checks: dict[str, _Checks]  # repeat field id -> its group-level checks
    aware_caches: list[dict[str, Any]]  # memos of today-aware parsers (cleared when today moves)
    day: list[_dt.date | None]  # the today those memos were filled for


def _level(fields: list[Any], order: list[Any], aware_caches: list[dict[str, Any]]) -> _Level:
    steps = []
    for f in order:
        if f.relevant or f.calculate or f.fill or f.type == "repeat":
            steps.append(
                (
                    f.id,
                    f.relevant.fn if f.relevant else None,
                    f.calculate.fn if f.calculate else None,
                    f.fill.fn if f.fill else None,
                    TYPES[f.type].compute,
                    f.type == "repeat",
                )
            )
    return _Level(
        order=[f.id for f in fields],
        parsers=[
            (f.id, f.default, *_make_parser(f, aware_caches))
            for f in fields
            if f.calculate is None and f.type != "repeat"
        ],
        repeats=[f.id for f in fields if f.type == "repeat"],
        steps=steps,
        required=[
            f.id
            for f in fields
            if f.required and not f.constraint and f.id_type_field is None and f.type != "repeat"
        ],
        checked=[
            _checks(f)
            for f in fields
            if (f.constraint or f.id_type_field is not None) and f.type != "repeat"
        ],
        dumpers=[(f.id, TYPES[f.type].dump) for f in fields if TYPES[f.type].dump is not _same],
        position={f.id: i for i, f in enumerate(fields)},
        known=frozenset(f.id for f in fields),
    )


def build_plan(form: Any, order: list[Any], row_orders: dict[str, list[Any]]) -> Plan:
    """Precompute the per-field work for ``form`` (called once by the loader)."""
    groups = {f.id: f for f in form.fields if f.type == "repeat"}
    aware: list[dict[str, Any]] = []
    rows = {gid: _level(g.fields, row_orders[gid], aware) for gid, g in groups.items()}
    checks = {gid: _checks(g) for gid, g in groups.items()}
    return Plan(_level(form.fields, order, aware), rows, groups, checks, aware, [None])


def _parse(
    lv: _Level, data: Mapping[str, Any], errs: dict[str, FieldError], prefix: str, today: _dt.date
) -> dict[str, Any]:
    out = dict.fromkeys(lv.order)
    get = data.get
    for fid, default, parse, memo in lv.parsers:
        raw = get(fid, _MISSING)
        if raw is _MISSING:
            out[fid] = default
            continue
        if memo is not None and raw.__class__ is str:  # a memo hit without a call
            hit = memo.get(raw, _MISSING)
            if hit is not _MISSING and hit.__class__ is not _Err:
                out[fid] = hit
                continue
        try:
            out[fid] = parse(raw, today)
        except InvalidValue as exc:
            errs[fid] = FieldError(exc.code, prefix + fid, exc.params)
    return out


def _steps(
    lv: _Level,
    top: dict[str, Any],
    row: dict[str, Any] | None,
    target: dict[str, Any],
    hidden: set[str],
    repeat: Callable[[str], Any] | None = None,
) -> None:
    """Run relevant/calculate/fill in dependency order; ``repeat(gid)`` fills a repeat group."""
    for fid, rel, calc, fill, compute, is_repeat in lv.steps:
        if rel is not None:
            r = rel(top, row)
            if r is not True and truth(r) is not True:
                target[fid] = None
                hidden.add(fid)
                continue
        if is_repeat:
            if repeat is not None:
                target[fid] = repeat(fid)
        elif calc is not None:
            target[fid] = compute(calc(top, row))
        elif fill is not None and target[fid] is None:
            target[fid] = compute(fill(top, row))


def _check(
    spec: _Checks,
    prefix: str,
    top: dict[str, Any],
    row: dict[str, Any] | None,
    target: dict[str, Any],
    errors: list[FieldError],
    warnings: list[FieldError],
    today: _dt.date,
) -> None:
    fid, required, id_type_field, constraints = spec
    value = target[fid]
    if value is None:
        if required:
            errors.append(FieldError("required", prefix + fid))
            return
    elif id_type_field is not None:
        kind = target.get(id_type_field)
        try:
            if kind in RESIDENT_ID_KINDS or kind is None:
                target[fid] = ids.validate_resident_id(value, today)
            else:
                target[fid] = check_other_document(value)
        except InvalidValue as exc:
            errors.append(FieldError(exc.code, prefix + fid, exc.params))
            target[fid] = None
            return
    for fn, code, is_error in constraints:
        r = fn(top, row)
        if r is False or (r is not True and r is not None and truth(r) is False):
            (errors if is_error else warnings).append(FieldError(code, prefix + fid))


def _check_level(
    lv: _Level,
    prefix: str,
    top: dict[str, Any],
    row: dict[str, Any] | None,
    target: dict[str, Any],
    hidden: set[str],
    perr: dict[str, FieldError],
    errors: list[FieldError],
    warnings: list[FieldError],
    today: _dt.date,
) -> None:
    for fid in lv.required:
        if target[fid] is None and fid not in hidden and fid not in perr:
            errors.append(FieldError("required", prefix + fid))
    for spec in lv.checked:
        if spec[0] not in hidden and spec[0] not in perr:
            _check(spec, prefix, top, row, target, errors, warnings, today)
    for fid, err in perr.items():
        if fid not in hidden:
            errors.append(err)


def _finish(lv: _Level, values: dict[str, Any], hidden: set[str]) -> None:
    """Turn the working dict into stored values in place."""
    for fid in hidden:
        del values[fid]
    for fid, dump in lv.dumpers:
        v = values.get(fid)
        if v is not None:
            values[fid] = dump(v)


def _rows(
    g: Any,
    lv: _Level,
    top: dict[str, Any],
    raw: Any,
    perr: dict[str, FieldError],
    errors: list[FieldError],
    warnings: list[FieldError],
    today: _dt.date,
) -> Any:
    gid = g.id
    if raw is None or raw == "":
        rows: list[Any] = []
        result = None
    elif raw.__class__ is not list and (
        isinstance(raw, Mapping | str | bytes) or not isinstance(raw, list | tuple)
    ):
        perr[gid] = FieldError("repeat.format", gid)
        return None
    else:
        rows = raw
        if len(rows) > g.max_rows:
            errors.append(FieldError("repeat.too_many", gid, {"max": g.max_rows}))
            rows = rows[: g.max_rows]
        result = []
    need = max(g.min_rows, 1 if g.required else 0)
    if len(rows) < need:
        errors.append(
            FieldError("repeat.too_few", gid, {"min": need})
            if rows
            else FieldError("required", gid)
        )
    for i, r in enumerate(rows):
        prefix = f"{gid}[{i}]."
        rerr: dict[str, FieldError] = {}
        if r.__class__ is not dict and not isinstance(r, Mapping):
            errors.append(FieldError("repeat.row_format", f"{gid}[{i}]"))
            result.append(dict.fromkeys(lv.order))
            continue
        row = _parse(lv, r, rerr, prefix, today)
        h: set[str] = set()
        _steps(lv, top, row, row, h)
        _check_level(lv, prefix, top, row, row, h, rerr, errors, warnings, today)
        for fid in rerr:
            row[fid] = None
        _finish(lv, row, h)
        result.append(row)
    return result


def _sort_key(plan: Plan) -> Callable[[FieldError], tuple[int, int, int]]:
    pos = plan.top.position

    def key(e: FieldError) -> tuple[int, int, int]:
        head, _, rest = e.field.partition("[")
        if not rest:
            return (pos.get(head, -1), -1, -1)
        index, _, sub = rest.partition("].")
        lv = plan.rows.get(head)
        sub_pos = lv.position.get(sub, -1) if lv is not None else -1
        return (
            pos.get(head, -1),
            int(index.rstrip("]")) if index.rstrip("]").isdigit() else 0,
            sub_pos,
        )

    return key


def validate(
    form: Any, data: Mapping[str, Any], *, today: _dt.date | None = None, final: bool = False
) -> Any:
    """Validate one record of ``form``; see the module docstring. Never raises on bad data.

    ``final``: the record is ready / signed off (not a draft), so its derived results must be
    there as well as agree (:func:`forms.derived.check`)."""
    plan: Plan = form.plan
    lv = plan.top
    today = today or _dt.date.today()
    if plan.day[0] != today:  # parsed dates are checked against today: memos of another day go
        for memo in plan.aware_caches:
            memo.clear()
        plan.day[0] = today
    if data.__class__ is not dict and not isinstance(data, Mapping):
        return ValidationResult({}, [FieldError("record.format", "")])
    perr: dict[str, FieldError] = {}
    top = _parse(lv, data, perr, "", today)
    for gid in lv.repeats:
        top[gid] = data.get(gid)
    top[TODAY_KEY] = today
    errors: list[FieldError] = []
    warnings: list[FieldError] = []
    hidden: set[str] = set()
    _steps(
        lv,
        top,
        None,
        top,
        hidden,
        lambda gid: _rows(
            plan.groups[gid], plan.rows[gid], top, top[gid], perr, errors, warnings, today
        ),
    )
    for gid in lv.repeats:  # group-level constraints
        g = plan.groups[gid]
        if g.constraint and gid not in hidden and gid not in perr:
            _check(plan.group_checks[gid], "", top, None, top, errors, warnings, today)
    _check_level(lv, "", top, None, top, hidden, perr, errors, warnings, today)
    for fid in perr:
        top[fid] = None
    if len(errors) > 1:
        errors.sort(key=_sort_key(plan))
    del top[TODAY_KEY]
    _finish(lv, top, hidden)
    if not errors:
        errors = derived.check(form, top, final=final)
    if not lv.known.issuperset(data):
        for key in data:
            if key not in lv.known:
                warnings.append(FieldError("field.unknown", str(key)[:100]))
    return ValidationResult(top, errors, warnings, frozenset(hidden))
