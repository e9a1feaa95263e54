"""The statistics tables (forms.stats.Report) as a PDF through the PDF layer: A4 landscape, one
table per page (a long table flows on, its two header rows repeated), each with the reporting
unit and title, the as-of date / period / definition version, a two-level header (column group
spanning its columns over the columns), one row per unit indented by org level with subtotals and
the total in bold, the rules used under the table and the signature line 填报人 / 审核人 / 负责人.

Plain data in, file out: the Report and a path; no workspace, no Qt. Counts only — a Report
holds no personal data to print.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from forms import stats
from printing.pdf import HEADER_GREY, Paragraph, PdfDocument, markup

ProgressFn = Callable[[int, int], Any]
CancelFn = Callable[[], bool]

TEXT: dict[str, dict[str, Any]] = {
    "zh_CN": {
        "unit": "单位",
        "subtotal": " 小计",
        "total": " 合计",
        "meta": "截至 {as_of}　统计期间 {period} 年　报表定义 v{version}",
        "rules": "统计口径：",
        "signatures": ("填报人", "审核人", "负责人"),
        "date": "填报日期",
        "colon": "：",
    },
    "en": {
        "unit": "Unit",
        "subtotal": " subtotal",
        "total": " total",
        "meta": "As of {as_of} · period {period} · definition v{version}",
        "rules": "Rules: ",
        "signatures": ("Prepared by", "Reviewed by", "Head of unit"),
        "date": "Date",
        "colon": ": ",
    },
}
UNIT_WEIGHT = 3.2  # width of the unit column against 1.0 per figure column


def cell_text(col: stats.Column, value: stats.Value) -> str:
    """A cell as printed: counts with thousands separators, ratios as "73.3%", fen as yuan
    with two decimals, an empty ratio (nothing to divide by) as "—"."""
    if value is None:
        return "—"
    if col.kind == "ratio" or col.format == "percent":
        return f"{float(value) * 100:.1f}%"
    if col.format == "fen":
        return f"{int(value) / 100:,.2f}"
    return f"{int(value):,}"


def row_label(row: stats.Row, lang: str = "zh_CN") -> str:
    """The first cell of a row: the unit's name, "… 小计" on a subtotal, "… 合计" on the total."""
    t = TEXT.get(lang, TEXT["zh_CN"])
    if row.kind == "subtotal":
        return row.name + t["subtotal"]
    if row.kind == "total":
        return row.name + t["total"]
    return row.name


def _group_spans(d: stats.TableDef) -> list[tuple[str, int, int]]:
    """(group id, first column index, last column index) of each run of a group."""
    spans: list[tuple[str, int, int]] = []
    for i, col in enumerate(d.columns):
        if spans and spans[-1][0] == col.group and spans[-1][2] == i - 1:
            spans[-1] = (col.group, spans[-1][1], i)
        else:
            spans.append((col.group, i, i))
    return spans


class _Styles:
    def __init__(self, doc: PdfDocument, size: float) -> None:
        base = doc.styles["cell"]
        self.head = ParagraphStyle(
            "ud-st-head", parent=doc.styles["cell-centre"], fontSize=size, leading=size * 1.25
        )
        self.name = ParagraphStyle("ud-st-name", parent=base, fontSize=size, leading=size * 1.3)
        self.num = ParagraphStyle(
            "ud-st-num", parent=doc.styles["cell-right"], fontSize=size, leading=size * 1.3
        )
        self.note = ParagraphStyle(
            "ud-st-note", parent=base, fontSize=8, leading=11, textColor=colors.HexColor("#444")
        )
        self.meta = ParagraphStyle("ud-st-meta", parent=doc.styles["body"], alignment=1)


def _table(doc: PdfDocument, report: stats.Report, table: stats.Table, lang: str) -> Table:
    t = TEXT.get(lang, TEXT["zh_CN"])
    d = table.definition
    n = len(d.columns)
    st = _Styles(doc, 8 if n <= 12 else 7)
    groups = report.definition.groups
    head1: list[Any] = [Paragraph(markup(t["unit"]), st.head)] + [""] * n
    spans = [("SPAN", (0, 0), (0, 1))]
    for gid, first, last in _group_spans(d):
        head1[first + 1] = Paragraph(markup(groups.get(gid, {}).get(lang, "")), st.head)
        if last > first:
            spans.append(("SPAN", (first + 1, 0), (last + 1, 0)))
    head2: list[Any] = [""] + [Paragraph(markup(c.label[lang]), st.head) for c in d.columns]
    data: list[list[Any]] = [head1, head2]
    bold_rows = []
    for r, row in enumerate(table.rows, start=2):
        bold = row.kind != "unit"
        if bold:
            bold_rows.append(r)
        indent = "\u3000" * max(row.level - 1, 0)
        label = row_label(row, lang)
        text = f"<b>{markup(label)}</b>" if bold else markup(label)
        cells: list[Any] = [Paragraph(indent + text, st.name)]
        for col in d.columns:
            value = markup(cell_text(col, row.values[col.id]))
            cells.append(Paragraph(f"<b>{value}</b>" if bold else value, st.num))
        data.append(cells)
    weights = [UNIT_WEIGHT] + [1.0] * n
    widths = [doc.width * w / sum(weights) for w in weights]
    grid = doc._table_class(data, colWidths=widths, repeatRows=2, hAlign="LEFT")
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 1), HEADER_GREY),
        ("VALIGN", (0, 0), (-1, 1), "MIDDLE"),
        ("VALIGN", (0, 2), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        *spans,
    ]
    for r in bold_rows:
        style.append(("BACKGROUND", (0, r), (-1, r), colors.HexColor("#F3F3F3")))
    grid.setStyle(TableStyle(style))
    return grid


def _signatures(doc: PdfDocument, lang: str) -> Any:
    """One line: 填报人：____ 审核人：____ 负责人：____ 填报日期：____ (kept with the table's foot)."""
    t = TEXT.get(lang, TEXT["zh_CN"])
    labels = [*t["signatures"], t["date"]]
    style = doc.styles["body"]
    cells: list[Any] = []
    for label in labels:
        cells += [Paragraph(markup(f"{label}{t['colon']}"), style), ""]
    label_w = (24 if lang == "zh_CN" else 30) * mm
    line_w = (doc.width - label_w * len(labels)) / len(labels) - 2 * mm
    widths: list[float] = []
    for _ in labels:
        widths += [label_w, line_w + 2 * mm]
    line = Table([cells], colWidths=widths, rowHeights=[12 * mm], hAlign="LEFT")
    line.setStyle(
        TableStyle(
            [("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 2)]
            + [
                ("LINEBELOW", (2 * i + 1, 0), (2 * i + 1, 0), 0.6, colors.black)
                for i in range(len(labels))
            ]
            + [("RIGHTPADDING", (2 * i + 1, 0), (2 * i + 1, 0), 8) for i in range(len(labels))]
        )
    )
    return line


def write_stats_pdf(
    report: stats.Report,
    dest: str | Path,
    *,
    tables: Sequence[str] | None = None,
    lang: str = "zh_CN",
    printed_at: datetime | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> Path:
    """Write ``report`` (only the ``tables`` ids given, all by default) to ``dest``, one table
    per page. ``progress`` / ``cancel`` as :meth:`PdfDocument.build` takes them."""
    t = TEXT.get(lang, TEXT["zh_CN"])
    chosen = [x for x in report.tables if tables is None or x.definition.id in tables]
    if not chosen:
        raise ValueError(f"tables: none of {tables!r} is in the report")
    unit = report.unit.name or report.unit.code
    doc = PdfDocument(
        dest,
        title=f"{unit} {report.definition.title[lang]}",
        header_left=unit,
        header_right=report.definition.title[lang],
        landscape=True,
        printed_at=printed_at,
        font_size=10,
        lang=lang,
    )
    st = _Styles(doc, 8)
    meta = t["meta"].format(
        as_of=report.as_of, period=report.period, version=report.definition.version
    )
    for i, table in enumerate(chosen):
        if i:
            doc.page_break()
        doc.heading(f"{unit} {table.definition.title[lang]}", 1)
        doc.add(Paragraph(markup(meta), st.meta))
        doc.spacer(2)
        doc.add(_table(doc, report, table, lang))
        rules = Paragraph(markup(t["rules"] + report.definition.rules_text[lang]), st.note)
        doc.add(KeepTogether([Spacer(1, 3 * mm), rules, _signatures(doc, lang)]))
    return doc.build(progress=progress, cancel=cancel)
