"""The QR stamp on printed pages: which record (id, version, content hash) a page came from.

The payload is plain text, ``uniondesk:record:<id>:<version>:<sha256 hex>``, so any QR reader (a
phone, ``zbarimg``) shows it and :meth:`QrStamp.parse` reads it back. The symbol is drawn as
vector squares (segno builds the matrix), so it stays sharp at any print resolution.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import segno
from reportlab.pdfgen.canvas import Canvas

PAYLOAD_PREFIX = "uniondesk:record:"
QUIET_ZONE = 4  # modules of white border the QR standard asks for


def content_hash(data: Any) -> str:
    """SHA-256 hex of a record's data as canonical JSON (sorted keys, no spaces, UTF-8)."""
    try:
        from forms import canonical_json  # the one canonical form, once forms/ provides it
    except ImportError:
        canonical_json = None  # type: ignore[assignment]
    if canonical_json is not None:
        raw = canonical_json(data)
    else:
        raw = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class QrStamp:
    """Record id, version and content hash, printed as a QR code on every page."""

    record_id: str
    version: int
    content_hash: str

    @property
    def payload(self) -> str:
        """The text inside the QR code."""
        return f"{PAYLOAD_PREFIX}{self.record_id}:{self.version}:{self.content_hash}"

    @property
    def caption(self) -> str:
        """A short human-readable line printed under the symbol."""
        return f"v{self.version} {self.content_hash[:12]}"

    @classmethod
    def parse(cls, payload: str) -> QrStamp:
        """The stamp a decoded QR text stands for; ValueError when it is not one of ours."""
        text = payload.strip()
        if not text.startswith(PAYLOAD_PREFIX):
            raise ValueError(f"not a UnionDesk record code: {payload!r}")
        try:
            record_id, version, digest = text[len(PAYLOAD_PREFIX) :].rsplit(":", 2)
            return cls(record_id, int(version), digest)
        except ValueError as exc:
            raise ValueError(f"malformed UnionDesk record code: {payload!r}") from exc


@lru_cache(maxsize=16)
def _dark_runs(payload: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """(modules per side, (row, first column, length) of each horizontal run of dark modules)."""
    matrix = segno.make(payload, error="m", micro=False).matrix
    runs: list[tuple[int, int, int]] = []
    for row_no, row in enumerate(matrix):
        col, n = 0, len(row)
        while col < n:
            if row[col] & 1:
                start = col
                while col < n and row[col] & 1:
                    col += 1
                runs.append((row_no, start, col - start))
            else:
                col += 1
    return len(matrix), tuple(runs)


def draw_qr(canvas: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """Draw the QR symbol for ``payload`` with its quiet zone in the square (x, y, size).

    The symbol is a PDF form XObject made once per document and placed on each page.
    """
    name = "udqr" + hashlib.sha1(f"{payload}|{size}".encode()).hexdigest()[:16]
    if not canvas.hasForm(name):
        canvas.beginForm(name, 0, 0, size, size)
        _draw_symbol(canvas, payload, size)
        canvas.endForm()
    canvas.saveState()
    canvas.translate(x, y)
    canvas.doForm(name)
    canvas.restoreState()


def _draw_symbol(canvas: Canvas, payload: str, size: float) -> None:
    x = y = 0.0
    n, runs = _dark_runs(payload)
    module = size / (n + 2 * QUIET_ZONE)
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()
    for row_no, start, length in runs:
        top = y + size - (QUIET_ZONE + row_no + 1) * module
        path.rect(x + (QUIET_ZONE + start) * module, top, length * module, module)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
