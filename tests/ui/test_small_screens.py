"""An old screen: every page at 1024×768 in both languages (screenshots in test-output/ui),
nothing outside the window and nothing squeezed below its minimum size; 150 % in
test_screenshots (scaled_screenshot.py runs the same check)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from desktop.ui import i18n
from desktop.ui.pages.checklists import AuditsPage
from desktop.ui.pages.members import MembersPage
from desktop.ui.pages.unions import UnionsPage
from tests.ui.fit_check import fit_problems
from tests.ui.helpers import make_window
from tests.ui.test_screenshots import shoot


def test_every_page_fits_1024_by_768(
    qtbot: Any, demo_ws: Any, workspace_dir: Path, artefact_dir: Path
) -> None:
    folder = artefact_dir / "ui"
    folder.mkdir(exist_ok=True)
    window = make_window(qtbot, workspace_dir, demo_ws)
    window.resize(1024, 768)
    qtbot.waitUntil(lambda: window.width() == 1024 and window.height() == 768, timeout=3000)
    problems: list[str] = []
    written = []
    for lang in ("zh_CN", "en"):
        i18n.set_language(lang)
        for row in range(window.nav.count()):
            window.nav.setCurrentRow(row)
            qtbot.wait(20)
            name = f"1024x768-{lang}-{row + 1}-{type(window.current_page()).__name__}"
            written.append(shoot(window, folder, name))
            problems += [f"{name}: {p}" for p in fit_problems(window)]
        for page_type in (UnionsPage, MembersPage):
            page = window.show_page(page_type)
            page.new_record()
            page.editor.view.check_all()
            name = f"1024x768-{lang}-{page_type.__name__}-entry"
            written.append(shoot(window, folder, name))
            problems += [f"{name}: {p}" for p in fit_problems(window)]
            page.editor.view.confirm_discard = lambda: True
            page.editor.view.request_discard()
        audits = window.show_page(AuditsPage)
        audits.new_checklist()
        name = f"1024x768-{lang}-checklist"
        written.append(shoot(window, folder, name))
        problems += [f"{name}: {p}" for p in fit_problems(window)]
        audits.editor.dirty = False
        audits.stack.setCurrentIndex(0)
    i18n.set_language("zh_CN")
    window.close_workspace()
    assert all(p.stat().st_size > 10_000 for p in written)
    assert not problems, "\n".join(problems)


def test_long_names_elide_with_the_full_text_in_a_tooltip(
    qtbot: Any, demo_ws: Any, workspace_dir: Path
) -> None:
    window = make_window(qtbot, workspace_dir, demo_ws)
    window.resize(1024, 768)
    unions = window.show_page(UnionsPage)
    qtbot.wait(20)
    assert unions.table.textElideMode() == Qt.TextElideMode.ElideRight
    column = next(c for c, col in enumerate(unions.model.columns) if col.key == "full_name")
    longest = max(
        range(unions.model.rowCount()), key=lambda r: len(unions.model.index(r, column).data())
    )
    index = unions.model.index(longest, column)
    name = index.data()
    unions.table.setColumnWidth(column, 120)  # a narrow screen, or a column dragged narrow
    metrics = unions.table.fontMetrics()
    assert metrics.horizontalAdvance(name) > unions.table.columnWidth(column)  # it is elided
    assert index.data(Qt.ItemDataRole.ToolTipRole).startswith(name)  # shown in full on hover
    window.close_workspace()
