"""Screenshots of every main page in zh_CN and en, for people to look at (test-output/ui/).

Also checks what a person would notice at once: the window fits 1366×768, Chinese renders
with the bundled font (no empty boxes), and nothing is cut off in the navigation.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from PySide6.QtGui import QFontMetrics

from desktop.ui import i18n
from desktop.ui.pages.members import MembersPage
from desktop.ui.pages.unions import UnionsPage
from tests.ui.helpers import make_window

ROOT = Path(__file__).resolve().parents[2]


def shoot(window: Any, folder: Path, name: str) -> Path:
    from PySide6.QtWidgets import QApplication

    for _ in range(3):  # let posted layout requests settle
        QApplication.processEvents()
    path = folder / f"{name}.png"
    assert window.grab().save(str(path))
    return path


def test_screenshots_of_every_page_in_both_languages(
    qtbot: Any, demo_ws: Any, workspace_dir: Path, artefact_dir: Path
) -> None:
    folder = artefact_dir / "ui"
    folder.mkdir(exist_ok=True)
    window = make_window(qtbot, workspace_dir, demo_ws)
    assert window.width() <= 1366 and window.height() <= 768
    written = []
    for lang in ("zh_CN", "en"):
        i18n.set_language(lang)
        metrics = QFontMetrics(window.nav.font())
        for row in range(window.nav.count()):
            window.nav.setCurrentRow(row)
            qtbot.wait(20)
            page = window.current_page()
            text = window.nav.item(row).text()
            assert all(metrics.inFontUcs4(ord(ch)) for ch in text), text  # no boxes
            assert metrics.horizontalAdvance(text) + 60 < window.nav.width(), text  # not cut off
            written.append(shoot(window, folder, f"{lang}-{row + 1}-{type(page).__name__}"))
        members = window.show_page(MembersPage)
        members.select_row(3)
        written.append(shoot(window, folder, f"{lang}-members-selected"))
        members.new_record()
        members.editor.view.check_all()
        written.append(shoot(window, folder, f"{lang}-member-entry-errors"))
        members.editor.view.confirm_discard = lambda: True
        members.editor.view.request_discard()
        unions = window.show_page(UnionsPage)
        unions.open_record(unions.model.record(0).uuid)
        written.append(shoot(window, folder, f"{lang}-union-entry"))
        unions.editor.view.request_discard()
    i18n.set_language("zh_CN")
    window.lock()
    written.append(shoot(window, folder, "zh_CN-locked"))
    assert all(p.stat().st_size > 10_000 for p in written)


def test_screenshot_at_150_percent_scaling(artefact_dir: Path, tmp_path: Path) -> None:
    """A 1920×1080 screen at 150 %: the window gets 1280×720 logical pixels."""
    script = ROOT / "tests" / "ui" / "scaled_screenshot.py"
    out = artefact_dir / "ui" / "zh_CN-members-150-percent.png"
    out.parent.mkdir(exist_ok=True)
    # PYTHONPATH: this checkout's code, not whatever checkout the virtualenv has installed
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "QT_SCALE_FACTOR": "1.5",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "ws"), str(out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert image.width() >= 1900 and image.height() >= 1070  # device pixels at 150 %
    assert "fits" in result.stdout
    # every page at 150 %: nothing outside the window, nothing squeezed
    assert "misfit" not in result.stdout, result.stdout
    assert len(list(out.parent.glob("150-percent-*.png"))) >= 7


def test_screenshots_of_the_first_run_screen(
    qtbot: Any, app: Any, tmp_path: Path, artefact_dir: Path
) -> None:
    folder = artefact_dir / "ui"
    folder.mkdir(exist_ok=True)
    window = make_window(qtbot, tmp_path / "new")
    screen = window.first_run
    written = []
    for lang in ("zh_CN", "en"):
        i18n.set_language(lang)
        for tab in range(screen.tabs.count()):
            screen.tabs.setCurrentIndex(tab)
            written.append(shoot(window, folder, f"{lang}-first-run-{tab + 1}"))
    i18n.set_language("zh_CN")
    screen._created((type("Ws", (), {})(), "KPDJ-2V23-ZRVH-N7H1-N7ZD-3YVH-EWJR-SFXA"))
    written.append(shoot(window, folder, "zh_CN-first-run-recovery-key"))
    assert screen.key_label.text().startswith("KPDJ")
    assert all(p.stat().st_size > 10_000 for p in written)
