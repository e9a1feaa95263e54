"""The main window shell: navigation in order, status bar facts, pages receive the workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.ui.main_window import MainWindow


def test_navigation_lists_the_pages_in_order_and_the_status_bar_tells_who_and_what(
    qtbot: Any, demo_ws: Any, workspace_dir: Path
) -> None:
    window = MainWindow(workspace_dir)
    qtbot.addWidget(window)
    window.set_workspace(demo_ws)
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles[:3] == ["仪表盘", "基层工会", "会员"] or titles[:3] == [
        "Dashboard",
        "Unions",
        "Members",
    ]
    assert len(titles) == 7
    assert "admin" in window.user_status.text()
    assert "西溪街道总工会" in window.org_status.text()
    pending = demo_ws.outbox.pending_count()
    assert pending > 0 and str(pending) in window.pending_status.text()
    window.nav.setCurrentRow(2)
    assert window.current_page().nav_title() == titles[2]
