"""The statistics workbook read back with openpyxl: one sheet per table, the merged two-level
header, frozen panes, number formats, A4 landscape, and every cell equal to the report."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from forms import stats
from printing.stats_xlsx import HEADER_ROWS, write_stats_xlsx
from tests.forms.test_stats import FACTS, UNITS


def test_the_workbook_holds_every_cell_of_every_table(tmp_path: Path) -> None:
    report = stats.compute(
        stats.shipped_definition(), UNITS, "C", FACTS, as_of="2026-06-30", period=2026
    )
    wb = openpyxl.load_workbook(write_stats_xlsx(report, tmp_path / "s.xlsx"))
    assert wb.sheetnames == [
        "基层工会组织情况",
        "会员情况",
        "会员实名制数据质量",
        "会员评家",
        "经费审查",
    ]
    ws = wb["会员情况"]
    assert "截至 2026-06-30" in ws["A2"].value and "2026 年" in ws["A2"].value
    assert ws.freeze_panes == "B5"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "A3:A4" in merged and "C3:C4" not in merged
    assert ws.cell(3, 4).value == "会员" and "D3:G3" in merged  # members group over 4 columns
    labels = [ws.cell(r, 1).value.strip() for r in range(HEADER_ROWS + 1, HEADER_ROWS + 7)]
    assert labels == ["甲厂工会", "乙厂工会", "一镇 小计", "丙厂工会", "二镇 小计", "县总工会 合计"]
    heads = [ws.cell(4, c).value for c in range(2, ws.max_column + 1)]
    rate = ws.cell(HEADER_ROWS + 3, 2 + heads.index("入会率"))
    assert rate.value == pytest.approx(11 / 15) and rate.number_format == "0.0%"
    for sheet, table in zip(wb.worksheets, report.tables, strict=True):
        cols = table.definition.columns
        for n, row in enumerate(table.rows, start=HEADER_ROWS + 1):
            for i, col in enumerate(cols):
                want = row.values[col.id]
                got = sheet.cell(n, i + 2).value
                if col.format == "fen":
                    want = int(want) / 100
                elif want is not None:
                    want = float(want) if col.kind == "ratio" else int(want)
                assert got == pytest.approx(want), (sheet.title, row.unit, col.id)
    amount = wb["经费审查"].cell(HEADER_ROWS + 6, 2 + 6)
    assert amount.value == 123.45 and amount.number_format == "#,##0.00"
