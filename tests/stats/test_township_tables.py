"""The statistics tables of a real township workspace (the fixed data set of conftest.py): every
cell equals the value worked out by hand — from the core, from `uniondesk report stats` as .xlsx
(read back with openpyxl) and as PDF (read back with pypdf) — and no personal value is in
either file."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pypdf
import pytest

from desktop.cli import main
from desktop.domain.stats_facts import township_report
from tests.rosters.conftest import ADMIN_PW
from tests.stats.conftest import AS_OF, NAMES, PERIOD, PERSONAL, TOWNSHIP, open_township


def _row(text: str) -> list[str]:
    return text.split()


ROWS = [
    NAMES["A"],
    NAMES["B"],
    NAMES["D"],
    f"{TOWNSHIP[1]} 合计",
]  # 丙 founded after the as-of date
# Hand-worked cells, one list per row in ROWS order (A, B, D, total), column order of the
# definition. Percentages as printed.
EXPECTED: dict[str, list[list[str]]] = {
    # 工会数 | 独立 联合 其他 | 企业 事业·机关 社会组织 | 正常 筹备 注销 本期建会 |
    # 职代会 经审会 女职委 集体合同 厂务公开 | 职工之家
    "organisation": [
        _row("1 1 0 0 1 0 0 1 0 0 0 1 1 0 0 0 1"),
        _row("1 0 1 0 0 0 1 0 1 0 1 0 0 0 1 0 0"),
        _row("1 1 0 0 0 1 0 1 0 0 0 0 0 1 0 1 0"),
        _row("3 2 1 0 1 1 1 2 1 0 1 1 1 1 1 1 1"),
    ],
    # 职工 女职工 | 会员 女 农民工 新就业 | 骑手 快递 网约车 货车 | 入会率 | 入会 转入 转出 退会
    # A: 赵一 吴六 (f) 钱二 李四 = 4 of 20; B: 郑七 (f) 王八 = 2 of 8; total 6 of 33
    "membership": [
        _row("20 8 4 2 1 1 0 1 0 0 20.0% 1 1 0 1"),
        _row("8 5 2 1 1 1 1 0 0 0 25.0% 0 0 1 0"),
        _row("5 2 0 0 0 0 0 0 0 0 0.0% 0 0 0 0"),
        _row("33 15 6 3 2 2 1 1 0 0 18.2% 1 1 1 1"),
    ],
    # 会员 | 证件有效唯一 必填齐全 合格 | 合格率 低于标准的单位 (吴六, 王八 incomplete)
    "realname": [
        _row("4 4 3 3 75.0% 1"),
        _row("2 2 1 1 50.0% 1"),
        _row("0 0 0 0 — 0"),
        _row("6 6 4 4 66.7% 2"),
    ],
    # 基层工会 本年已评 覆盖率 | ≥90 67–90 <67 | 需整改 未完成事项
    "assessment": [
        _row("1 1 100.0% 1 0 0 0 0"),
        _row("1 1 100.0% 0 0 1 1 1"),
        _row("1 0 0.0% 0 0 0 0 0"),
        _row("3 2 66.7% 1 0 1 1 1"),
    ],
    # 基层工会 本年已审 覆盖率 | 收入 支出 其他 金额 | 逾期未整改
    "funds_review": [
        _row("1 1 100.0% 1 1 1 4,100.00 1"),
        _row("1 0 0.0% 0 0 0 0.00 0"),
        _row("1 0 0.0% 0 0 0 0.00 0"),
        _row("3 1 33.3% 1 1 1 4,100.00 1"),
    ],
}
SHEETS = ["基层工会组织情况", "会员情况", "会员实名制数据质量", "会员评家", "经费审查"]


def _number(text: str) -> float | None:
    if text == "—":
        return None
    if text.endswith("%"):
        return float(text[:-1]) / 100
    return float(text.replace(",", ""))


@pytest.fixture(scope="module")
def outputs(
    township: tuple[Path, dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    folder, _ = township
    out = tmp_path_factory.mktemp("out")
    mp = pytest.MonkeyPatch()
    mp.setenv("UNIONDESK_PASSWORD", ADMIN_PW)
    try:
        files = {}
        for suffix in ("xlsx", "pdf"):
            dest = out / f"统计报表.{suffix}"
            args = ["report", "stats", "--as-of", AS_OF, "--period", str(PERIOD), "-o", str(dest)]
            assert main([*args, "--workspace", str(folder)]) == 0
            files[suffix] = dest
    finally:
        mp.undo()
    return files


def test_the_core_gives_the_hand_worked_cells(township: tuple[Path, dict[str, str]]) -> None:
    ws = open_township(township[0])
    try:
        report = township_report(ws, AS_OF, PERIOD)
    finally:
        ws.close(backup=False)
    from printing.stats_pdf import cell_text, row_label

    assert (report.as_of, report.period, report.unit.name) == (AS_OF, PERIOD, TOWNSHIP[1])
    for table in report.tables:
        got = [[cell_text(c, r.values[c.id]) for c in table.definition.columns] for r in table.rows]
        assert [row_label(r) for r in table.rows] == ROWS, table.definition.id
        assert got == EXPECTED[table.definition.id], table.definition.id


def test_the_xlsx_from_the_cli_holds_every_hand_worked_cell(outputs: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(outputs["xlsx"])
    assert wb.sheetnames == SHEETS
    for sheet, table_id in zip(wb.worksheets, EXPECTED, strict=True):
        assert f"截至 {AS_OF}" in sheet["A2"].value and f"{PERIOD} 年" in sheet["A2"].value
        labels = [str(sheet.cell(r, 1).value).strip() for r in range(5, 5 + len(ROWS))]
        assert labels == ROWS, sheet.title
        for n, want_row in enumerate(EXPECTED[table_id], start=5):
            got = [sheet.cell(n, c).value for c in range(2, 2 + len(want_row))]
            want = [_number(w) for w in want_row]
            assert got == pytest.approx(want, abs=0.0006), (sheet.title, n)
    money = wb["经费审查"].cell(8, 8)
    assert money.value == 4100 and money.number_format == "#,##0.00"


def _page_rows(text: str, n: int) -> dict[str, list[str]]:
    """Each expected row label and the ``n`` cells printed after it."""
    tokens = text.split()
    out = {}
    for label in ROWS:
        words = label.split()
        at = next(i for i in range(len(tokens)) if tokens[i : i + len(words)] == words)
        out[label] = tokens[at + len(words) : at + len(words) + n]
    return out


def test_the_pdf_from_the_cli_holds_every_hand_worked_cell(outputs: dict[str, Path]) -> None:
    reader = pypdf.PdfReader(outputs["pdf"])
    assert len(reader.pages) == 5  # one table a page
    for page, (table_id, title) in zip(reader.pages, zip(EXPECTED, SHEETS, strict=True),
                                       strict=True):  # fmt: skip
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(w), round(h)) == (842, 595)  # A4 landscape
        text = page.extract_text()
        assert f"{TOWNSHIP[1]} {title}" in text
        assert f"截至 {AS_OF}" in text and f"统计期间 {PERIOD} 年" in text
        assert "统计口径" in text and "比率按小计重新计算" in text
        for sign in ("填报人", "审核人", "负责人"):
            assert f"{sign}：" in text
        want = EXPECTED[table_id]
        got = _page_rows(text, len(want[0]))
        assert [got[label] for label in ROWS] == want, table_id
    fonts = {
        str(f.get_object()["/BaseFont"])
        for p in reader.pages
        for f in p["/Resources"]["/Font"].values()
    }
    assert any("+" in f for f in fonts)  # the CJK font embedded as a subset


def test_no_personal_value_reaches_either_file(outputs: dict[str, Path]) -> None:
    pdf = "".join(p.extract_text() for p in pypdf.PdfReader(outputs["pdf"]).pages)
    wb = openpyxl.load_workbook(outputs["xlsx"])
    cells = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row)
    for text in (pdf, cells):
        assert not any(name in text for name in PERSONAL)
        assert NAMES["C"] not in text  # founded after the as-of date
        assert "3301061990" not in text  # no ID number


def test_report_stats_refuses_a_bad_date_or_file_type(
    township: tuple[Path, dict[str, str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = str(township[0])
    code = main(["report", "stats", "--as-of", "2026-13-01", "-o", str(tmp_path / "a.xlsx"),
                 "--workspace", folder])  # fmt: skip
    assert code == 2 and "--as-of '2026-13-01' is not a date" in capsys.readouterr().err
    code = main(["report", "stats", "--as-of", AS_OF, "-o", str(tmp_path / "a.csv"),
                 "--workspace", folder])  # fmt: skip
    assert code == 2 and "must end in .xlsx or .pdf" in capsys.readouterr().err
    assert not (tmp_path / "a.xlsx").exists()


def test_one_table_and_an_earlier_date(
    township: tuple[Path, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As of 2026-02-28 乙 (founded 2026-02-01) is there, 钱二 (joined 2026-03) is not yet."""
    monkeypatch.setenv("UNIONDESK_PASSWORD", ADMIN_PW)
    dest = tmp_path / "m.xlsx"
    args = ["report", "stats", "--as-of", "2026-02-28", "--table", "membership", "-o", str(dest)]
    assert main([*args, "--workspace", str(township[0])]) == 0
    wb = openpyxl.load_workbook(dest)
    assert wb.sheetnames == ["会员情况"]
    total = [wb.active.cell(8, c).value for c in range(2, 17)]
    # members: A 赵一 吴六 孙三 (left only in May) 李四; B 郑七 王八 冯九 (out only in June)
    assert total[:4] == [33, 15, 7, 4]
    assert total[11:] == [0, 0, 0, 0]  # no change dated 2026-01-01 .. 02-28
