"""The statistics core (forms.stats): the shipped definition loads, bad definitions are refused
with the path named, and every cell of a small county -> township -> union tree equals the value
worked out by hand, subtotals and total included."""

from __future__ import annotations

import copy
import json
from fractions import Fraction

import pytest

from forms import stats

# county C with townships T1 (unions U1, U2) and T2 (union U3); another county X outside
UNITS = [
    stats.Unit("C", "县总工会", None),
    stats.Unit("T1", "一镇", "C"),
    stats.Unit("T2", "二镇", "C"),
    stats.Unit("U1", "甲厂工会", "T1"),
    stats.Unit("U2", "乙厂工会", "T1"),
    stats.Unit("U3", "丙厂工会", "T2"),
    stats.Unit("X", "外县", None),
    stats.Unit("UX", "外县工会", "X"),
]


def union(unit: str, **kw: object) -> dict[str, object]:
    base = {"unit": unit, "union_type": "independent", "employer_nature": "enterprise_domestic"}
    return {**base, "status": "active", "employees": 0, "female_employees": 0, **kw}


def member(unit: str, n: int = 1, **kw: object) -> dict[str, object]:
    base = {"unit": unit, "n": n, "current": True, "id_valid": True, "id_unique": True}
    return {**base, "complete": True, **kw}


FACTS = {
    "unions": [
        union("U1", employees=10, female_employees=4, has_workers_congress=True),
        union("U2", union_type="joint", status="preparing", employees=5, founded_in_period=True),
        union("U3", employer_nature="social_org", employees=20, workers_home_level="county"),
        union("UX", employees=1000),
    ],
    "members": [
        member("U1", 6, female=True),
        member("U1", 2, new_form_kind="courier", id_unique=False),
        member("U2", 3, migrant=True, joined_in_period=True),
        member("U2", 1, current=False, left_in_period=True),
        member("U3", 9, complete=False),
        member("U3", 1),
        member("UX", 500),
    ],
    "assessments": [
        {"unit": "U1", "in_year": True, "first_in_year": True, "band": "90", "open_items": 0},
        {
            "unit": "U3",
            "in_year": True,
            "first_in_year": True,
            "band": "low",
            "open_items": 2,
            "rectification_required": True,
        },
    ],
    "audits": [
        {
            "unit": "U2",
            "in_year": True,
            "first_in_year": True,
            "nc_spending": 2,
            "amount": 12345,
            "overdue": 1,
        },
    ],
}


@pytest.fixture(scope="module")
def report() -> stats.Report:
    return stats.compute(
        stats.shipped_definition(), UNITS, "C", FACTS, as_of="2026-06-30", period=2026
    )


def cells(report: stats.Report, table: str, column: str) -> dict[str, object]:
    t = next(t for t in report.tables if t.definition.id == table)
    return {f"{r.kind}:{r.unit}": r.values[column] for r in t.rows}


def test_rows_are_depth_first_with_subtotals_and_the_total_last(report: stats.Report) -> None:
    rows = report.tables[0].rows
    assert [(r.unit, r.kind, r.level) for r in rows] == [
        ("U1", "unit", 2), ("U2", "unit", 2), ("T1", "subtotal", 1),
        ("U3", "unit", 2), ("T2", "subtotal", 1), ("C", "total", 0),
    ]  # fmt: skip
    assert (report.as_of, report.period, report.unit.name) == ("2026-06-30", 2026, "县总工会")


def test_every_cell_equals_the_hand_computed_value(report: stats.Report) -> None:
    def col(table: str, column: str) -> list[object]:
        order = ["unit:U1", "unit:U2", "subtotal:T1", "unit:U3", "subtotal:T2", "total:C"]
        got = cells(report, table, column)
        return [got[k] for k in order]

    assert col("organisation", "unions") == [1, 1, 2, 1, 1, 3]
    assert col("organisation", "joint") == [0, 1, 1, 0, 0, 1]
    assert col("organisation", "social") == [0, 0, 0, 1, 1, 1]
    assert col("organisation", "preparing") == [0, 1, 1, 0, 0, 1]
    assert col("organisation", "founded") == [0, 1, 1, 0, 0, 1]
    assert col("organisation", "congress") == [1, 0, 1, 0, 0, 1]
    assert col("organisation", "home_any") == [0, 0, 0, 1, 1, 1]
    assert col("membership", "employees") == [10, 5, 15, 20, 20, 35]
    assert col("membership", "female_employees") == [4, 0, 4, 0, 0, 4]
    assert col("membership", "members") == [8, 3, 11, 10, 10, 21]
    assert col("membership", "female") == [6, 0, 6, 0, 0, 6]
    assert col("membership", "couriers") == [2, 0, 2, 0, 0, 2]
    assert col("membership", "new_form") == [2, 0, 2, 0, 0, 2]
    assert col("membership", "left") == [0, 1, 1, 0, 0, 1]
    # ratios are recomputed on each subtotal: 11/15, not 8/10 + 3/5
    assert col("membership", "join_rate") == [
        Fraction(8, 10), Fraction(3, 5), Fraction(11, 15),
        Fraction(10, 20), Fraction(10, 20), Fraction(21, 35),
    ]  # fmt: skip
    assert col("realname", "good") == [6, 3, 9, 1, 1, 10]
    assert col("realname", "good_share") == [
        Fraction(6, 8), Fraction(1), Fraction(9, 11), Fraction(1, 10), Fraction(1, 10),
        Fraction(10, 21),
    ]  # fmt: skip
    # U1 (75 %) and U3 (10 %) are below 90 %
    assert col("realname", "units_below") == [1, 0, 1, 1, 1, 2]
    assert col("assessment", "coverage") == [
        Fraction(1), Fraction(0), Fraction(1, 2), Fraction(1), Fraction(1), Fraction(2, 3),
    ]  # fmt: skip
    assert col("assessment", "open_items") == [0, 0, 0, 2, 2, 2]
    assert col("funds_review", "amount") == [0, 12345, 12345, 0, 0, 12345]
    assert col("funds_review", "overdue") == [0, 1, 1, 0, 0, 1]


def test_a_ratio_over_zero_is_empty_not_an_error() -> None:
    rep = stats.compute(stats.shipped_definition(), UNITS[:2], "C", {}, as_of="2026-01-01",
                        period=2026)  # fmt: skip
    assert cells(rep, "membership", "join_rate") == {"unit:T1": None, "total:C": None}


def test_a_fact_on_a_unit_outside_the_tree_is_named() -> None:
    with pytest.raises(stats.StatsInputError, match=r"members\[0\]\.unit: 'NOPE'"):
        stats.compute(stats.shipped_definition(), UNITS, "C", {"members": [member("NOPE")]},
                      as_of="2026-01-01", period=2026)  # fmt: skip


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["tables"][1]["columns"][2].update(kind="median"), r"columns\[2\]\.kind"),
        (lambda d: d["tables"][1]["columns"][2]["where"].update(salary=1), "fact 'salary'"),
        (lambda d: d["tables"][1]["columns"][10].update(num="later"), "not an earlier column"),
        (lambda d: d["rules"].update(quality_threshold="ninety"), "rules.quality_threshold"),
    ],
)
def test_a_bad_definition_is_refused_with_its_path(edit, message) -> None:  # type: ignore[no-untyped-def]
    raw = json.loads(stats.DEFINITION_PATH.read_text(encoding="utf-8"))
    bad = copy.deepcopy(raw)
    edit(bad)
    with pytest.raises(stats.StatsDefinitionError, match=message):
        stats.load_definition(bad)


def test_grouped_rows_with_totals_give_the_same_cells_as_one_row_per_record() -> None:
    """A database hands over categories with their count ``n`` and summed fields already
    totalled (``"totals": True``): the cells are those of one row per union."""
    base = {k: v for k, v in union("U1").items() if k not in ("employees", "female_employees")}
    single = [{**base, "employees": e, "female_employees": f} for e, f in ((10, 4), (7, 2))]
    grouped = [{**base, "employees": 17, "female_employees": 6, "n": 2, "totals": True}]
    one, other = (
        stats.compute(
            stats.shipped_definition(),
            UNITS,
            "C",
            {"unions": rows},
            as_of="2026-06-30",
            period=2026,
        )  # fmt: skip
        for rows in (single, grouped)
    )
    for table, col in (("organisation", "unions"), ("membership", "employees"),
                       ("membership", "female_employees"), ("membership", "join_rate")):  # fmt: skip
        assert cells(one, table, col) == cells(other, table, col), col
    assert cells(other, "membership", "employees")["unit:U1"] == 17
