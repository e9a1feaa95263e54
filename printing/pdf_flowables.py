"""Flowables of the PDF layer that reportlab does not have: check boxes and signature lines.

The bundled CJK font has no ☐/☑ glyphs, so boxes are drawn as vector squares with a tick. A
:class:`CheckBoxes` flowable can stand alone or sit inside a table cell (it wraps to the cell width).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Table, TableStyle
from reportlab.platypus.flowables import Spacer

from printing.pdf_text import draw_text, markup, text_width


class CheckBoxes(Flowable):
    """A row of boxes with labels (☐ 合规 ☐ 不合规 ☐ 不适用); ticked where ``checked``."""

    def __init__(
        self,
        options: Sequence[str],
        checked: Iterable[str] | str | None = None,
        *,
        font_size: float = 9,
        vertical: bool = False,
    ) -> None:
        super().__init__()
        self.options = [str(o) for o in options]
        if isinstance(checked, str):
            checked = [checked]
        self.checked = set(checked or ())
        self.font_size = font_size
        self.vertical = vertical
        self.box = font_size * 0.95
        self.line_height = font_size * 1.6
        self._places: list[tuple[float, int, str]] = []

    def _item_width(self, label: str) -> float:
        return self.box + self.font_size * 0.35 + text_width(label, self.font_size)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        widest = max((self._item_width(o) for o in self.options), default=0.0)
        while widest > avail_width and self.font_size > 5:  # never wider than the cell
            self.font_size -= 0.5
            self.box, self.line_height = self.font_size * 0.95, self.font_size * 1.6
            widest = max(self._item_width(o) for o in self.options)
        gap = self.font_size * 1.2
        self._places = []
        x, line, widest = 0.0, 0, 0.0
        for label in self.options:
            w = self._item_width(label)
            if x > 0 and (self.vertical or x + w > avail_width):
                x, line = 0.0, line + 1
            self._places.append((x, line, label))
            widest = max(widest, x + w)
            x += w + gap
        lines = line + 1 if self.options else 0
        self.width, self.height = min(widest, max(avail_width, widest)), lines * self.line_height
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setLineWidth(0.7)
        for x, line, label in self._places:
            base = self.height - (line + 1) * self.line_height + self.line_height * 0.25
            canvas.rect(x, base - self.box * 0.12, self.box, self.box, stroke=1, fill=0)
            if label in self.checked:
                b, y0 = self.box, base - self.box * 0.12
                canvas.setLineWidth(1.2)
                canvas.lines(
                    [
                        (x + b * 0.18, y0 + b * 0.5, x + b * 0.42, y0 + b * 0.2),
                        (x + b * 0.42, y0 + b * 0.2, x + b * 0.85, y0 + b * 0.85),
                    ]
                )
                canvas.setLineWidth(0.7)
            draw_text(canvas, x + self.box + self.font_size * 0.35, base, label, self.font_size)
        canvas.restoreState()


def signature_block(
    labels: Sequence[str], style, width: float, words: Mapping[str, str] | None = None
) -> Flowable:
    """Lines to sign on, two per row: "审查人（签字）____ 日期 ____", kept on one page."""
    label_w, date_label_w = 48 * mm, 18 * mm
    line_w = max(width * 0.55 - label_w, 35 * mm)
    date_w = max(min(width * 0.3, width - label_w - line_w - date_label_w), 20 * mm)
    sign = (words or {}).get("sign", "{label}（签字）：")
    date = (words or {}).get("date", "日期：")
    rows = []
    for label in labels:
        rows.append(
            [
                Paragraph(markup(sign.format(label=label)), style),
                "",
                Paragraph(markup(date), style),
                "",
            ]
        )
    table = Table(
        rows,
        colWidths=[label_w, line_w, date_label_w, date_w],
        rowHeights=[13 * mm] * len(rows),
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LINEBELOW", (1, 0), (1, -1), 0.6, "black"),
                ("LINEBELOW", (3, 0), (3, -1), 0.6, "black"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (1, 0), (1, -1), 10),
            ]
        )
    )
    return KeepTogether([Spacer(1, 4 * mm), table])
