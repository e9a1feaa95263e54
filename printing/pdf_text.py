"""Text with Chinese and Latin characters mixed, for the PDF layer (reportlab, no Qt).

The bundled CJK font (Droid Sans Fallback) has Chinese glyphs but no Latin letters or digits, so
every piece of text is cut into runs: characters the CJK font has are set in it (embedded as a
subset), everything else in Helvetica (one of the PDF standard fonts, never embedded). This module
registers the font once, turns plain text into Paragraph markup with those runs, and draws mixed
text straight onto a canvas (headers and footers).
"""

from __future__ import annotations

import threading
from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from printing.resources import cjk_font_path

CJK_FONT = "UDCJK"
LATIN_FONT = "Helvetica"

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _cjk_chars() -> frozenset[int]:
    return frozenset(pdfmetrics.getFont(CJK_FONT).face.charToGlyph)


def register_fonts() -> str:
    """Register the bundled CJK font with reportlab (once) and return its reportlab name."""
    with _lock:
        if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(CJK_FONT, str(cjk_font_path())))
    _cjk_chars()
    return CJK_FONT


def _latin_ok(ch: str) -> bool:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def font_for(ch: str) -> str:
    """The font a single character is set in."""
    if ord(ch) in _cjk_chars():
        return CJK_FONT
    if _latin_ok(ch):
        return LATIN_FONT
    return CJK_FONT


def runs(text: str) -> list[tuple[str, str]]:
    """``text`` cut into (font name, piece) runs, in order."""
    register_fonts()
    out: list[tuple[str, str]] = []
    for ch in text:
        # a space has a glyph in both fonts: it stays in the run it is in
        font = out[-1][0] if ch == " " and out else font_for(ch)
        if out and out[-1][0] == font:
            out[-1] = (font, out[-1][1] + ch)
        else:
            out.append((font, ch))
    return out


def markup(text: object) -> str:
    """Plain text as Paragraph markup: escaped, newlines kept, Latin runs in Helvetica."""
    if text is None:
        return ""
    parts: list[str] = []
    for line_no, line in enumerate(str(text).split("\n")):
        if line_no:
            parts.append("<br/>")
        for font, piece in runs(line):
            esc = escape(piece)
            parts.append(esc if font == CJK_FONT else f'<font face="{LATIN_FONT}">{esc}</font>')
    return "".join(parts)


def text_width(text: str, size: float) -> float:
    """Width in points of ``text`` set in mixed fonts at ``size``."""
    return sum(pdfmetrics.stringWidth(piece, font, size) for font, piece in runs(text))


def draw_text(
    canvas: Canvas, x: float, y: float, text: str, size: float, anchor: str = "left"
) -> float:
    """Draw ``text`` on one line at baseline ``y``; ``anchor`` is left, centre or right of ``x``.

    Returns the width drawn.
    """
    width = text_width(text, size)
    if anchor == "right":
        x -= width
    elif anchor == "centre":
        x -= width / 2
    for font, piece in runs(text):
        canvas.setFont(font, size)
        canvas.drawString(x, y, piece)
        x += pdfmetrics.stringWidth(piece, font, size)
    return width


def fit_text(text: str, size: float, max_width: float) -> str:
    """``text`` cut (with an ellipsis) so that it fits in ``max_width`` at ``size``."""
    if text_width(text, size) <= max_width:
        return text
    while text and text_width(text + "...", size) > max_width:
        text = text[:-1]
    return text + "..."
