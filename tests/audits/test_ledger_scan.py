"""数字化审计: the planted journal read from real files and scanned with the template's rules."""

from __future__ import annotations

from pathlib import Path

import pytest

import forms
from desktop.reports.import_errors import ImportFileError
from desktop.reports.ledger_read import fen, guess_columns, read_ledger
from forms.checklist import template_from_raw
from forms.ledger_scan import Context, RuleError, rules_from_raw, scan
from tests.audits import ledger_fixture as fx


def rule_set():
    form = forms.load_form("audit_checklist")
    return rules_from_raw(form.raw, template_from_raw(form.raw))


def found(doubts) -> set[tuple[str, tuple[str, ...]]]:
    return {(d.rule, tuple(sorted(k for k, _ in d.vouchers))) for d in doubts}


def test_fen_and_header_guessing() -> None:
    assert [fen(x) for x in (None, 12, 12.5, "1,234.56", "￥0.1", "(2.00)", "abc")] == [
        0,
        1200,
        1250,
        123456,
        10,
        -200,
        None,
    ]
    assert guess_columns(["凭证号", "借方（元）", "往来单位", "备注"]) == [
        "voucher",
        "debit",
        "payee",
        None,
    ]


def test_xlsx_journal_is_read_with_title_rows_merged_cells_and_totals(tmp_path: Path) -> None:
    read = read_ledger(fx.write_xlsx(tmp_path / "序时账.xlsx"))
    assert len(read.lines) == 2 * len(fx.VOUCHERS)
    assert all(code == "ledger.total_row" for _, code in read.skipped)
    merged = [x for x in read.lines if x.date == "2026-02-10"]
    assert {x.voucher for x in merged} == {"记-0001"} and len(merged) == 2
    first = read.lines[0]
    assert (first.date, first.account_name, first.debit, first.attachments) == (
        "2026-01-05",
        "库存现金",
        250000,
        1,
    )


def test_every_planted_problem_is_raised_and_no_look_alike(tmp_path: Path) -> None:
    lines = read_ledger(fx.write_xlsx(tmp_path / "j.xlsx")).lines
    doubts = scan(lines, rule_set(), Context(members=fx.MEMBERS, payroll=fx.PAYROLL_FEN))
    assert found(doubts) == fx.PLANTED
    by_rule = {d.rule: d for d in doubts}
    assert by_rule["FESTIVAL_LIMIT"].amount == 300000  # 23,000 - 10 x 2,000
    assert by_rule["CASH_LIMIT"].amount == 1750000  # 20,500 on hand - 3,000
    assert by_rule["SPLIT_PURCHASE"].amount == 580000
    assert by_rule["ALLOCATION"].amount == 400000  # 12,000 expected - 8,000 booked
    assert by_rule["GIFT_CASH"].item == "spending_no_cash"
    assert "购物卡" in by_rule["GIFT_CASH"].reason()
    # the keys stay the same on the next scan
    again = scan(lines, rule_set(), Context(members=fx.MEMBERS, payroll=fx.PAYROLL_FEN))
    assert [d.key for d in again] == [d.key for d in doubts]


def test_xls_export_with_other_header_names_gives_the_same_doubts(tmp_path: Path) -> None:
    lines = read_ledger(fx.write_xls(tmp_path / "j.xls")).lines
    doubts = scan(lines, rule_set(), Context(members=fx.MEMBERS, payroll=fx.PAYROLL_FEN))
    assert found(doubts) == fx.PLANTED


def test_without_payroll_or_members_those_rules_stay_quiet(tmp_path: Path) -> None:
    lines = read_ledger(fx.write_xlsx(tmp_path / "j.xlsx")).lines
    rules = {d.rule for d in scan(lines, rule_set())}
    assert "ALLOCATION" not in rules and "FESTIVAL_LIMIT" not in rules


def test_parameters_are_data(tmp_path: Path) -> None:
    """A province raising the cash limit and dropping a keyword needs no code change."""
    lines = read_ledger(fx.write_xlsx(tmp_path / "j.xlsx")).lines
    raw = forms.load_form("audit_checklist").raw
    raw = {**raw, "x_checklist": dict(raw["x_checklist"])}
    raw["x_checklist"]["limits"] = [
        {**x, "value": 3000000} if x["id"] == "cash_on_hand_limit" else x
        for x in raw["x_checklist"]["limits"]
    ]
    rules = rules_from_raw(raw)
    assert "CASH_LIMIT" not in {d.rule for d in scan(lines, rules)}
    bad = {
        **raw,
        "x_checklist": {**raw["x_checklist"], "scan": {"rules": [{"code": "X", "kind": "nope"}]}},
    }
    with pytest.raises(RuleError):
        rules_from_raw(bad)


def test_a_sheet_without_the_needed_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("日期,摘要\n2026-01-01,abc\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as err:
        read_ledger(path)
    assert err.value.code == "ledger.missing_column"
