"""Malformed definitions are named with file, JSON path and problem; hostile ones are refused
or bounded in time and memory, never executed."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

import forms
from tests.forms.helpers import definition, field, label


def refused(raw: Any, source: str = "sync.json") -> forms.DefinitionError:
    with pytest.raises(forms.DefinitionError) as info:
        forms.load_form_dict(raw, source=source)
    err = info.value
    assert err.source == source and str(err).startswith(f"{source}: {err.path}: ")
    return err


@pytest.mark.parametrize(
    "text",
    [
        "a.__class__",
        "__import__('os')",
        "a.__class__.__mro__[1].__subclasses__()",
        "().__class__",
        "_secret",
        "a._x",
    ],
)
def test_dunder_and_private_names_are_refused(text: str) -> None:
    err = refused(definition(field("a"), field("b", relevant=text)))
    assert err.path == "$.sections[0].fields[1].relevant"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("open('x')", "unknown function 'open'"),
        ("eval('1')", "unknown function 'eval'"),
        ("a[0]", "unexpected character '['"),
        ("lambda: 1", "unexpected character ':'"),
        ("a +", "unexpected end of expression"),
        ("a b", "unexpected 'b'"),
        ("nosuch > 1", "unknown field 'nosuch'"),
        ("count(a)", "repeat group"),
        ("'unterminated", "unterminated string"),
        ("if(a, 1)", "if() takes 3 arguments"),
        ("length()", "length() takes 1..1 arguments"),
    ],
)
def test_bad_expressions_name_the_problem(text: str, problem: str) -> None:
    err = refused(definition(field("a"), field("b", calculate=text)))
    assert err.path == "$.sections[0].fields[1].calculate"
    assert problem in err.problem


def test_huge_exponents_are_refused_or_bounded() -> None:
    refused(definition(field("a", calculate="2 ** 100000000")))
    form = forms.load_form_dict(
        definition(field("a"), field("b"), field("c", "decimal", calculate="a ** b ** b"))
    )
    start = time.perf_counter()
    r = forms.validate(form, {"a": "999999", "b": "60"})
    assert time.perf_counter() - start < 1.0
    assert r.values["c"] is None  # out of bounds gives null, not a giant number


@pytest.mark.parametrize(
    "text",
    [
        "(" * 200 + "1" + ")" * 200,
        "not " * 200 + "a",
        "-" * 200 + "a",
        "abs(" * 100 + "a" + ")" * 100,
        "1 + " * 600 + "1",
        "a" * 2001,
    ],
)
def test_deep_or_long_expressions_are_refused(text: str) -> None:
    start = time.perf_counter()
    err = refused(definition(field("a"), field("b", relevant=text)))
    assert time.perf_counter() - start < 1.0
    assert any(w in err.problem for w in ("deeper", "longer", "tokens"))


def test_a_10000_field_form_is_refused_quickly() -> None:
    raw = definition(*[field(f"f{i}") for i in range(10_000)])
    start = time.perf_counter()
    err = refused(raw)
    assert time.perf_counter() - start < 1.0
    assert "more than 1000 fields" in err.problem and err.path == "$.sections[0].fields"


def test_huge_repeat_input_is_bounded() -> None:
    form = forms.load_form_dict(
        definition(
            field("rows", "repeat", max_rows=100, fields=[field("x")]),
            field("n", calculate="count(rows)"),
        )
    )
    start = time.perf_counter()
    r = forms.validate(form, {"rows": [{"x": "1"}] * 100_000})
    assert time.perf_counter() - start < 2.0
    assert [(e.field, e.code) for e in r.errors] == [("rows", "repeat.too_many")]
    assert r.values["n"] == 100


def test_circular_calculations_are_refused() -> None:
    err = refused(definition(field("a", calculate="b + 1"), field("b", calculate="a + 1")))
    assert "circular reference: a -> b -> a" in err.problem
    err = refused(definition(field("a", calculate="a + 1")))
    assert "circular reference: a -> a" in err.problem
    err = refused(
        definition(
            field("a", relevant="c > 0"),
            field("b", calculate="a * 2"),
            field("c", calculate="b + 1"),
        )
    )
    assert "circular" in err.problem


def test_circular_through_a_repeat_group_is_refused() -> None:
    err = refused(
        definition(
            field("total", calculate="sum(rows.x)"),
            field("rows", "repeat", fields=[field("x", calculate="total")]),
        )
    )
    assert "circular" in err.problem


@pytest.mark.parametrize(
    ("mutate", "path", "problem"),
    [
        (lambda d: d.pop("id"), "$.id", "bad id"),
        (lambda d: d.update(version="1"), "$.version", "integer"),
        (lambda d: d["title"].pop("en"), "$.title.en", "missing the en text"),
        (
            lambda d: d["sections"][0]["fields"][0]["label"].pop("zh_CN"),
            "$.sections[0].fields[0].label.zh_CN",
            "zh_CN",
        ),
        (
            lambda d: d["sections"][0]["fields"][0].update(type="float"),
            "$.sections[0].fields[0].type",
            "unknown type 'float'",
        ),
        (
            lambda d: d["sections"][0]["fields"][0].update(requried=True),
            "$.sections[0].fields[0].requried",
            "unknown key",
        ),
        (
            lambda d: d["sections"][0]["fields"].append(field("a")),
            "$.sections[0].fields[1].id",
            "duplicate field id 'a'",
        ),
        (
            lambda d: d["sections"][0]["fields"][0].update(type="choice"),
            "$.sections[0].fields[0].choices",
            "choices",
        ),
        (
            lambda d: d["sections"][0]["fields"][0].update(type="choice", choices="nolist"),
            "$.sections[0].fields[0].choices",
            "unknown choice list 'nolist'",
        ),
        (
            lambda d: d["sections"][0]["fields"][0].update(required="yes"),
            "$.sections[0].fields[0].required",
            "true or false",
        ),
        (
            lambda d: d["sections"][0]["fields"][0].update(default="abc"),
            "$.sections[0].fields[0].default",
            "integer.format",
        ),
        (
            lambda d: d["sections"][0]["fields"][0].update(type="text", pattern="(a+)+b"),
            "$.sections[0].fields[0].pattern",
            "quantified",
        ),
        (
            lambda d: d["sections"][0]["fields"][0].update(
                constraint={"expr": "a > 0", "code": "t.positive"}
            ),
            "$.sections[0].fields[0].constraint.message",
            "needs a zh_CN and en message",
        ),
        (
            lambda d: d["sections"][0]["fields"][0].update(
                constraint=[{"expr": "a > 0", "code": "t.x", "message": label("x")}, "a >"]
            ),
            "$.sections[0].fields[0].constraint[1].expr",
            "unexpected end",
        ),
        (
            lambda d: d["sections"][0]["fields"][0].update(
                type="repeat", fields=[field("r", "repeat", fields=[field("x")])]
            ),
            "$.sections[0].fields[0].fields[0].type",
            "cannot contain another",
        ),
        (lambda d: d.update(sections=[]), "$.sections", "non-empty list"),
        (
            lambda d: d["sections"][0]["fields"][0].update(min="zero"),
            "$.sections[0].fields[0].min",
            "expected a number",
        ),
    ],
)
def test_malformed_definitions_are_named(mutate, path: str, problem: str) -> None:
    raw = definition(field("a"))
    mutate(raw)
    err = refused(raw)
    assert err.path == path
    assert problem in err.problem


def test_a_broken_file_is_named_with_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "broken_form.json"
    bad.write_text('{"id": "x",\n "version": 1,,\n}', encoding="utf-8")
    with pytest.raises(forms.DefinitionError) as info:
        forms.load_form_file(bad)
    assert info.value.source == "broken_form.json"
    assert info.value.path == "line 2 column 15"
    dup = tmp_path / "dup.json"
    dup.write_text('{"id": "x", "id": "y"}', encoding="utf-8")
    with pytest.raises(forms.DefinitionError, match="duplicate key 'id'"):
        forms.load_form_file(dup)


def test_a_deeply_nested_json_is_refused_not_crashing() -> None:
    raw = definition(field("a"))
    deep: Any = 1
    for _ in range(100_000):
        deep = [deep]
    raw["meta"] = deep
    refused(raw)
    refused(("[" * 100_000) + ("]" * 100_000))


def test_definition_messages_cannot_reach_into_objects() -> None:
    raw = definition(
        field(
            "a",
            constraint={
                "expr": "a < 10",
                "code": "t.leak",
                "message": {"zh_CN": "{value.__class__}", "en": "{value.__init__.__globals__}"},
            },
        )
    )
    forms.load_form_dict(raw)
    assert forms.message("t.leak", "en", value="x") == "{value.__init__.__globals__}"


def test_json_text_and_extension_keys_are_accepted() -> None:
    raw = definition(field("a", x_ui_width=3))
    raw["x_note"] = "county extension"
    form = forms.load_form_dict(json.dumps(raw), source="sync")
    assert form.field("a").type == "integer"
    assert form.hash == forms.sha256_hex(raw)


def test_every_shipped_definition_loads() -> None:
    for form_id, version in forms.available_forms():
        form = forms.load_form(form_id, version)
        assert (form.id, form.version) == (form_id, version)
        assert len(form.hash) == 64
