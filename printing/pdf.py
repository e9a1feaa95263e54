"""The PDF layer every UnionDesk printout uses (reportlab; no Qt).

A4 portrait or landscape; the bundled CJK font embedded as a subset (Latin letters and digits in
Helvetica, see :mod:`printing.pdf_text`); a header with the union and org-unit names; a
footer with "第 X 页 共 Y 页" and the print time (page total filled in a second pass at save);
tables that split across pages with their header row repeated and long Chinese text wrapped inside
the cells; check boxes; signature lines; and an optional QR stamp on every page carrying the
record id, version and content hash::

    doc = PdfDocument(path, title="经费审查报告", header_left="某某公司工会",
                      header_right="西溪街道总工会", landscape=True,
                      qr=QrStamp(record.uuid, record.version, content_hash(record.data)))
    doc.heading("经费审查报告"); doc.key_values([("审查期间", "2026年")])
    doc.table(["序号", "检查项目"], rows, col_widths=[1, 6])
    doc.signature_block(["审查人", "经审会主任"])
    doc.build()

The file appears only when the build finishes (written beside it, then renamed), so a cancelled or
failed build leaves nothing half-written.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeAlias

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.pagesizes import landscape as to_landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import Paragraph as _Paragraph

from printing.pdf_flowables import CheckBoxes, signature_block
from printing.pdf_qr import QrStamp, content_hash, draw_qr
from printing.pdf_text import CJK_FONT, draw_text, fit_text, markup, register_fonts

__all__ = ["CheckBoxes", "PdfCancelled", "PdfDocument", "QrStamp", "content_hash", "markup"]

Cell: TypeAlias = str | int | float | Flowable | Sequence[Flowable] | None
ProgressFn = Callable[[int, int], Any]

MARGIN = 15 * mm
QR_SIZE = 22 * mm
HEADER_GREY = colors.HexColor("#E4E4E4")


class Paragraph(_Paragraph):
    """A paragraph that remembers its line breaks for the last width: a table cell is wrapped
    several times (sizing, each page split, drawing) at the same width, and CJK line breaking
    is the costliest part of a long printout."""

    _wrapped_at: float | None = None
    _wrapped: tuple[float, float] = (0.0, 0.0)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if self._wrapped_at != availWidth:
            self._wrapped = super().wrap(availWidth, availHeight)
            self._wrapped_at = availWidth
        return self._wrapped


class RowKeepingTable(Table):
    """A table that breaks pages between rows, and splits a row only when it cannot fit on a
    whole page (reportlab alone would also split a row into the space left at a page foot,
    repeating the header row mid-page). ``full_height`` is the frame height, set per document."""

    full_height: float = 0.0

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        self._calc(availWidth, availHeight)
        parts = self._splitRows(availHeight, doInRowSplit=0)
        if parts or availHeight < self.full_height - 1:
            return parts
        return self._splitRows(availHeight, doInRowSplit=1)


#: The words the layer itself prints, per language (the footer says "第 X 页 共 Y 页" in zh_CN).
WORDS = {
    "zh_CN": {
        "page": "第 {number} 页 共 {total} 页",
        "printed": "打印时间：{time}",
        "colon": "：",
        "sign": "{label}（签字）：",
        "date": "日期：",
    },
    "en": {
        "page": "Page {number} of {total}",
        "printed": "Printed {time}",
        "colon": ": ",
        "sign": "{label} (signature):",
        "date": "Date:",
    },
}


class PdfCancelled(Exception):
    """The build was cancelled; no file was written."""


def _styles(base_size: float) -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle(
        "ud-body",
        fontName=CJK_FONT,
        fontSize=base_size,
        leading=base_size * 1.45,
        wordWrap="CJK",
        spaceAfter=base_size * 0.4,
    )
    cell = ParagraphStyle("ud-cell", parent=body, fontSize=9, leading=12, spaceAfter=0)
    return {
        "body": body,
        "cell": cell,
        "cell-right": ParagraphStyle("ud-cell-r", parent=cell, alignment=TA_RIGHT),
        "cell-centre": ParagraphStyle("ud-cell-c", parent=cell, alignment=TA_CENTER),
        "h1": ParagraphStyle(
            "ud-h1", parent=body, fontSize=17, leading=24, alignment=TA_CENTER, spaceAfter=10
        ),
        "h2": ParagraphStyle(
            "ud-h2", parent=body, fontSize=13, leading=18, spaceBefore=8, spaceAfter=5
        ),
        "h3": ParagraphStyle(
            "ud-h3", parent=body, fontSize=11, leading=15, spaceBefore=5, spaceAfter=3
        ),
    }


def _numbered_canvas(draw_footer: Callable[[Canvas, int, int], None]) -> type[Canvas]:
    """A canvas class that holds every page until save, then draws "第 X 页 共 Y 页"."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held_pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._held_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held_pages)
            for number, state in enumerate(self._held_pages, start=1):
                self.__dict__.update(state)
                draw_footer(self, number, total)
                Canvas.showPage(self)
            Canvas.save(self)

    return NumberedCanvas


class PdfDocument:
    """One printout: add content in order, then :meth:`build` writes the PDF."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        title: str,
        header_left: str = "",
        header_right: str = "",
        landscape: bool = False,
        qr: QrStamp | None = None,
        printed_at: datetime | None = None,
        font_size: float = 10,
        lang: str = "zh_CN",
    ) -> None:
        self.path = Path(path)
        self.title = title
        self.header_left = header_left
        self.header_right = header_right
        self.landscape = landscape
        self.qr = qr
        self.printed_at = printed_at or datetime.now()
        self.words = WORDS.get(lang, WORDS["zh_CN"])
        self.page_size = to_landscape(A4) if landscape else A4
        self.top_margin = (10 * mm + QR_SIZE + 4 * mm) if qr else 21 * mm
        self.bottom_margin = 18 * mm
        self.styles = _styles(font_size)
        self.story: list[Flowable] = []
        self.page_count = 0
        frame_height = self.page_size[1] - self.top_margin - self.bottom_margin
        self._table_class = type("Table", (RowKeepingTable,), {"full_height": frame_height})

    @property
    def width(self) -> float:
        """Usable width between the margins, in points."""
        return self.page_size[0] - 2 * MARGIN

    # --- content -------------------------------------------------------------------------

    def add(self, flowable: Flowable) -> None:
        """Append any reportlab flowable (for printouts that need something special)."""
        self.story.append(flowable)

    def heading(self, text: str, level: int = 1) -> None:
        style = self.styles[f"h{min(max(level, 1), 3)}"]
        if level > 1:
            self.story.append(CondPageBreak(30 * mm))  # no heading alone at a page foot
        self.story.append(Paragraph(markup(text), style))

    def paragraph(self, text: str) -> None:
        self.story.append(Paragraph(markup(text), self.styles["body"]))

    def key_values(
        self, pairs: Sequence[tuple[str, Any]], columns: int = 2, *, label_share: float = 0.3
    ) -> None:
        """Label / value pairs laid out ``columns`` pairs to a row (labels take ``label_share``)."""
        cell = self.styles["cell"]
        rows: list[list[Any]] = []
        for start in range(0, len(pairs), columns):
            row: list[Any] = []
            for label, value in pairs[start : start + columns]:
                row += [
                    Paragraph(markup(f"{label}{self.words['colon']}"), cell),
                    self._cell(value, cell),
                ]
            row += ["", ""] * (columns - len(pairs[start : start + columns]))
            rows.append(row)
        if not rows:
            return
        label_w = self.width / columns * label_share
        widths = [label_w, self.width / columns - label_w] * columns
        table = Table(rows, colWidths=widths, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        self.story += [table, Spacer(1, 3 * mm)]

    def table(
        self,
        headers: Sequence[str],
        rows: Iterable[Sequence[Cell]],
        col_widths: Sequence[float] | None = None,
        repeat_header: bool = True,
        *,
        align: Sequence[str] | None = None,
        min_row_height: float | None = None,
    ) -> None:
        """A grid table; splits across pages, header row repeated, long text wrapped in cells.

        ``col_widths`` are relative weights; ``align`` per column is "left", "right" or
        "centre"; ``min_row_height`` (in mm) leaves room to write by hand.
        """
        weights = list(col_widths) if col_widths else [1.0] * len(headers)
        total = float(sum(weights))
        widths = [self.width * w / total for w in weights]
        head_style = self.styles["cell-centre"]
        styles = [
            self.styles.get(f"cell-{a}", self.styles["cell"]) if a != "left" else None
            for a in (align or ["left"] * len(headers))
        ]
        data: list[list[Any]] = [[Paragraph(markup(h), head_style) for h in headers]]
        for row in rows:
            data.append(
                [
                    self._cell(value, styles[i] if i < len(styles) and styles[i] else None)
                    for i, value in enumerate(row)
                ]
            )
        table = self._table_class(
            data,
            colWidths=widths,
            repeatRows=1 if repeat_header else 0,
            splitInRow=1,
            minRowHeights=(
                [0] + [min_row_height * mm] * (len(data) - 1) if min_row_height else None
            ),
            hAlign="LEFT",
        )
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                    ("BACKGROUND", (0, 0), (-1, 0), HEADER_GREY),
                    ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
                    ("VALIGN", (0, 1), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        self.story += [table, Spacer(1, 3 * mm)]

    def checkboxes(
        self, options: Sequence[str], checked: Iterable[str] | str | None = None
    ) -> None:
        """A row of boxes with labels, ticked where ``checked``."""
        self.story += [CheckBoxes(options, checked, font_size=10), Spacer(1, 2 * mm)]

    def signature_block(self, labels: Sequence[str]) -> None:
        """Lines to sign and date, e.g. ["审查人", "经审会主任", "工会主席", "财务负责人", "制表"]."""
        self.story.append(signature_block(labels, self.styles["body"], self.width, self.words))

    def spacer(self, height_mm: float) -> None:
        self.story.append(Spacer(1, height_mm * mm))

    def page_break(self) -> None:
        self.story.append(PageBreak())

    def cell_text(self, text: object, *, small: bool = False, grey: bool = False) -> Paragraph:
        """A wrapped table-cell paragraph (``small``: 8 pt; ``grey``: for guidance and notes)."""
        name = "cell" + ("-small" if small else "") + ("-grey" if grey else "")
        style = self.styles.get(name)
        if style is None:
            base = self.styles["cell"]
            style = self.styles[name] = ParagraphStyle(
                f"ud-{name}",
                parent=base,
                fontSize=8 if small else base.fontSize,
                leading=10.5 if small else base.leading,
                textColor=colors.HexColor("#555555") if grey else colors.black,
            )
        return Paragraph(markup(text), style)

    def _cell(self, value: Cell, style: ParagraphStyle | None = None) -> Any:
        if value is None:
            return ""
        if isinstance(value, Flowable):
            return value
        if isinstance(value, list | tuple):
            return [v if isinstance(v, Flowable) else self._cell(v, style) for v in value]
        return Paragraph(markup(value), style or self.styles["cell"])

    # --- output --------------------------------------------------------------------------

    def _draw_header(self, canvas: Canvas, _doc: Any) -> None:
        width, height = self.page_size
        canvas.saveState()
        right_edge = width - MARGIN - ((QR_SIZE + 4 * mm) if self.qr else 0)
        y = height - 13 * mm
        half = (right_edge - MARGIN) / 2 - 3 * mm
        draw_text(canvas, MARGIN, y, fit_text(self.header_left, 10, half), 10)
        draw_text(canvas, right_edge, y, fit_text(self.header_right, 10, half), 10, "right")
        canvas.setLineWidth(0.5)
        rule_y = height - self.top_margin + 4 * mm
        canvas.line(MARGIN, rule_y, width - MARGIN, rule_y)
        if self.qr:
            qr_y = height - 7 * mm - QR_SIZE
            draw_qr(canvas, self.qr.payload, width - MARGIN - QR_SIZE, qr_y, QR_SIZE)
            draw_text(
                canvas, width - MARGIN - QR_SIZE / 2, qr_y - 2.2 * mm, self.qr.caption, 6, "centre"
            )
        canvas.restoreState()

    def _draw_footer(self, canvas: Canvas, number: int, total: int) -> None:
        width, _height = self.page_size
        canvas.saveState()
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, 14 * mm, width - MARGIN, 14 * mm)
        y = 9 * mm
        page = self.words["page"].format(number=number, total=total)
        draw_text(canvas, width / 2, y, page, 9, "centre")
        stamp = self.printed_at.strftime("%Y-%m-%d %H:%M")
        draw_text(canvas, width - MARGIN, y, self.words["printed"].format(time=stamp), 8, "right")
        draw_text(canvas, MARGIN, y, fit_text(self.title, 8, width / 2 - MARGIN - 30 * mm), 8)
        canvas.restoreState()
        self.page_count = max(self.page_count, total)

    def build(
        self, progress: ProgressFn | None = None, cancel: Callable[[], bool] | None = None
    ) -> Path:
        """Write the PDF; ``progress(done, total)`` after each block, ``cancel()`` to stop.

        Raises :class:`PdfCancelled` (and writes nothing) when ``cancel()`` returns true.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(f".{self.path.name}.part")
        story = list(self.story)
        self.page_count = 0
        top_level = {id(f) for f in story}
        total, done = len(story), 0

        def after_flowable(flowable: Flowable) -> None:
            nonlocal done
            if id(flowable) in top_level:
                done += 1
                if progress is not None:
                    progress(done, total)
            if cancel is not None and cancel():
                raise PdfCancelled()

        width, height = self.page_size
        doc = BaseDocTemplate(
            str(partial),
            pagesize=self.page_size,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=self.top_margin,
            bottomMargin=self.bottom_margin,
            title=self.title,
            author="UnionDesk",
            creator="UnionDesk",
            subject=self.qr.payload if self.qr else "",
        )
        frame = Frame(
            MARGIN,
            self.bottom_margin,
            width - 2 * MARGIN,
            height - self.top_margin - self.bottom_margin,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._draw_header)])
        doc.afterFlowable = after_flowable
        try:
            doc.build(story or [Spacer(1, 1)], canvasmaker=_numbered_canvas(self._draw_footer))
            os.replace(partial, self.path)
        finally:
            if partial.exists():
                partial.unlink()
        if progress is not None:
            progress(total, total)
        return self.path
