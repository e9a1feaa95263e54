"""Helper run by test_screenshots in a fresh process with QT_SCALE_FACTOR set:
``python scaled_screenshot.py WORKSPACE_DIR OUT.png`` saves the Members page and prints
"fits" when the list's columns and the toolbar fit the 1280×720 logical window; it also saves
every page beside OUT.png (``150-percent-<n>-<Page>.png``) and prints one "misfit: …" line per
control outside the window or squeezed (tests/ui/fit_check.py)."""

from __future__ import annotations

import sys
from pathlib import Path

from desktop.store import KdfParams
from desktop.store import workspace as ws_module
from desktop.ui import prefs
from desktop.ui.app import create_application
from desktop.ui.tasks import ImmediateTaskRunner, set_default_runner


def main(folder: Path, out: Path) -> None:
    prefs.set_preferences_file(folder.parent / "prefs.ini")
    app = create_application(language="zh_CN")
    set_default_runner(ImmediateTaskRunner())
    fast = KdfParams(memory_kib=8192, iterations=1, lanes=1)
    ws_module.KdfParams = lambda: fast  # type: ignore[assignment]
    from desktop.demo import create_demo_workspace
    from desktop.ui.main_window import MainWindow
    from desktop.ui.pages.members import MembersPage

    ws, _key = create_demo_workspace(folder, members=30)
    window = MainWindow(folder)
    window.resize(1280, 720)
    window.show()
    window.set_workspace(ws)
    page = window.show_page(MembersPage)
    app.processEvents()
    pixmap = window.grab()
    pixmap.save(str(out))
    from tests.ui.fit_check import fit_problems

    for row in range(window.nav.count()):
        window.nav.setCurrentRow(row)
        for _ in range(3):
            app.processEvents()
        name = f"150-percent-{row + 1}-{type(window.current_page()).__name__}"
        window.grab().save(str(out.parent / f"{name}.png"))
        for problem in fit_problems(window):
            print(f"misfit: {name}: {problem}")
    window.show_page(MembersPage)
    app.processEvents()
    toolbar_fits = page.toolbar.sizeHint().width() <= page.toolbar.width() + 1
    if toolbar_fits and window.nav.width() >= 180:
        print("fits")
    window.close_workspace()


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
