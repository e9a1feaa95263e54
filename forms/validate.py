"""Validation: raw record data in, normalised values + error codes out.

``build_plan`` runs once per definition (at load) and precomputes, per field, the parser, the
default, the dumper and the order of ``relevant``/``calculate``/``fill``; ``validate`` then is a
few dict operations per field. Steps for one record:

1. parse every input field (strings from widgets or Excel are fine), remembering type errors;
2. in dependency order: hide non-relevant fields (cleared, their errors dropped), compute
   ``calculate`` values, ``fill`` empty fields; repeat-group rows are processed the same way;
3. check ``required`` and ``constraint`` on the fields that remain; kind-dependent ID checks;
4. dump values to their stored JSON form.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from forms import ids
from forms.errors import FieldError, InvalidValue
from forms.expr import TODAY_KEY, truth
from forms.types import TODAY_AWARE, TYPES, check_other_document

#: id_type choice values whose number is checked as a GB 11643 resident ID.
RESIDENT_ID_KINDS = frozenset({"resident_id", "hmt_residence_permit"})
_MISSING = object()


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


@dataclass(slots=True)
class _Slot:
    id: str
    field: Any
    parse: Any
    today_aware: bool
    default: Any
    dump: Any
    compute: Any
    is_input: bool
    is_step: bool
    checks: bool
    is_repeat: bool
    required_only: bool


@dataclass(slots=True)
class Plan:
    """What validate needs, precomputed: slots in form order, steps in dependency order."""

    slots: list[_Slot]
    steps: list[_Slot]
    row_slots: dict[str, list[_Slot]]
    row_steps: dict[str, list[_Slot]]
    known: frozenset[str]
    checked: list[_Slot]
    position: dict[str, int]


def _slot(f: Any) -> _Slot:
    t = TYPES[f.type]
    is_step = f.relevant is not None or f.calculate is not None or f.fill is not None
    return _Slot(
        id=f.id,
        field=f,
        parse=t.parse,
        today_aware=f.type in TODAY_AWARE,
        default=f.default,
        dump=None if t.dump is _identity_dump(t) and f.type != "repeat" else t.dump,
        compute=t.compute,
        is_input=f.calculate is None,
        is_step=is_step or f.type == "repeat",
        checks=f.required or bool(f.constraint) or f.id_type_field is not None,
        is_repeat=f.type == "repeat",
        required_only=f.required
        and not f.constraint
        and f.id_type_field is None
        and f.type != "repeat",
    )


def _identity_dump(t: Any) -> Any:
    from forms.types import _same

    return _same


def build_plan(form: Any, order: list[Any], row_orders: dict[str, list[Any]]) -> Plan:
    """Precompute the per-field work for ``form`` (called once by the loader)."""
    slots = [_slot(f) for f in form.fields]
    by_id = {s.id: s for s in slots}
    steps = [by_id[f.id] for f in order if by_id[f.id].is_step]
    row_slots: dict[str, list[_Slot]] = {}
    row_steps: dict[str, list[_Slot]] = {}
    for f in form.fields:
        if f.type == "repeat":
            rs = [_slot(x) for x in f.fields]
            row_slots[f.id] = rs
            rby = {s.id: s for s in rs}
            row_steps[f.id] = [rby[x.id] for x in row_orders[f.id] if rby[x.id].is_step]
    checked = [s for s in slots if s.checks or s.is_repeat]
    position = {s.id: i for i, s in enumerate(slots)}
    return Plan(slots, steps, row_slots, row_steps, frozenset(by_id), checked, position)


def _parse_into(
    slots: list[_Slot],
    data: Mapping[str, Any],
    out: dict[str, Any],
    errs: dict[str, FieldError],
    prefix: str,
    today: _dt.date,
) -> None:
    get = data.get
    for s in slots:
        fid = s.id
        if not s.is_input:
            out[fid] = None
            continue
        raw = get(fid, _MISSING)
        if raw is _MISSING:
            out[fid] = s.default
        elif raw is None or s.is_repeat:
            out[fid] = raw
        elif raw.__class__ is str and (not raw or raw.isspace()):
            out[fid] = None
        else:
            try:
                out[fid] = s.parse(raw, s.field, today) if s.today_aware else s.parse(raw, s.field)
            except InvalidValue as exc:
                errs[fid] = FieldError(exc.code, prefix + fid, exc.params)
                out[fid] = None


def _run_steps(
    steps: list[_Slot],
    top: dict[str, Any],
    row: dict[str, Any] | None,
    target: dict[str, Any],
    hidden: set[str],
) -> None:
    for s in steps:
        f = s.field
        if f.relevant is not None and truth(f.relevant.fn(top, row)) is not True:
            target[s.id] = None
            hidden.add(s.id)
            continue
        if f.calculate is not None:
            target[s.id] = s.compute(f.calculate.fn(top, row))
        elif f.fill is not None and target.get(s.id) is None:
            target[s.id] = s.compute(f.fill.fn(top, row))


def _check_field(
    s: _Slot,
    value: Any,
    top: dict[str, Any],
    row: dict[str, Any] | None,
    target: dict[str, Any],
    path: str,
    errors: list[FieldError],
    warnings: list[FieldError],
    today: _dt.date,
) -> None:
    f = s.field
    if value is None:
        if f.required:
            errors.append(FieldError("required", path))
            return
    elif f.id_type_field is not None:
        kind = (row if row is not None else top).get(f.id_type_field)
        try:
            if kind in RESIDENT_ID_KINDS or kind is None:
                value = ids.validate_resident_id(value, today)
            else:
                value = check_other_document(value)
            target[s.id] = value
        except InvalidValue as exc:
            errors.append(FieldError(exc.code, path, exc.params))
            target[s.id] = None
            return
    for c in f.constraint:
        r = c.expr.fn(top, row)
        if r is False or (r is not True and r is not None and truth(r) is False):
            (errors if c.severity == "error" else warnings).append(FieldError(c.code, path))


def validate(form: Any, data: Mapping[str, Any], *, today: _dt.date | None = None) -> Any:
    """Validate one record of ``form``; see the module docstring. Never raises on bad data."""
    plan: Plan = form.plan
    today = today or _dt.date.today()
    if data.__class__ is not dict and not isinstance(data, Mapping):
        return ValidationResult({}, [FieldError("record.format", "")])
    top: dict[str, Any] = {}
    perr: dict[str, FieldError] = {}
    _parse_into(plan.slots, data, top, perr, "", today)
    top[TODAY_KEY] = today
    errors: list[FieldError] = []
    warnings: list[FieldError] = []
    hidden: set[str] = set()
    row_state: dict[str, list[tuple[dict[str, Any], dict[str, FieldError], set[str]]]] = {}
    for s in plan.steps:
        f = s.field
        if f.relevant is not None and truth(f.relevant.fn(top, None)) is not True:
            top[s.id] = None
            hidden.add(s.id)
        elif s.is_repeat:
            top[s.id] = _rows(s, plan, top, perr, errors, row_state, today)
        elif f.calculate is not None:
            top[s.id] = s.compute(f.calculate.fn(top, None))
        elif f.fill is not None and top[s.id] is None:
            top[s.id] = s.compute(f.fill.fn(top, None))
    for s in plan.checked:
        fid = s.id
        if fid in hidden or fid in perr:
            continue
        if s.required_only:
            if top[fid] is None:
                errors.append(FieldError("required", fid))
        elif s.is_repeat:
            _check_rows(s, plan, top, row_state.get(fid, []), errors, warnings, today)
        else:
            _check_field(s, top[fid], top, None, top, fid, errors, warnings, today)
    if perr:
        for fid, err in perr.items():
            if fid not in hidden:
                errors.append(err)
                top[fid] = None
        pos = plan.position
        errors.sort(key=lambda e: pos.get(e.field.partition("[")[0], -1))
    values: dict[str, Any] = {}
    for s in plan.slots:
        fid = s.id
        if fid in hidden:
            continue
        v = top[fid]
        if v is None or s.dump is None:
            values[fid] = v
        elif s.is_repeat:
            values[fid] = [_dump_row(plan.row_slots[fid], r, h) for r, _, h in row_state[fid]]
        else:
            values[fid] = s.dump(v)
    if len(data) > len(plan.known) or not plan.known.issuperset(data):
        for key in data:
            if key not in plan.known:
                warnings.append(FieldError("field.unknown", str(key)[:100]))
    return ValidationResult(values, errors, warnings, frozenset(hidden))


def _rows(
    s: _Slot,
    plan: Plan,
    top: dict[str, Any],
    perr: dict[str, FieldError],
    errors: list[FieldError],
    row_state: dict[str, Any],
    today: _dt.date,
) -> list[Any] | None:
    raw = top.get(s.id)
    state: list[tuple[dict[str, Any], dict[str, FieldError], set[str]]] = []
    row_state[s.id] = state
    if raw is None:
        return None
    if isinstance(raw, Mapping) or not isinstance(raw, list | tuple):
        perr[s.id] = FieldError("repeat.format", s.id)
        return None
    rows = raw
    if len(rows) > s.field.max_rows:
        errors.append(FieldError("repeat.too_many", s.id, {"max": s.field.max_rows}))
        rows = rows[: s.field.max_rows]
    slots = plan.row_slots[s.id]
    steps = plan.row_steps[s.id]
    out: list[dict[str, Any]] = []
    for i, r in enumerate(rows):
        row: dict[str, Any] = {}
        rerr: dict[str, FieldError] = {}
        prefix = f"{s.id}[{i}]."
        if not isinstance(r, Mapping):
            rerr[""] = FieldError("repeat.row_format", f"{s.id}[{i}]")
            r = {}
        _parse_into(slots, r, row, rerr, prefix, today)
        h: set[str] = set()
        _run_steps(steps, top, row, row, h)
        state.append((row, rerr, h))
        out.append(row)
    return out


def _check_rows(
    s: _Slot,
    plan: Plan,
    top: dict[str, Any],
    state: list[Any],
    errors: list[FieldError],
    warnings: list[FieldError],
    today: _dt.date,
) -> None:
    n = len(state)
    need = max(s.field.min_rows, 1 if s.field.required else 0)
    if n < need:
        errors.append(
            FieldError("repeat.too_few" if n else "required", s.id, {"min": need} if n else {})
        )
    slots = plan.row_slots[s.id]
    for i, (row, rerr, h) in enumerate(state):
        if "" in rerr:
            errors.append(rerr[""])
            continue
        for rs in slots:
            if rs.id in h:
                continue
            if rs.id in rerr:
                errors.append(rerr[rs.id])
                row[rs.id] = None
            elif rs.required_only:
                if row[rs.id] is None:
                    errors.append(FieldError("required", f"{s.id}[{i}].{rs.id}"))
            elif rs.checks:
                path = f"{s.id}[{i}].{rs.id}"
                _check_field(rs, row[rs.id], top, row, row, path, errors, warnings, today)
    for c in s.field.constraint:
        if truth(c.expr.fn(top, None)) is False:
            (errors if c.severity == "error" else warnings).append(FieldError(c.code, s.id))


def _dump_row(slots: list[_Slot], row: dict[str, Any], hidden: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for s in slots:
        if s.id in hidden:
            continue
        v = row[s.id]
        out[s.id] = None if v is None else (s.dump(v) if s.dump is not None else v)
    return out
