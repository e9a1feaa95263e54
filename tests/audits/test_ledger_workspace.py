"""Ledgers in a real encrypted workspace: stored per union and period, decisions kept across
re-scans and re-imports, a confirmed doubt filling its checklist item and the report PDF."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.domain import checklist_scan, checklists
from desktop.store import errors
from tests.audits import ledger_fixture as fx
from tests.audits.conftest import HEADER, open_as
from tests.audits.pdfcheck import page_texts, squash
from tests.rosters.conftest import union_data


@pytest.fixture
def setup(ws_path: Path, tmp_path: Path):
    ws = open_as(ws_path, "admin")
    union = ws.records.save("union", {**union_data("杭州某某机械有限公司工会"), "members": 10}).uuid
    checklist = checklists.create_checklist(ws, {**HEADER, "union": union}).uuid
    ledger = fx.write_xlsx(tmp_path / "序时账.xlsx")
    yield ws, union, checklist, ledger
    ws.close(backup=False)


def test_import_is_stored_per_union_and_period_and_scanned(setup) -> None:
    ws, union, _checklist, ledger = setup
    read = checklist_scan.import_ledger(ws, ledger, union, "2026")
    assert len(read.lines) == 2 * len(fx.VOUCHERS)
    assert ws.ledgers.stored() == [(union, "2026", "序时账.xlsx", 2 * len(fx.VOUCHERS))]
    assert checklist_scan.stored_lines(ws, union, "2025") == []
    found = checklist_scan.scan_ledger(ws, union, "2026", payroll=fx.PAYROLL_FEN)
    got = {(f.doubt.rule, tuple(sorted(k for k, _ in f.doubt.vouchers))) for f in found}
    assert got == fx.PLANTED  # the union record's 10 members give the festival limit
    assert all(f.decision is None for f in found)


def test_confirm_fills_the_item_dismiss_keeps_a_reason_rescan_keeps_both(
    setup, tmp_path: Path
) -> None:
    ws, union, checklist, ledger = setup
    checklist_scan.import_ledger(ws, ledger, union, "2026")
    found = checklist_scan.scan_ledger(ws, union, "2026")
    dup = next(f.doubt for f in found if f.doubt.rule == "DUPLICATE")
    gift = next(f.doubt for f in found if f.doubt.rule == "GIFT_CASH")
    checklist_scan.confirm(ws, union, "2026", dup.key, checklist, found=found)
    checklist_scan.dismiss(ws, union, "2026", gift.key, "核实为工会会员卡充值，有签收表")
    with pytest.raises(ValueError):
        checklist_scan.dismiss(ws, union, "2026", gift.key, " ")

    row = next(
        r for r in ws.records.get(checklist).data["items"] if r["item_id"] == "vouchers_legal"
    )
    assert row["result"] == "noncompliant"
    assert row["amount"] == 180000
    assert row["evidence"] == "记-0001、记-0004"
    assert "DUPLICATE" in row["finding"] and "某律师事务所" in row["finding"]

    # confirming again changes nothing; a new import of the same books keeps the decisions
    checklist_scan.confirm(ws, union, "2026", dup.key, checklist)
    checklist_scan.import_ledger(ws, ledger, union, "2026")
    again = {f.doubt.key: f.decision for f in checklist_scan.scan_ledger(ws, union, "2026")}
    assert again[dup.key].decision == "confirmed" and again[dup.key].checklist_uuid == checklist
    assert again[gift.key].decision == "dismissed"
    assert again[gift.key].reason == "核实为工会会员卡充值，有签收表"
    row = next(
        r for r in ws.records.get(checklist).data["items"] if r["item_id"] == "vouchers_legal"
    )
    assert row["amount"] == 180000

    pdf = checklists.print_report(ws, checklist, tmp_path / "report.pdf")
    text = squash("".join(page_texts(pdf)))
    assert "某律师事务所" in text and "记-0001、记-0004" in text


def test_a_reviewer_cannot_import_or_decide(ws_path: Path, tmp_path: Path) -> None:
    ws = open_as(ws_path, "reviewer1")
    try:
        with pytest.raises(errors.StoreError):
            checklist_scan.import_ledger(ws, fx.write_xlsx(tmp_path / "j.xlsx"), "u", "2026")
    finally:
        ws.close(backup=False)
