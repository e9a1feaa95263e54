"""Statistics tables (统计报表): the report definition and the one computation core (pure Python).

The five tables a county or province hands in are data: ``forms/reports/report_stats.json`` (a
versioned definition; a province can change columns without a software update). Each column is
one of

- ``count``: how many fact rows of a source (``unions`` / ``members`` / ``assessments`` /
  ``audits``) match ``where`` (field -> value, or a list of allowed values);
- ``sum``: the sum of a fact field over the matching rows;
- ``ratio``: column ``num`` / column ``den``, recomputed on every subtotal (never summed);
- ``units_below``: how many leaf units under the row have ratio column ``of`` below the rule
  named by ``rule`` (a fraction such as ``"9/10"`` in the definition's ``rules``).

:func:`compute` takes plain *fact rows* — mappings with the ``unit`` they belong to, the fact
fields the definition declares for their source, and an optional weight ``n`` (so a database
can hand over ``GROUP BY`` results instead of one row per record; a summed field is then one
record's value times ``n``, or already the total of the ``n`` records when the row has
``"totals": True``) — plus the org-unit tree, and
returns the tables: one row per unit under the reporting unit, a subtotal for each unit that has
units below it, and the total, stating the as-of date, the period and the rules used. Facts are
counts and category values only: the core never sees a name or an ID number.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

DEFINITION_PATH = Path(__file__).resolve().parent / "reports" / "report_stats.json"
SOURCES = ("unions", "members", "assessments", "audits")
KINDS = ("count", "sum", "ratio", "units_below")

Value = int | Fraction | None


class StatsDefinitionError(ValueError):
    """The report definition is malformed; the message names the path and what is wrong."""


class StatsInputError(ValueError):
    """A fact row or the org tree is malformed; the message names the row and the field."""


@dataclass(frozen=True)
class Column:
    id: str
    group: str
    label: Mapping[str, str]
    kind: str
    source: str = ""
    where: Mapping[str, Any] = field(default_factory=dict)
    field: str = ""
    num: str = ""
    den: str = ""
    of: str = ""
    rule: str = ""
    format: str = "int"


@dataclass(frozen=True)
class TableDef:
    id: str
    title: Mapping[str, str]
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class ReportDef:
    id: str
    version: int
    title: Mapping[str, str]
    rules: Mapping[str, Fraction]
    rules_text: Mapping[str, str]
    facts: Mapping[str, tuple[str, ...]]
    groups: Mapping[str, Mapping[str, str]]
    tables: tuple[TableDef, ...]

    def table(self, table_id: str) -> TableDef:
        for t in self.tables:
            if t.id == table_id:
                return t
        raise KeyError(table_id)


@dataclass(frozen=True)
class Unit:
    """An org unit of the tree (a township's grassroots unions are leaf units too)."""

    code: str
    name: str
    parent: str | None


@dataclass(frozen=True)
class Row:
    unit: str
    name: str
    level: int  # 0 = the reporting unit
    kind: str  # unit / subtotal / total
    values: Mapping[str, Value]


@dataclass(frozen=True)
class Table:
    definition: TableDef
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Report:
    definition: ReportDef
    unit: Unit
    as_of: str
    period: int
    tables: tuple[Table, ...]


def _labels(raw: Any, path: str) -> dict[str, str]:
    if not isinstance(raw, Mapping) or not raw.get("zh_CN") or not raw.get("en"):
        raise StatsDefinitionError(f"{path}: needs a zh_CN and an en label")
    return {str(k): str(v) for k, v in raw.items()}


def _fraction(raw: Any, path: str) -> Fraction:
    try:
        return Fraction(str(raw))
    except (ValueError, ZeroDivisionError):
        raise StatsDefinitionError(f"{path}: {raw!r} is not a fraction such as 9/10") from None


def _column(raw: Any, path: str, facts: Mapping[str, tuple[str, ...]], seen: set[str]) -> Column:
    if not isinstance(raw, Mapping):
        raise StatsDefinitionError(f"{path}: a column must be an object")
    cid, kind = str(raw.get("id") or ""), raw.get("kind")
    if not cid or cid in seen:
        raise StatsDefinitionError(f"{path}.id: missing or repeated column id {cid!r}")
    if kind not in KINDS:
        raise StatsDefinitionError(f"{path}.kind: {kind!r} is not one of {', '.join(KINDS)}")
    col = Column(
        id=cid,
        group=str(raw.get("group") or ""),
        label=_labels(raw.get("label"), f"{path}.label"),
        kind=str(kind),
        source=str(raw.get("source") or ""),
        where=dict(raw.get("where") or {}),
        field=str(raw.get("field") or ""),
        num=str(raw.get("num") or ""),
        den=str(raw.get("den") or ""),
        of=str(raw.get("of") or ""),
        rule=str(raw.get("rule") or ""),
        format=str(raw.get("format") or ("percent" if kind == "ratio" else "int")),
    )
    if kind in ("count", "sum"):
        if col.source not in SOURCES:
            raise StatsDefinitionError(f"{path}.source: {col.source!r} is not a known source")
        known = facts.get(col.source, ())
        for name in [*col.where, *([col.field] if kind == "sum" else [])]:
            if name not in known:
                raise StatsDefinitionError(
                    f"{path}: fact {name!r} is not declared for source {col.source!r}"
                )
    for ref in (col.num, col.den, col.of):
        if ref and ref not in seen:
            raise StatsDefinitionError(f"{path}: refers to {ref!r}, not an earlier column")
    if kind == "ratio" and not (col.num and col.den):
        raise StatsDefinitionError(f"{path}: a ratio needs num and den")
    seen.add(cid)
    return col


def load_definition(raw: Mapping[str, Any]) -> ReportDef:
    """Validate a parsed definition (errors name the JSON path) and return it typed."""
    if raw.get("id") != "report_stats" or not isinstance(raw.get("version"), int):
        raise StatsDefinitionError("definition: needs id 'report_stats' and an integer version")
    facts = {str(s): tuple(str(f) for f in fs) for s, fs in dict(raw.get("facts") or {}).items()}
    rules = {str(k): _fraction(v, f"rules.{k}") for k, v in dict(raw.get("rules") or {}).items()}
    tables = []
    for ti, traw in enumerate(raw.get("tables") or []):
        path, seen = f"tables[{ti}]", set[str]()
        cols = tuple(
            _column(c, f"{path}.columns[{ci}]", facts, seen)
            for ci, c in enumerate(traw.get("columns") or [])
        )
        for col in cols:
            if col.kind == "units_below" and col.rule not in rules:
                raise StatsDefinitionError(f"{path}.{col.id}: unknown rule {col.rule!r}")
        if not cols:
            raise StatsDefinitionError(f"{path}: a table needs columns")
        tables.append(TableDef(str(traw.get("id")), _labels(traw.get("title"), path), cols))
    if not tables:
        raise StatsDefinitionError("definition: no tables")
    return ReportDef(
        id="report_stats",
        version=int(raw["version"]),
        title=_labels(raw.get("title"), "title"),
        rules=rules,
        rules_text=_labels(raw.get("rules_text"), "rules_text"),
        facts=facts,
        groups={str(k): _labels(v, f"groups.{k}") for k, v in dict(raw["groups"]).items()},
        tables=tuple(tables),
    )


def shipped_definition() -> ReportDef:
    """The definition shipped with the program."""
    return load_definition(json.loads(DEFINITION_PATH.read_text(encoding="utf-8")))


def _matches(row: Mapping[str, Any], where: Mapping[str, Any]) -> bool:
    for name, want in where.items():
        have = row.get(name)
        if isinstance(want, list):
            if have not in want:
                return False
        elif isinstance(want, bool):
            if bool(have) is not want:
                return False
        elif have != want:
            return False
    return True


def _leaf_sums(
    table: TableDef, facts: Mapping[str, Iterable[Mapping[str, Any]]], units: Mapping[str, Unit]
) -> dict[str, dict[str, int]]:
    """Per unit code, the count / sum columns over the facts attached to that unit itself."""
    out: dict[str, dict[str, int]] = {}
    for col in table.columns:
        if col.kind not in ("count", "sum"):
            continue
        for i, row in enumerate(facts.get(col.source, ())):
            unit = str(row.get("unit") or "")
            if unit not in units:
                raise StatsInputError(f"{col.source}[{i}].unit: {unit!r} is not in the org tree")
            if not _matches(row, col.where):
                continue
            n = int(row.get("n", 1))
            value = int(row.get(col.field) or 0) if col.kind == "sum" else 0
            add = n if col.kind == "count" else (value if row.get("totals") else n * value)
            cell = out.setdefault(unit, {})
            cell[col.id] = cell.get(col.id, 0) + add
    return out


def _children(units: Mapping[str, Unit]) -> dict[str | None, list[Unit]]:
    kids: dict[str | None, list[Unit]] = {}
    for u in units.values():
        kids.setdefault(u.parent, []).append(u)
    for v in kids.values():
        v.sort(key=lambda u: u.code)
    return kids


def _finish(
    table: TableDef, sums: Mapping[str, int], below: int, rules: Mapping[str, Fraction]
) -> dict[str, Value]:
    values: dict[str, Value] = {}
    for col in table.columns:
        if col.kind in ("count", "sum"):
            values[col.id] = int(sums.get(col.id, 0))
        elif col.kind == "ratio":
            num, den = values.get(col.num), values.get(col.den)
            values[col.id] = Fraction(int(num or 0), int(den)) if den else None
        else:
            values[col.id] = below
    return values


def _is_below(table: TableDef, values: Mapping[str, Value], rules: Mapping[str, Fraction]) -> int:
    for col in table.columns:
        if col.kind == "units_below":
            v = values.get(col.of)
            return int(v is not None and v < rules[col.rule])
    return 0


def _table(
    table: TableDef,
    facts: Mapping[str, Iterable[Mapping[str, Any]]],
    units: Mapping[str, Unit],
    top: str,
    rules: Mapping[str, Fraction],
) -> Table:
    own = _leaf_sums(table, facts, units)
    kids = _children(units)
    rows: list[Row] = []

    def walk(unit: Unit, level: int) -> tuple[dict[str, int], int]:
        sums = dict(own.get(unit.code, {}))
        below = 0
        for child in kids.get(unit.code, []):
            csum, cbelow = walk(child, level + 1)
            for k, v in csum.items():
                sums[k] = sums.get(k, 0) + v
            below += cbelow
        leaf = not kids.get(unit.code)
        values = _finish(table, sums, 0, rules)
        if leaf:
            below = _is_below(table, values, rules)
        values = _finish(table, sums, below, rules)
        kind = "total" if level == 0 else ("unit" if leaf else "subtotal")
        rows.append(Row(unit.code, unit.name, level, kind, values))
        return sums, below

    walk(units[top], 0)
    return Table(table, tuple(rows))


def compute(
    definition: ReportDef,
    units: Sequence[Unit],
    top: str,
    facts: Mapping[str, Iterable[Mapping[str, Any]]],
    *,
    as_of: str,
    period: int,
) -> Report:
    """The report for unit ``top``: rows depth-first (a unit's subtotal after its units), the
    total last. ``facts`` maps a source to its fact rows (iterated once per column: pass lists)."""
    by_code: dict[str, Unit] = {}
    for i, u in enumerate(units):
        if u.code in by_code:
            raise StatsInputError(f"units[{i}].code: {u.code!r} appears twice")
        by_code[u.code] = u
    if top not in by_code:
        raise StatsInputError(f"top: {top!r} is not in the org tree")
    under = {top}
    grew = True
    while grew:
        grew = False
        for u in by_code.values():
            if u.code not in under and u.parent in under:
                under.add(u.code)
                grew = True
    tree = {c: by_code[c] for c in under}
    tree[top] = Unit(top, by_code[top].name, None)
    facts = {
        s: [r for r in rows if str(r.get("unit")) in tree or str(r.get("unit")) not in by_code]
        for s, rows in facts.items()
    }
    tables = tuple(_table(t, facts, tree, top, definition.rules) for t in definition.tables)
    return Report(definition, tree[top], as_of, period, tables)


def _value_doc(value: Value) -> int | str | None:
    return str(value) if isinstance(value, Fraction) else value


def _value_of(raw: Any, path: str) -> Value:
    if raw is None or (isinstance(raw, int) and not isinstance(raw, bool)):
        return raw
    if isinstance(raw, str):
        try:
            return Fraction(raw)
        except (ValueError, ZeroDivisionError):
            pass
    raise StatsInputError(f"{path}: {raw!r} is not a count, a fraction or null")


def report_to_doc(report: Report) -> dict[str, Any]:
    """The computed tables as a JSON document (counts, ratios as ``"num/den"``, no personal
    data): what a server sends a reviewer's desktop (``GET /v1/stats``)."""
    return {
        "definition": {"id": report.definition.id, "version": report.definition.version},
        "rules_text": dict(report.definition.rules_text),
        "unit": {"code": report.unit.code, "name": report.unit.name},
        "as_of": report.as_of,
        "period": report.period,
        "tables": [
            {
                "id": t.definition.id,
                "rows": [
                    {
                        "unit": r.unit,
                        "name": r.name,
                        "level": r.level,
                        "kind": r.kind,
                        "values": {k: _value_doc(v) for k, v in r.values.items()},
                    }
                    for r in t.rows
                ],
            }
            for t in report.tables
        ],
    }


def report_from_doc(doc: Mapping[str, Any], definition: ReportDef | None = None) -> Report:
    """A :class:`Report` again from :func:`report_to_doc`'s document, with ``definition`` (the
    shipped one by default: its version must be the document's) and the document's rules."""
    from dataclasses import replace

    d = definition or shipped_definition()
    version = (doc.get("definition") or {}).get("version")
    if version != d.version:
        raise StatsInputError(f"definition: version {version!r}, this program has {d.version}")
    rules = doc.get("rules_text")
    if isinstance(rules, Mapping):
        d = replace(d, rules_text={**d.rules_text, **{str(k): str(v) for k, v in rules.items()}})
    tables = []
    for ti, traw in enumerate(doc.get("tables") or []):
        tdef = d.table(str(traw.get("id")))
        rows = tuple(
            Row(
                str(r["unit"]),
                str(r["name"]),
                int(r["level"]),
                str(r["kind"]),
                {
                    c.id: _value_of(
                        (r.get("values") or {}).get(c.id), f"tables[{ti}].rows[{ri}].{c.id}"
                    )
                    for c in tdef.columns
                },
            )  # fmt: skip
            for ri, r in enumerate(traw.get("rows") or [])
        )
        tables.append(Table(tdef, rows))
    unit = doc.get("unit") or {}
    return Report(d, Unit(str(unit.get("code")), str(unit.get("name")), None),
                  str(doc.get("as_of")), int(doc.get("period") or 0), tuple(tables))  # fmt: skip
