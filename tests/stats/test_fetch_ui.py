"""The Dashboard's 统计报表 dialog on a county reviewer's workspace, offscreen (issue 18): it
offers the source 本工作区 / 县级服务器 only there, and 县级服务器 writes the county's own tables
fetched from a real HTTPS county on 127.0.0.1 through the named operation; a county out of
reach is said in the status line and nothing is written."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtWidgets import QComboBox

from desktop.link import state
from desktop.store import Workspace
from desktop.ui import stats_report
from desktop.ui.pages.dashboard import DashboardPage
from sync.retry import RetryPolicy
from sync.server.runner import free_port
from tests.stats.conftest import AS_OF
from tests.stats.test_fetch_from_server import LIGHT, PASSWORD, county  # noqa: F401 - fixture
from tests.ui.conftest import _ui_environment, app  # noqa: F401 - fixtures


def _page(qtbot: Any, folder: Path, user: str) -> Iterator[Any]:
    ws = Workspace.open(folder, user=user, password=PASSWORD, kdf=LIGHT)
    page = DashboardPage()
    qtbot.addWidget(page)
    page.set_workspace(ws)
    try:
        yield page
    finally:
        ws.close(backup=False)


@pytest.fixture
def reviewer_page(qtbot: Any, app: Any, county: dict[str, Any]) -> Iterator[Any]:  # noqa: F811
    yield from _page(qtbot, county["reviewer_ws"], "shen")


def _answer(monkeypatch: pytest.MonkeyPatch, path: Path, options: Any) -> list[str | None]:
    offered: list[str | None] = []

    def ask(parent: Any, server: str | None = None) -> Any:
        offered.append(server)
        return options

    monkeypatch.setattr(stats_report, "ask_options", ask)
    monkeypatch.setattr(stats_report, "ask_save_path", lambda *a: str(path))
    return offered


def test_the_source_choice_only_on_a_reviewer_workspace(
    qtbot: Any,
    app: Any,  # noqa: F811
    county: dict[str, Any],  # noqa: F811
) -> None:
    dialog = stats_report.StatsReportDialog(today=dt.date(2026, 12, 7), server_name="西湖区总工会")
    qtbot.addWidget(dialog)
    combo = dialog.findChild(QComboBox, "StatsSource")
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "本工作区",
        "县级服务器（西湖区总工会）",
    ]
    assert dialog.chosen_source() == "workspace"  # the default stays the workspace's own
    combo.setCurrentIndex(1)
    assert dialog.chosen_source() == "server"
    plain = stats_report.StatsReportDialog(today=dt.date(2026, 12, 7))
    qtbot.addWidget(plain)
    assert plain.findChild(QComboBox, "StatsSource") is None
    assert plain.chosen_source() == "workspace"
    for user, offered in (("shen", "西湖区总工会"), ("li", None)):  # li (clerk) may not review
        ws = Workspace.open(county["reviewer_ws"], user=user, password=PASSWORD, kdf=LIGHT)
        try:
            assert stats_report.county_server_name(ws) == offered
        finally:
            ws.close(backup=False)


def test_the_county_server_source_writes_the_county_tables(
    reviewer_page: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    messages: list[str] = []
    reviewer_page.status_message.connect(messages.append)
    dest = tmp_path / "县级.xlsx"
    offered = _answer(monkeypatch, dest, (AS_OF, 2026, ("membership",), "server"))
    reviewer_page.stats_button.click()
    assert offered == ["西湖区总工会"]
    assert messages == [f"统计报表已保存：{dest}"]
    sheet = openpyxl.load_workbook(dest)["会员情况"]
    assert sheet["A1"].value == "西湖区总工会 会员情况"
    assert str(sheet.cell(7, 1).value).strip() == "西湖区总工会 合计"
    assert [sheet.cell(7, c).value for c in range(2, 6)] == [43, 19, 7, 3]


def test_a_county_out_of_reach_is_said_and_nothing_written(
    qtbot: Any,
    app: Any,  # noqa: F811
    county: dict[str, Any],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    copy = tmp_path / "ws-copy"
    shutil.copytree(county["reviewer_ws"], copy)
    ws = Workspace.open(copy, user="admin", password=PASSWORD, kdf=LIGHT)
    e = state.load_enrollment(ws.settings)
    ws.settings.set(
        state.ENROLLMENT_KEY, {**e.to_json(), "server_url": f"https://127.0.0.1:{free_port()}"}
    )
    ws.close(backup=False)
    monkeypatch.setattr(stats_report, "RETRY", RetryPolicy(attempts=1, connect_timeout=2))
    for page in _page(qtbot, copy, "shen"):
        messages: list[str] = []
        page.status_message.connect(messages.append)
        dest = tmp_path / "out.xlsx"
        _answer(monkeypatch, dest, (AS_OF, 2026, ("membership",), "server"))
        page.stats_button.click()
        assert messages == ["统计报表未能生成：无法连接县级服务器，请稍后重试"]
        assert not dest.exists()
