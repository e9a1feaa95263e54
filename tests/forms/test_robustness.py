"""Bad input never crashes validation: any JSON-ish or spreadsheet-ish value in any field gives
values and error codes, never an exception (an import of a messy sheet must go on)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import forms

MEMBER = forms.load_form("member")
UNION = forms.load_form("union")

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.text(alphabet="0123456789Xx-/. 年月日元¥,", max_size=25),
    st.binary(max_size=10),
    st.dates(),
    st.datetimes(),
    st.just(math.inf),
    st.just(Decimal("NaN")),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner, max_size=2)
    ),
    max_leaves=3,
)


def record(form: forms.Form) -> st.SearchStrategy[dict[str, Any]]:
    """Every field present or not, each with an arbitrary value."""
    return st.fixed_dictionaries(
        {}, optional={**{f.id: values for f in form.fields}, "junk": values}
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record(MEMBER))
def test_member_validation_never_raises(data: dict[str, Any]) -> None:
    r = forms.validate(MEMBER, data, today=dt.date(2026, 11, 23))
    assert isinstance(r.values, dict)
    for e in [*r.errors, *r.warnings]:
        assert forms.message(e.code, "en") != e.code or e.code == "constraint"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record(UNION))
def test_union_validation_never_raises(data: dict[str, Any]) -> None:
    r = forms.validate(UNION, data, today=dt.date(2026, 11, 23))
    assert r.ok or r.errors


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.dictionaries(st.sampled_from(["kind", "date", "reason", "x"]), values), max_size=5)
)
def test_changes_rows_never_raise(rows: list[Any]) -> None:
    forms.validate(MEMBER, {"changes": rows}, today=dt.date(2026, 11, 23))


NASTY: list[Any] = [
    math.nan,
    math.inf,
    -math.inf,
    Decimal("NaN"),
    Decimal("sNaN"),
    Decimal("Infinity"),
    10**400,
    -(10**400),
    1e308,
    1e-30,
    -0.0,
    True,
    False,
    b"\xff\xfe",
    bytearray(b"x"),
    [1, "a"],
    {"a": 1},
    (1, 2),
    {1, 2},
    object(),
    "9" * 5000,
    "\x00",
    "\ud800",
    "　",
    "-",
    dt.date(1, 1, 1),
    dt.datetime(9999, 12, 31, 23, 59),
    dt.time(12, 0),
    [{"kind": math.nan}],
]


def test_every_field_of_every_shipped_form_survives_nasty_values() -> None:
    for form_id, version in forms.available_forms():
        form = forms.load_form(form_id, version)
        for f in form.fields:
            for value in NASTY:
                r = forms.validate(form, {f.id: value}, today=dt.date(2026, 11, 23))
                assert isinstance(r.values, dict), (form_id, f.id, value)
            for rf in f.fields:
                for value in NASTY:
                    forms.validate(form, {f.id: [{rf.id: value}]}, today=dt.date(2026, 11, 23))


def test_a_nasty_record_still_reports_its_errors_in_words() -> None:
    r = forms.validate(MEMBER, {"mobile": math.nan, "birth_date": b"1990", "name": ["x"]})
    assert {(e.field, e.code) for e in r.errors} >= {
        ("mobile", "mobile.format"),
        ("birth_date", "date.format"),
        ("name", "text.format"),
    }
