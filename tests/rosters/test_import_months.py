"""Join dates written as a year and month only (入会年月): kept with their precision."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import forms
from desktop.domain import member_import as ei
from desktop.store import Workspace
from tests.rosters.conftest import HEADERS, member_row, resident_id, write_xlsx


def _by_row(ws: Workspace) -> dict[str, dict]:
    return {r.data["name"]: r.data for r in ws.records.query("member")}


def test_year_month_join_dates_in_three_spellings_are_kept(
    tmp_path: Path, ws: Workspace, union: str
) -> None:
    headers = [*HEADERS[:6], "入会年月", HEADERS[7]]
    rows = [member_row(i) for i in range(6)]
    rows[0][6] = "2019.05"
    rows[1][6] = "2019年5月"
    rows[2][6] = "2019-05"
    rows[3][6] = 2019.11  # typed 2019.11 into a General cell: Excel kept the number
    rows[4][6] = 201903
    rows[5][6] = "2019-05-20"  # a full date stays a full date
    path = write_xlsx(tmp_path / "months.xlsx", headers, rows)
    opened = ei.open_member_sheet(path, ws)
    assert opened.mapping[6] == "join_date"
    plan = ei.preview_import(ws, opened, union)
    assert plan.error_count == 0, plan.errors
    ei.commit_import(ws, plan)
    joined = [d["join_date"] for d in sorted(_by_row(ws).values(), key=lambda d: d["name"])]
    assert joined == ["2019-05", "2019-05", "2019-05", "2019-11", "2019-03", "2019-05-20"]


def test_a_month_is_refused_where_the_day_is_needed_or_the_month_unclear(
    tmp_path: Path, ws: Workspace, union: str
) -> None:
    headers = [*HEADERS, "出生日期"]
    rows = [[*member_row(i), None] for i in range(4)]
    rows[0][8] = "1990-01"  # a birth date needs the day
    rows[1][6] = 2019.1  # January or October?
    rows[2][6] = "2019-13"
    rows[3][6] = "2099-05"
    path = write_xlsx(tmp_path / "bad.xlsx", headers, rows)
    plan = ei.preview_import(ws, ei.open_member_sheet(path, ws), union)
    codes = {row: [(e.letter, e.code) for e in errs] for row, errs in plan.errors.items()}
    assert codes[2] == [("I", "date.day_required")]
    assert codes[3] == [("G", "import.month_ambiguous")]
    assert codes[4] == [("G", "date.invalid")]
    assert codes[5] == [("G", "date.future")]
    words = ei.describe(plan.errors[3][0])
    assert "2019.1" in words and "10 月" in words


def test_month_dates_are_compared_by_month_in_the_rules() -> None:
    form = forms.load_form("member")
    born = resident_id(1, birth="20030520")
    base = {"union": "00000000-0000-4000-8000-000000000001", "name": "张三", "id_number": born}

    def codes(join: str, today: dt.date = dt.date(2026, 12, 7)) -> list[str]:
        result = forms.validate(form, {**base, "join_date": join}, today=today)
        return [e.code for e in result.errors]

    assert codes("2019-05") == []  # turned 16 in May 2019: counted by month
    assert codes("2019-04") == ["member.join_under_16"]
    assert codes("2003-05") == ["member.join_before_birth"]
    assert codes("2026-12") == []  # this month is not the future
    assert codes("2027-01") == ["date.future"]
    stored = forms.validate(form, {**base, "join_date": "2019.05"}).values
    assert stored["join_date"] == "2019-05"
    assert forms.validate(form, stored).values == stored  # validating again changes nothing


def test_a_date_field_declares_its_precisions() -> None:
    import copy

    import pytest

    raw = copy.deepcopy(forms.load_form("member").raw)
    fld = next(f for s in raw["sections"] for f in s["fields"] if f["id"] == "birth_date")
    fld["precision"] = ["week"]
    with pytest.raises(forms.DefinitionError, match="precision"):
        forms.load_form_dict(raw)
