"""Icons from resources/icons (SVG line icons), cached, with a tinted variant for dark backgrounds."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from desktop.resources import resource_path

NEUTRAL = "#3b4a5c"


@cache
def icon(name: str, color: str | None = None) -> QIcon:
    """``resources/icons/<name>.svg`` as a QIcon (optionally recoloured line icon)."""
    path = resource_path("icons", f"{name}.svg")
    if not path.exists():
        return QIcon()
    if color is None:
        return QIcon(str(path))
    svg = path.read_text(encoding="utf-8").replace(NEUTRAL, color)
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    result = QIcon()
    for size in (16, 20, 24, 32, 48):
        pixmap = QPixmap(QSize(size, size))
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        result.addPixmap(pixmap)
    return result


def status_icon(status: str) -> QIcon:
    """The round status badge for a record's sync lifecycle status."""
    return icon(f"status-{status}")
