"""The objects a loaded form definition is made of: Form, Section, Field, Choice, Constraint.

They are built (and their expressions compiled) by ``forms.schema``; everything else reads them.
Loaded forms are shared: treat them as read-only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from forms import expr


@dataclass(frozen=True, slots=True)
class Choice:
    """One option: the stored ``value`` and its ``label`` per language (+ matching aliases)."""

    value: str
    label: dict[str, str]
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Constraint:
    """A rule on a field: expression, error code, message per language, severity."""

    expr: expr.Compiled
    code: str
    message: dict[str, str]
    severity: str = "error"  # or "warning"

    @property
    def source(self) -> str:
        return self.expr.source


@dataclass(slots=True, eq=False)
class Field:
    """One field of a form (or of a repeat group's row). See FORMAT.md for every attribute."""

    id: str
    type: str
    label: dict[str, str]
    help: dict[str, str] = field(default_factory=dict)
    required: bool = False
    default: Any = None
    choices: list[Choice] = field(default_factory=list)
    min: Any = None
    max: Any = None
    min_date: Any = None
    max_date: Any = None
    #: date fields: the precisions a value may have ("day", "month"); see forms.dates
    precision: tuple[str, ...] = ("day",)
    min_length: int = 0
    max_length: int = 200
    pattern: re.Pattern[str] | None = None
    places: int | None = None
    searchable: bool = False
    search_mode: str | None = None
    sensitive: bool = False
    readonly: bool = False
    unique: bool = False
    relevant: expr.Compiled | None = None
    constraint: tuple[Constraint, ...] = ()
    calculate: expr.Compiled | None = None
    fill: expr.Compiled | None = None
    fields: list[Field] = field(default_factory=list)
    min_rows: int = 0
    max_rows: int = 500
    ref_form: str | None = None
    id_type_field: str | None = None
    placeholder: dict[str, str] = field(default_factory=dict)
    widget: str = ""
    choice_lookup: dict[str, str] = field(default_factory=dict)
    path: str = ""

    def field(self, field_id: str) -> Field:
        """A row field of a repeat group."""
        for f in self.fields:
            if f.id == field_id:
                return f
        raise KeyError(field_id)

    def choice_label(self, value: Any, lang: str = "zh_CN") -> str:
        """The label of a choice value in ``lang`` (the value itself when unknown)."""
        for c in self.choices:
            if c.value == value:
                return c.label.get(lang) or c.label.get("zh_CN") or value
        return "" if value is None else str(value)


@dataclass(slots=True, eq=False)
class Section:
    """A titled group of fields, in order."""

    id: str
    title: dict[str, str]
    fields: list[Field]
    help: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True, eq=False)
class Form:
    """A loaded, checked and compiled form definition."""

    id: str
    version: int
    title: dict[str, str]
    sections: list[Section]
    raw: dict[str, Any]
    hash: str
    source: str
    description: dict[str, str] = field(default_factory=dict)
    upgrade: dict[str, Any] | None = None
    fields: list[Field] = field(default_factory=list)
    plan: Any = None  # the validator's precompiled plan (forms.validate)
    _index: dict[str, Field] = field(default_factory=dict)

    def field(self, field_id: str) -> Field:
        """A top-level field by id; ``"group.field"`` gives a repeat group's row field."""
        f = self._index.get(field_id)
        if f is None and "." in field_id:
            group, _, sub = field_id.partition(".")
            return self._index[group].field(sub)
        if f is None:
            raise KeyError(field_id)
        return f

    def messages(self) -> dict[str, dict[str, str]]:
        """The definition's own constraint codes -> {lang: message}."""
        out: dict[str, dict[str, str]] = {}
        for f in self.fields:
            for g in [f, *f.fields]:
                for c in g.constraint:
                    if c.message:
                        out[c.code] = c.message
        return out
