"""Loading a form definition: checks a raw JSON dict against the format (``forms/FORMAT.md``),
builds the objects of ``forms.model`` and has ``forms.compile`` compile its expressions once.

Every problem is a :class:`DefinitionError` naming the source, the JSON path and what is wrong.
Sizes are bounded so that a hostile definition is refused quickly.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from forms import expr
from forms.canonical import canonical_json, sha256_hex
from forms.errors import DefinitionError, InvalidValue
from forms.model import Choice, Constraint, Field, Form, Section
from forms.types import TYPES

MAX_FIELDS = 1000  #: fields in one form, repeat-group row fields included
MAX_SECTIONS = 100
MAX_CHOICES = 5000
MAX_CONSTRAINTS = 20
MAX_ROWS_LIMIT = 10_000
MAX_DEFINITION_BYTES = 2_000_000
MAX_TEXT = 2_000
LANGS = ("zh_CN", "en")
SEARCH_MODES = ("contains", "prefix", "exact")

_ID_RE = re.compile(r"[a-z][a-z0-9_]{0,62}")
_CODE_RE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+")
_NESTED_QUANTIFIER = re.compile(r"\)[*+?{]")
_TOP_KEYS = {
    "format",
    "id",
    "version",
    "title",
    "description",
    "sections",
    "choice_lists",
    "upgrade",
    "meta",
}
_SECTION_KEYS = {"id", "title", "help", "fields"}
_FIELD_KEYS = {
    "id",
    "type",
    "label",
    "help",
    "required",
    "default",
    "choices",
    "min",
    "max",
    "min_length",
    "max_length",
    "pattern",
    "places",
    "precision",
    "searchable",
    "sensitive",
    "readonly",
    "relevant",
    "constraint",
    "calculate",
    "fill",
    "fields",
    "min_rows",
    "max_rows",
    "ref_form",
    "id_type_field",
    "unique",
    "placeholder",
}


class _Loader:
    def __init__(self, raw: Any, source: str) -> None:
        self.raw = raw
        self.source = source
        self.choice_lists: dict[str, list[Choice]] = {}
        self.count = 0

    def fail(self, path: str, problem: str) -> DefinitionError:
        return DefinitionError(self.source, path, problem)

    # small checkers
    def obj(self, v: Any, path: str, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(v, dict):
            raise self.fail(path, f"expected an object, found {type(v).__name__}")
        for k in v:
            if not isinstance(k, str):
                raise self.fail(path, "keys must be strings")
            if k not in allowed and not k.startswith("x_"):
                raise self.fail(f"{path}.{k}", f"unknown key {k!r}")
        return v

    def text(self, v: Any, path: str, *, required: bool = True) -> dict[str, str]:
        if v is None and not required:
            return {}
        if isinstance(v, str) and not required:
            return {"zh_CN": v, "en": v}
        if not isinstance(v, dict):
            raise self.fail(path, 'expected {"zh_CN": "…", "en": "…"}')
        for lang in LANGS:
            if not isinstance(v.get(lang), str) or not v[lang].strip():
                raise self.fail(f"{path}.{lang}", f"missing the {lang} text")
        for k, s in v.items():
            if not isinstance(s, str) or len(s) > MAX_TEXT:
                raise self.fail(f"{path}.{k}", f"text must be a string of at most {MAX_TEXT}")
        return dict(v)

    def ident(self, v: Any, path: str) -> str:
        if not isinstance(v, str) or not _ID_RE.fullmatch(v):
            raise self.fail(path, f"bad id {v!r}: use a-z, 0-9 and _, starting with a letter")
        if v in expr.KEYWORDS:
            raise self.fail(path, f"{v!r} is a reserved word")
        return v

    def int_(self, v: Any, path: str, lo: int, hi: int) -> int:
        if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
            raise self.fail(path, f"expected an integer {lo}..{hi}")
        return v

    def bool_(self, v: Any, path: str) -> bool:
        if not isinstance(v, bool):
            raise self.fail(path, "expected true or false")
        return v

    # the walk
    def count_fields(self, fields: Any, path: str) -> None:
        if not isinstance(fields, list):
            raise self.fail(path, "expected a list of fields")
        self.count += len(fields)
        if self.count > MAX_FIELDS:
            raise self.fail(path, f"more than {MAX_FIELDS} fields in one form")
        for i, f in enumerate(fields):
            if isinstance(f, dict) and isinstance(f.get("fields"), list):
                self.count_fields(f["fields"], f"{path}[{i}].fields")

    def load(self) -> Form:
        raw = self.obj(self.raw, "$", _TOP_KEYS)
        sections_raw = raw.get("sections")
        if not isinstance(sections_raw, list) or not sections_raw:
            raise self.fail("$.sections", "expected a non-empty list of sections")
        if len(sections_raw) > MAX_SECTIONS:
            raise self.fail("$.sections", f"more than {MAX_SECTIONS} sections")
        for i, s in enumerate(sections_raw):
            if not isinstance(s, dict):
                raise self.fail(f"$.sections[{i}]", "expected an object")
            self.count_fields(s.get("fields"), f"$.sections[{i}].fields")
        try:
            size = len(canonical_json(raw))
            digest = sha256_hex(raw)
        except (RecursionError, ValueError, TypeError) as exc:
            raise self.fail("$", f"not plain JSON: {exc}") from None
        if size > MAX_DEFINITION_BYTES:
            raise self.fail("$", f"definition larger than {MAX_DEFINITION_BYTES} bytes")
        if raw.get("format", 1) != 1:
            raise self.fail("$.format", "unsupported format (this program reads format 1)")
        form_id = self.ident(raw.get("id"), "$.id")
        version = self.int_(raw.get("version"), "$.version", 1, 1_000_000)
        title = self.text(raw.get("title"), "$.title")
        description = self.text(raw.get("description"), "$.description", required=False)
        lists = raw.get("choice_lists", {})
        if not isinstance(lists, dict):
            raise self.fail("$.choice_lists", "expected an object of named lists")
        for name, items in lists.items():
            self.ident(name, f"$.choice_lists.{name}")
            self.choice_lists[name] = self.choices(items, f"$.choice_lists.{name}")

        sections: list[Section] = []
        seen_sections: set[str] = set()
        top: list[Field] = []
        for i, s_raw in enumerate(sections_raw):
            p = f"$.sections[{i}]"
            s = self.obj(s_raw, p, _SECTION_KEYS)
            sid = self.ident(s.get("id"), f"{p}.id")
            if sid in seen_sections:
                raise self.fail(f"{p}.id", f"duplicate section id {sid!r}")
            seen_sections.add(sid)
            fields = [
                self.field(f, f"{p}.fields[{j}]", nested=False) for j, f in enumerate(s["fields"])
            ]
            sections.append(
                Section(
                    sid,
                    self.text(s.get("title"), f"{p}.title"),
                    fields,
                    self.text(s.get("help"), f"{p}.help", required=False),
                )
            )
            top.extend(fields)
        index: dict[str, Field] = {}
        for f in top:
            if f.id in index:
                raise self.fail(f.path + ".id", f"duplicate field id {f.id!r}")
            index[f.id] = f
        upgrade = raw.get("upgrade")
        if upgrade is not None:
            self.check_upgrade(upgrade, index)
        form = Form(
            form_id,
            version,
            title,
            sections,
            raw,
            digest,
            self.source,
            description,
            upgrade,
            top,
            None,
            index,
        )
        from forms.compile import compile_form  # late: compile needs the finished objects

        try:
            form.plan = compile_form(form, raw)
        except DefinitionError:
            raise
        return form

    def check_upgrade(self, up: Any, index: dict[str, Field]) -> None:
        up = self.obj(up, "$.upgrade", {"from_version", "rename", "drop", "values"})
        self.int_(up.get("from_version"), "$.upgrade.from_version", 1, 1_000_000)
        for key in ("rename", "values"):
            if not isinstance(up.get(key, {}), dict):
                raise self.fail(f"$.upgrade.{key}", "expected an object")
        for old, new in up.get("rename", {}).items():
            group, _, sub = new.partition(".") if isinstance(new, str) else ("", "", "")
            ok = new in index or (
                sub and group in index and any(f.id == sub for f in index[group].fields)
            )
            if not ok:
                raise self.fail(f"$.upgrade.rename.{old}", f"unknown target field {new!r}")
        if not isinstance(up.get("drop", []), list):
            raise self.fail("$.upgrade.drop", "expected a list of old field ids")

    def choices(self, items: Any, path: str) -> list[Choice]:
        if not isinstance(items, list) or not items:
            raise self.fail(path, "expected a non-empty list of choices")
        if len(items) > MAX_CHOICES:
            raise self.fail(path, f"more than {MAX_CHOICES} choices")
        out: list[Choice] = []
        seen: set[str] = set()
        for i, c in enumerate(items):
            p = f"{path}[{i}]"
            c = self.obj(c, p, {"value", "label", "aliases"})
            v = c.get("value")
            if not isinstance(v, str) or not v or len(v) > 100:
                raise self.fail(f"{p}.value", "expected a non-empty string value")
            if v in seen:
                raise self.fail(f"{p}.value", f"duplicate choice value {v!r}")
            seen.add(v)
            aliases = c.get("aliases", [])
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                raise self.fail(f"{p}.aliases", "expected a list of strings")
            out.append(Choice(v, self.text(c.get("label"), f"{p}.label"), tuple(aliases)))
        return out

    def field(self, raw: Any, path: str, *, nested: bool) -> Field:
        r = self.obj(raw, path, _FIELD_KEYS)
        fid = self.ident(r.get("id"), f"{path}.id")
        ftype = r.get("type")
        if ftype not in TYPES:
            raise self.fail(f"{path}.type", f"unknown type {ftype!r} (known: {', '.join(TYPES)})")
        f = Field(fid, ftype, self.text(r.get("label"), f"{path}.label"), path=path)
        f.widget = TYPES[ftype].widget
        f.help = self.text(r.get("help"), f"{path}.help", required=False)
        f.placeholder = self.text(r.get("placeholder"), f"{path}.placeholder", required=False)
        for key in ("required", "sensitive", "readonly", "unique"):
            if key in r:
                setattr(f, key, self.bool_(r[key], f"{path}.{key}"))
        if "searchable" in r:
            s = r["searchable"]
            if isinstance(s, bool):
                f.searchable, f.search_mode = s, ("contains" if s else None)
            elif s in SEARCH_MODES:
                f.searchable, f.search_mode = True, s
            else:
                raise self.fail(
                    f"{path}.searchable", f"expected true/false or one of {SEARCH_MODES}"
                )
        if ftype in ("text", "multiline"):
            f.max_length = 2000 if ftype == "text" else 20000
            if "max_length" in r:
                f.max_length = self.int_(r["max_length"], f"{path}.max_length", 1, 100_000)
            if "min_length" in r:
                f.min_length = self.int_(r["min_length"], f"{path}.min_length", 0, f.max_length)
            if "pattern" in r:
                f.pattern = self.pattern(r["pattern"], f"{path}.pattern")
        elif any(k in r for k in ("max_length", "min_length", "pattern")):
            raise self.fail(path, "max_length/min_length/pattern apply to text fields only")
        if ftype in ("choice", "multi_choice"):
            c = r.get("choices")
            if isinstance(c, str):
                if c not in self.choice_lists:
                    raise self.fail(f"{path}.choices", f"unknown choice list {c!r}")
                f.choices = self.choice_lists[c]
            else:
                f.choices = self.choices(c, f"{path}.choices")
            for ch in f.choices:
                for key in (ch.value, *ch.label.values(), *ch.aliases):
                    f.choice_lookup.setdefault(key, ch.value)
                    f.choice_lookup.setdefault(key.strip().casefold(), ch.value)
        elif "choices" in r:
            raise self.fail(f"{path}.choices", "choices apply to choice/multi_choice fields only")
        self.bounds(f, r, path)
        if ftype == "repeat":
            if nested:
                raise self.fail(f"{path}.type", "a repeat group cannot contain another")
            rows = r.get("fields")
            if not isinstance(rows, list) or not rows:
                raise self.fail(f"{path}.fields", "a repeat group needs a list of row fields")
            f.fields = [
                self.field(x, f"{path}.fields[{i}]", nested=True) for i, x in enumerate(rows)
            ]
            ids = [x.id for x in f.fields]
            dup = {x for x in ids if ids.count(x) > 1}
            if dup:
                raise self.fail(f"{path}.fields", f"duplicate row field id {sorted(dup)[0]!r}")
            f.min_rows = self.int_(r.get("min_rows", 0), f"{path}.min_rows", 0, MAX_ROWS_LIMIT)
            f.max_rows = self.int_(r.get("max_rows", 500), f"{path}.max_rows", 1, MAX_ROWS_LIMIT)
        elif "fields" in r:
            raise self.fail(f"{path}.fields", "only repeat fields have row fields")
        if ftype == "reference":
            ref = r.get("ref_form")
            f.ref_form = self.ident(ref, f"{path}.ref_form")
        if ftype == "id_document":
            f.id_type_field = self.ident(r.get("id_type_field"), f"{path}.id_type_field")
        if "default" in r and r["default"] is not None:
            if ftype == "repeat":
                raise self.fail(f"{path}.default", "a repeat group has no default")
            try:
                f.default = TYPES[ftype].parse(r["default"], f)
            except InvalidValue as exc:
                raise self.fail(f"{path}.default", f"invalid default ({exc.code})") from None
        return f

    def bounds(self, f: Field, r: dict[str, Any], path: str) -> None:
        for key in ("min", "max"):
            if key not in r:
                continue
            v = r[key]
            if f.type == "date":
                if v == "today":
                    setattr(f, f"{key}_date", "today")
                    continue
                try:
                    setattr(f, f"{key}_date", _dt.date.fromisoformat(v))
                except (TypeError, ValueError):
                    raise self.fail(f"{path}.{key}", "expected an ISO date or 'today'") from None
            elif f.type in ("integer", "decimal", "money", "year"):
                if isinstance(v, bool) or not isinstance(v, int | float):
                    raise self.fail(f"{path}.{key}", "expected a number")
                setattr(f, key, Decimal(repr(v)) if isinstance(v, float) else v)
            else:
                raise self.fail(f"{path}.{key}", f"min/max do not apply to type {f.type!r}")
        if "precision" in r:
            f.precision = self.precision(f, r["precision"], f"{path}.precision")
        if "places" in r:
            if f.type != "decimal":
                raise self.fail(f"{path}.places", "places applies to decimal fields only")
            f.places = self.int_(r["places"], f"{path}.places", 0, 10)

    def precision(self, f: Field, v: Any, path: str) -> tuple[str, ...]:
        from forms.dates import PRECISIONS

        if f.type != "date":
            raise self.fail(path, "precision applies to date fields only")
        if not isinstance(v, list) or not v or any(p not in PRECISIONS for p in v):
            raise self.fail(path, f"expected a list of {', '.join(PRECISIONS)}")
        if len(set(v)) != len(v):
            raise self.fail(path, "a precision is listed twice")
        return tuple(v)

    def pattern(self, v: Any, path: str) -> re.Pattern[str]:
        if not isinstance(v, str) or len(v) > 200:
            raise self.fail(path, "expected a regular expression of at most 200 characters")
        if _NESTED_QUANTIFIER.search(v) or re.search(r"\\[1-9]", v):
            raise self.fail(path, "quantified groups and back-references are not allowed")
        try:
            return re.compile(v)
        except re.error as exc:
            raise self.fail(path, f"bad regular expression: {exc}") from None


def load_definition(raw: Any, source: str = "<definition>") -> Form:
    """Check and compile a raw definition dict; raises :class:`DefinitionError`."""
    return _Loader(raw, source).load()


def constraint_objects(raw: Any) -> list[dict[str, Any]]:
    """The constraint entries of a raw field as a list of objects (string -> one object)."""
    if raw is None:
        return []
    if isinstance(raw, str):
        return [{"expr": raw}]
    if isinstance(raw, Mapping):
        return [dict(raw)]
    if isinstance(raw, list):
        return [c if isinstance(c, dict) else {"expr": c} for c in raw]
    return [{"expr": raw}]


__all__ = [
    "Choice",
    "Constraint",
    "Field",
    "Form",
    "Section",
    "load_definition",
    "constraint_objects",
    "_CODE_RE",
    "MAX_CONSTRAINTS",
]
