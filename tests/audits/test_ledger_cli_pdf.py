"""``uniondesk audit scan`` with --csv / --pdf, and the 疑点清单 read back with pypdf."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.domain import checklist_scan
from tests.audits import ledger_fixture as fx
from tests.audits.conftest import PASSWORDS, open_as
from tests.audits.pdfcheck import page_texts, squash
from tests.rosters.conftest import union_data

UNION = "杭州某某机械有限公司工会"


@pytest.fixture
def union(ws_path: Path) -> str:
    ws = open_as(ws_path, "admin")
    try:
        return ws.records.save("union", {**union_data(UNION), "members": 10}).uuid
    finally:
        ws.close(backup=False)


def run(ws_path: Path, *args: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("UNIONDESK_PASSWORD", PASSWORDS["auditor1"])
    return main(["audit", "scan", *args, "--workspace", str(ws_path), "--user", "auditor1"])


def test_scan_writes_one_csv_line_per_doubt_and_voucher(
    ws_path: Path, union: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    ledger = fx.write_xlsx(tmp_path / "序时账.xlsx")
    out = tmp_path / "doubts.csv"
    pdf = tmp_path / "doubts.pdf"
    code = run(
        ws_path,
        str(ledger),
        "--union",
        UNION,
        "--csv",
        str(out),
        "--pdf",
        str(pdf),
        "--payroll",
        "1000000",
        monkeypatch=monkeypatch,
    )
    assert code == 0, capsys.readouterr().err
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0])[:5] == ["凭证字号", "日期", "规则", "金额", "说明"]
    assert len(rows) == sum(len(v) for _, v in fx.PLANTED)
    dup = [r for r in rows if r["规则"] == "DUPLICATE"]
    assert [(r["凭证字号"], r["日期"], r["金额"]) for r in dup] == [
        ("记-0001", "2026-10-10", "1800.00"),
        ("记-0004", "2026-10-12", "1800.00"),
    ]
    assert "某律师事务所" in dup[0]["说明"]

    text = squash("".join(page_texts(pdf)))
    for needle in (
        "经费审查疑点清单",
        UNION,
        "DUPLICATE",
        "记-0004",
        "宴请上级检查组",
        "扫描规则及参数",
        "cash_limit=3,000.00",
        "window_days=30",
        "元旦、春节",
    ):
        assert squash(needle) in text, needle


def test_dismissed_doubts_show_in_the_csv_and_pdf_after_a_rescan(
    ws_path: Path, union: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = fx.write_xlsx(tmp_path / "j.xlsx")
    ws = open_as(ws_path, "auditor1")
    try:
        checklist_scan.import_ledger(ws, ledger, union, "2026")
        gift = next(
            f for f in checklist_scan.scan_ledger(ws, union, "2026") if f.doubt.rule == "GIFT_CASH"
        )
        checklist_scan.dismiss(ws, union, "2026", gift.doubt.key, "系会员卡充值，已核实")
    finally:
        ws.close(backup=False)
    out, pdf = tmp_path / "d.csv", tmp_path / "d.pdf"
    assert (
        run(
            ws_path,
            str(ledger),
            "--union",
            union,
            "--period",
            "2026",
            "--csv",
            str(out),
            "--pdf",
            str(pdf),
            monkeypatch=monkeypatch,
        )
        == 0
    )
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig", newline="")))
    assert [r["结论"] for r in rows if r["规则"] == "GIFT_CASH"] == ["已排除"]
    assert squash("已排除：系会员卡充值，已核实") in squash("".join(page_texts(pdf)))


def test_a_wrong_union_or_file_fails_clearly(
    ws_path: Path, union: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    ledger = fx.write_xlsx(tmp_path / "j.xlsx")
    assert (
        run(
            ws_path,
            str(ledger),
            "--union",
            "没有的工会",
            "--csv",
            str(tmp_path / "x.csv"),
            monkeypatch=monkeypatch,
        )
        == 1
    )
    assert "没有的工会" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("日期,摘要\n2026-01-01,x\n", encoding="utf-8")
    assert (
        run(
            ws_path,
            str(bad),
            "--union",
            UNION,
            "--csv",
            str(tmp_path / "x.csv"),
            monkeypatch=monkeypatch,
        )
        == 1
    )
    assert "凭证字号" in capsys.readouterr().err
