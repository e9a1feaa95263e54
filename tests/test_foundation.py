"""The foundation a newcomer relies on: commands, help, the bundled font, no-display message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.resources import cjk_font_path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)


def test_uniondesk_help_lists_subcommands() -> None:
    result = run(sys.executable, "-m", "desktop.cli", "--help")
    assert result.returncode == 0
    assert "gui" in result.stdout and "demo" in result.stdout


def test_uniondesk_server_help_runs() -> None:
    result = run(sys.executable, "-m", "sync.server", "--help")
    assert result.returncode == 0
    assert "uniondesk-server" in result.stdout


def test_no_display_gives_a_clear_message_not_a_qt_abort() -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    result = run(sys.executable, "-m", "desktop.cli", "demo", env=env)
    assert result.returncode == 3
    assert "no display found" in result.stderr
    assert "Abort" not in result.stderr and "qt.qpa" not in result.stderr


def test_bundled_cjk_font_is_a_truetype_file_with_a_licence() -> None:
    path = cjk_font_path()
    assert path.read_bytes()[:4] == b"\x00\x01\x00\x00"  # TrueType, not a collection
    assert (path.parent / "DroidSansFallbackFull.LICENSE.txt").read_text().count("Apache") >= 1


def test_reportlab_embeds_the_cjk_font_as_a_subset(tmp_path: Path) -> None:
    from pypdf import PdfReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("UDCJK", str(cjk_font_path())))
    out = tmp_path / "font.pdf"
    c = canvas.Canvas(str(out))
    c.setFont("UDCJK", 14)
    c.drawString(72, 720, "基层工会经费审查")
    c.save()
    reader = PdfReader(out)
    assert "基层工会经费审查" in reader.pages[0].extract_text()
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = [str(f.get_object()["/BaseFont"]) for f in fonts.values()]
    assert any("+" in n for n in names), names  # subset tag, e.g. /AAAAAA+DroidSans...


@pytest.mark.usefixtures("qapp")
def test_qt_renders_chinese_with_the_bundled_font(artefact_dir: Path) -> None:
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QApplication, QLabel

    from desktop.ui.fonts import install_cjk_font

    family = install_cjk_font(QApplication.instance())
    label = QLabel("基层工会 会员评家")
    metrics = QFontMetrics(label.font())
    assert label.font().family() == family
    assert all(metrics.inFontUcs4(ord(ch)) for ch in "基层工会会员评家")
    label.resize(300, 60)
    label.grab().save(str(artefact_dir / "foundation-chinese-label.png"))
