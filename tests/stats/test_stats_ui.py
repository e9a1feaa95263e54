"""The Dashboard's 统计报表 action, offscreen: the dialog (as-of date, period, tables, Save as),
then the file written by the task runner from the real township workspace, read back."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import openpyxl
import pypdf
import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDialogButtonBox

from desktop.ui import stats_report
from desktop.ui.pages.dashboard import DashboardPage
from tests.stats.conftest import AS_OF, NAMES, TOWNSHIP, open_township
from tests.ui.conftest import _ui_environment, app, threaded_runner  # noqa: F401 - fixtures


@pytest.fixture
def page(qtbot: Any, app: Any, township: tuple[Path, dict[str, str]]) -> Any:  # noqa: F811
    ws = open_township(township[0])
    page = DashboardPage()
    qtbot.addWidget(page)
    page.set_workspace(ws)
    yield page
    ws.close(backup=False)


def answer(monkeypatch: pytest.MonkeyPatch, path: Path, options: Any) -> list[str]:
    """Answer the options dialog with ``options`` and the save dialog with ``path``."""
    asked: list[str] = []
    if options is not None and len(options) == 3:
        options = (*options, "workspace")
    monkeypatch.setattr(stats_report, "ask_options", lambda parent, server=None: options)

    def save(parent: Any, title: str, suggested: str, filters: str) -> str:
        asked.append(f"{title}|{suggested}|{filters}")
        return str(path)

    monkeypatch.setattr(stats_report, "ask_save_path", save)
    return asked


def test_the_dialog_in_chinese_defaults_to_today_and_every_table(qtbot: Any, app: Any) -> None:  # noqa: F811
    dialog = stats_report.StatsReportDialog(today=dt.date(2026, 12, 7))
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "统计报表"
    assert dialog.values() == (
        "2026-12-07", 2026,
        ("organisation", "membership", "realname", "assessment", "funds_review"),
    )  # fmt: skip
    texts = [c.text() for c in dialog.tables.values()]
    assert texts == ["基层工会组织情况", "会员情况", "会员实名制数据质量", "会员评家", "经费审查"]
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok.text() == "另存为…(&S)"
    dialog.as_of.setDate(QDate(2025, 6, 30))
    assert dialog.period.value() == 2025  # the period follows the as-of year
    for check in dialog.tables.values():
        check.setChecked(False)
    assert not ok.isEnabled()  # nothing to write
    dialog.tables["membership"].setChecked(True)
    assert ok.isEnabled() and dialog.values() == ("2025-06-30", 2025, ("membership",))


def test_the_dashboard_button_writes_the_chosen_table_as_xlsx(
    page: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert page.stats_button.text() == "统计报表…(&S)"
    messages: list[str] = []
    page.status_message.connect(messages.append)
    dest = tmp_path / "会员.xlsx"
    asked = answer(monkeypatch, dest, (AS_OF, 2026, ("membership",)))
    page.stats_button.click()
    assert asked and asked[0].startswith("保存统计报表|统计报表 2026-06-30.xlsx")
    assert messages == [f"统计报表已保存：{dest}"]
    wb = openpyxl.load_workbook(dest)
    assert wb.sheetnames == ["会员情况"]
    sheet = wb.active
    assert sheet["A1"].value == f"{TOWNSHIP[1]} 会员情况"
    rows = {str(sheet.cell(r, 1).value).strip(): r for r in range(5, 9)}
    a = [sheet.cell(rows[NAMES["A"]], c).value for c in range(2, 6)]
    assert a == [20, 8, 4, 2]  # employees, female employees, members, female members


def test_the_pdf_is_written_off_the_gui_thread(
    page: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    qtbot: Any,
    threaded_runner: Any,  # noqa: F811
) -> None:
    from desktop.domain import stats_facts

    threads: list[threading.Thread] = []
    real = stats_facts.township_report

    def spy(*args: Any, **kw: Any) -> Any:
        threads.append(threading.current_thread())
        return real(*args, **kw)

    monkeypatch.setattr(stats_facts, "township_report", spy)
    messages: list[str] = []
    page.status_message.connect(messages.append)
    dest = tmp_path / "统计报表.pdf"
    answer(monkeypatch, dest, (AS_OF, 2026, ("funds_review",)))
    page.stats_button.click()
    qtbot.waitUntil(lambda: bool(messages), timeout=20000)
    assert threads and threads[0] is not threading.main_thread()
    assert messages == [f"统计报表已保存：{dest}"]
    [only] = pypdf.PdfReader(dest).pages
    text = only.extract_text()
    assert f"{TOWNSHIP[1]} 经费审查" in text and "4,100.00" in text and "33.3%" in text


def test_a_file_that_cannot_be_written_is_said_in_the_status_line(
    page: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    messages: list[str] = []
    page.status_message.connect(messages.append)
    answer(monkeypatch, blocker / "s.xlsx", (AS_OF, 2026, ("membership",)))
    page.stats_button.click()
    assert len(messages) == 1 and messages[0].startswith("统计报表未能生成：")


def test_a_name_without_xlsx_or_pdf_gets_xlsx(
    page: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer(monkeypatch, tmp_path / "统计", (AS_OF, 2026, ("realname",)))
    page.stats_button.click()
    assert openpyxl.load_workbook(tmp_path / "统计.xlsx").sheetnames == ["会员实名制数据质量"]


def test_cancel_in_the_dialog_writes_nothing(
    page: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = answer(monkeypatch, tmp_path / "x.xlsx", None)
    page.stats_button.click()
    assert asked == [] and not (tmp_path / "x.xlsx").exists()
