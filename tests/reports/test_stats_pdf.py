"""The statistics PDF read back with pypdf: the county tree's subtotals in order, and a long
table flowing onto more pages with its two header rows repeated and the signature line once,
at its end."""

from __future__ import annotations

from pathlib import Path

import pypdf

from forms import stats
from printing.stats_pdf import write_stats_pdf
from tests.forms.test_stats import FACTS, UNITS


def test_subtotals_and_the_total_in_tree_order(tmp_path: Path) -> None:
    report = stats.compute(
        stats.shipped_definition(), UNITS, "C", FACTS, as_of="2026-06-30", period=2026
    )
    pdf = write_stats_pdf(report, tmp_path / "c.pdf", tables=["membership"])
    [page] = pypdf.PdfReader(pdf).pages
    text = page.extract_text()
    order = ["甲厂工会", "乙厂工会", "一镇 小计", "丙厂工会", "二镇 小计", "县总工会 合计"]
    at = [text.index(label) for label in order]
    assert at == sorted(at)
    assert "73.3%" in text  # 11 / 15 on 一镇's subtotal, recomputed
    assert "外县" not in text  # another county's unit is not under C


def test_a_long_table_flows_on_with_its_headers_repeated(tmp_path: Path) -> None:
    units = [stats.Unit("T", "某镇", None)] + [
        stats.Unit(f"U{i:03d}", f"第{i:03d}号工会", "T") for i in range(70)
    ]
    facts = {"unions": [{"unit": u.code, "employees": 10} for u in units[1:]]}
    report = stats.compute(stats.shipped_definition(), units, "T", facts, as_of="2026-06-30",
                           period=2026)  # fmt: skip
    pdf = write_stats_pdf(report, tmp_path / "long.pdf", tables=["membership", "assessment"])
    pages = [p.extract_text() for p in pypdf.PdfReader(pdf).pages]
    membership = [t for t in pages if "入会率" in t]
    assert len(membership) >= 2  # flowed onto a second page
    for text in membership:
        assert "本期会籍变化" in text and "新就业形态分类" in text  # both header rows repeated
    assert sum("填报人：" in t for t in membership) == 1 and "填报人：" in membership[-1]
    assert "第069号工会" in membership[-1] and "某镇 合计" in membership[-1]
    assert "某镇 会员评家" in pages[len(membership)]  # the next table starts on a new page
