"""Upgrading a record from one version of a form to another with a declared field mapping.

A record entered with version N keeps validating against N (``load_form(id, version=N)``).
``upgrade`` moves its data to version N+1 by the mapping (given, or declared in the new
definition's ``"upgrade"`` block), validates it against the new version and reports every value
that could not be carried over — nothing is dropped silently.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from forms.errors import FieldError
from forms.model import Field, Form
from forms.validate import ValidationResult, validate


@dataclass(slots=True)
class UpgradeResult:
    """``data``: the record for the new version (normalised when valid); ``unmapped``: values
    that had no place (``upgrade.unmapped_field`` / ``upgrade.unmapped_value``); ``dropped``: old
    fields the mapping drops on purpose; ``result``: validation against the new version."""

    data: dict[str, Any]
    result: ValidationResult
    unmapped: list[FieldError] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.result.ok and not self.unmapped


def _declared(from_form: Form, to_form: Form) -> dict[str, Any]:
    up = to_form.upgrade or {}
    if up and up.get("from_version") != from_form.version:
        raise ValueError(
            f"{to_form.id} v{to_form.version} declares an upgrade from v{up.get('from_version')},"
            f" not from v{from_form.version}"
        )
    return up


def _empty(v: Any) -> bool:
    return v is None or v == "" or v == []


def upgrade(
    data: Mapping[str, Any],
    from_form: Form,
    to_form: Form,
    mapping: Mapping[str, str | None] | None = None,
    *,
    value_map: Mapping[str, Mapping[str, str]] | None = None,
    today: _dt.date | None = None,
) -> UpgradeResult:
    """Carry ``data`` (a record of ``from_form``) over to ``to_form``.

    ``mapping``: old field id -> new field id, or None to drop it on purpose; ``"group.old"`` keys
    rename a repeat group's row fields. Without a mapping the new definition's ``upgrade`` block
    is used (``rename``, ``drop``, ``values``), and fields with the same id carry over as they are.
    ``value_map``: new field id -> {old choice value: new choice value}.
    """
    declared = _declared(from_form, to_form) if mapping is None else {}
    rename: dict[str, str | None] = dict(declared.get("rename", {}))
    for old in declared.get("drop", []):
        rename[old] = None
    if mapping is not None:
        rename.update(mapping)
    values = {**declared.get("values", {}), **(value_map or {})}
    unmapped: list[FieldError] = []
    dropped: list[str] = []
    out: dict[str, Any] = {}
    targets = {f.id: f for f in to_form.fields}
    for old, v in data.items():
        new = rename.get(old, old)
        if new is None:
            dropped.append(old)
            continue
        target = targets.get(new)
        if target is None:
            if not _empty(v):
                unmapped.append(FieldError("upgrade.unmapped_field", old, {"field": old}))
            continue
        if target.type == "repeat" and isinstance(v, list):
            out[new] = [_row(r, old, i, target, rename, values, unmapped) for i, r in enumerate(v)]
        else:
            out[new] = _value(v, old, new, target, values, unmapped)
    result = validate(to_form, out, today=today)
    return UpgradeResult(result.values if result.ok else out, result, unmapped, dropped)


def _value(
    v: Any,
    path: str,
    key: str,
    target: Field,
    values: Mapping[str, Any],
    unmapped: list[FieldError],
) -> Any:
    vmap = values.get(key)
    if vmap and isinstance(v, str) and v in vmap:
        v = vmap[v]
    if target.type == "choice" and isinstance(v, str) and v not in target.choice_lookup:
        unmapped.append(FieldError("upgrade.unmapped_value", path, {"field": path, "value": v}))
        return None
    return v


def _row(
    row: Any,
    group: str,
    i: int,
    target: Field,
    rename: Mapping[str, str | None],
    values: Mapping[str, Any],
    unmapped: list[FieldError],
) -> Any:
    if not isinstance(row, Mapping):
        return row
    fields = {f.id: f for f in target.fields}
    out: dict[str, Any] = {}
    for old, v in row.items():
        new = rename.get(f"{group}.{old}", old)
        path = f"{group}[{i}].{old}"
        if new is None:
            continue
        new = new.rpartition(".")[2]
        if new not in fields:
            if not _empty(v):
                unmapped.append(FieldError("upgrade.unmapped_field", path, {"field": path}))
            continue
        out[new] = _value(v, path, f"{target.id}.{new}", fields[new], values, unmapped)
    return out
