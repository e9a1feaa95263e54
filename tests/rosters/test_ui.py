"""The roster UI offscreen: Import dialog steps, cancel, Members toolbar actions, Transfer dialog."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from desktop.store import Workspace
from desktop.ui import export_actions
from desktop.ui.import_dialog import ImportDialog
from desktop.ui.tasks import ImmediateTaskRunner, TaskContext, TaskHandle, set_default_runner
from desktop.ui.transfer_dialog import TransferDialog
from tests.rosters.conftest import HEADERS, member_row, resident_id, write_xlsx


@pytest.fixture(autouse=True)
def immediate_runner(qapp: Any) -> Iterator[None]:
    """Tasks run at once; texts in English (source strings) whatever earlier tests chose."""
    from desktop.ui import i18n

    before = i18n.current_language()
    i18n.set_language("en")
    set_default_runner(ImmediateTaskRunner())
    yield
    set_default_runner(None)
    i18n.set_language(before)


class CancelAfterFirstProgress(ImmediateTaskRunner):
    """Runs at once like the immediate runner, but the user presses Cancel at the first progress."""

    def run(self, fn, on_done=None, on_error=None, on_progress=None) -> TaskHandle:  # type: ignore[override]
        ctx = TaskContext()

        def progress(done: int, total: int) -> None:
            if on_progress:
                on_progress(done, total)
            ctx.cancel()

        ctx._progress = progress
        handle = TaskHandle(ctx)
        result = fn(ctx)
        handle.finished = True
        if on_done:
            on_done(result)
        return handle


def roster_file(tmp_path: Path, n: int = 6) -> Path:
    rows = [member_row(i) for i in range(n)]
    rows[1][2] = 1.10105199001011e17
    rows[4][2] = rows[3][2]
    return write_xlsx(tmp_path / "名单.xlsx", HEADERS, rows)


def test_import_dialog_steps(
    qtbot: Any, tmp_path: Path, ws: Workspace, union: str, union2: str, artefact_dir: Path
) -> None:
    dialog = ImportDialog(ws, union_uuid=union2)
    qtbot.addWidget(dialog)
    dialog.lang = "zh_CN"
    assert dialog.union_combo.currentData() == union2
    dialog.union_combo.setCurrentIndex(dialog.union_combo.findData(union))
    dialog.next()
    assert dialog.message.text() == "Choose the file to import."
    assert dialog.stack.currentIndex() == 0

    dialog.path_edit.setText(str(roster_file(tmp_path)))
    dialog.next()
    assert dialog.stack.currentIndex() == 1
    assert dialog.mapping()[:3] == ["name", "gender", "id_number"]
    assert dialog.mapping_table.item(0, 1).text() == "会员00000"
    assert dialog.mapping_table.item(2, 1).text() == "…"  # no ID numbers shown while mapping

    dialog.next()  # check rows
    assert dialog.stack.currentIndex() == 2
    assert dialog.summary.text().splitlines() == [
        "6 rows: 5 can be imported, 1 have errors, 1 duplicates.",
        "Of the good rows: 4 new, 0 unchanged, 0 changed, 0 conflicting, 1 repeated in the file;"
        " 1 contradict their ID number.",  # row 6 repeats row 5's ID number with 性别 女
    ]
    assert dialog.error_table.rowCount() == 1
    assert dialog.error_table.item(0, 0).text() == "3"
    assert dialog.error_table.item(0, 1).text() == "身份证号码 (C)"
    assert "Excel" in dialog.error_table.item(0, 2).text()
    assert dialog.dup_table.rowCount() == 1 and "*" in dialog.dup_table.item(0, 1).text()
    assert not dialog.policy_button("keep_both").isEnabled()  # ID numbers are unique
    assert ws.records.count("member") == 0
    dialog.show()
    dialog.grab().save(str(artefact_dir / "import_preview.png"))

    report = tmp_path / "report.xlsx"
    dialog.save_chooser = lambda suggested: str(report)  # type: ignore[method-assign]
    assert dialog.save_report() == report
    assert openpyxl.load_workbook(report)["导入错误"]["A2"].value == 3

    dialog.next()  # import
    assert dialog.stack.currentIndex() == 3
    assert ws.records.count("member") == 4
    assert "4" in dialog.result_label.text()
    assert dialog.result_report_button.isEnabled()


def test_import_dialog_rejects_a_locked_file(
    qtbot: Any, tmp_path: Path, ws: Workspace, union: str
) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = roster_file(tmp_path)
    locked = tmp_path / "locked.xlsx"
    with plain.open("rb") as fh, locked.open("wb") as out:
        OOXMLFile(fh).encrypt("pw", out)
    dialog = ImportDialog(ws, union_uuid=union)
    qtbot.addWidget(dialog)
    dialog.lang = "en"
    dialog.path_edit.setText(str(locked))
    dialog.next()
    assert dialog.stack.currentIndex() == 0
    assert "locked.xlsx" in dialog.message.text() and "password" in dialog.message.text()


def test_import_dialog_cancel_keeps_what_was_saved(
    qtbot: Any, tmp_path: Path, ws: Workspace, union: str
) -> None:
    rows = [member_row(i) for i in range(1300)]
    path = write_xlsx(tmp_path / "big.xlsx", HEADERS, rows)
    dialog = ImportDialog(ws, union_uuid=union)
    qtbot.addWidget(dialog)
    dialog.lang = "en"
    dialog.path_edit.setText(str(path))
    dialog.next()
    dialog.next()
    assert dialog.plan is not None and dialog.plan.good_count == 1300
    dialog.runner = CancelAfterFirstProgress()
    dialog.next()
    assert dialog.outcome is not None and dialog.outcome.cancelled
    assert ws.records.count("member") == 1000
    text = dialog.result_label.text()
    assert "2–1001" in text and "300" in text


def test_members_page_toolbar_export_and_roster(
    qtbot: Any, tmp_path: Path, ws: Workspace, union: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.ui.pages.members import MembersPage

    ws.records.save(
        "member",
        {"union": union, "name": "孙八", "id_number": resident_id(41), "join_date": "2020-01-01"},
    )
    page = MembersPage()
    qtbot.addWidget(page)
    page.set_workspace(ws)
    names = {a.objectName() for a in page.toolbar.actions()}
    assert {"ImportMembers", "PrintRoster", "TransferMember"} <= names
    messages: list[str] = []
    page.status_message.connect(messages.append)
    out = tmp_path / "export.csv"
    monkeypatch.setattr(export_actions, "ask_save_path", lambda *a: str(out))
    monkeypatch.setattr(export_actions, "ask_unmask", lambda parent: False)
    page.roster_actions["export_members"].trigger()
    assert out.exists() and "孙八" in out.read_text(encoding="utf-8-sig")
    assert resident_id(41) not in out.read_text(encoding="utf-8-sig")
    assert "masked" in messages[-1] or "隐藏" in messages[-1]
    pdf = tmp_path / "roster.pdf"
    monkeypatch.setattr(export_actions, "ask_save_path", lambda *a: str(pdf))
    page.union_filter.setCurrentIndex(page.union_filter.findData(union))
    page.roster_actions["roster"].trigger()
    assert pdf.exists() and pdf.stat().st_size > 1000


def test_transfer_dialog_inside_and_outside(
    qtbot: Any, ws: Workspace, union: str, union2: str
) -> None:
    from desktop.domain import transfers

    a = ws.records.save(
        "member",
        {"union": union, "name": "甲", "id_number": resident_id(51), "join_date": "2020-01-01"},
    )
    b = ws.records.save(
        "member",
        {"union": union, "name": "乙", "id_number": resident_id(53), "join_date": "2020-01-01"},
    )
    dialog = TransferDialog(ws, a.uuid)
    qtbot.addWidget(dialog)
    assert dialog.member_label.text() == "甲"
    assert dialog.union_combo.count() == 1 and dialog.union_combo.currentData() == union2
    dialog.reason_edit.setText("调动")
    assert dialog.save()
    assert ws.records.get(a.uuid).data["union"] == union2

    dialog = TransferDialog(ws, b.uuid)
    qtbot.addWidget(dialog)
    dialog.outside.setChecked(True)
    dialog.other_name.setText("留下街道某工会")
    assert not dialog.save()  # no org-unit code yet: said so, nothing saved
    assert dialog.message.text() and transfers.pending_transfers(ws) == []
    dialog.other_code.setText("330106008")
    assert dialog.save()
    dialog = TransferDialog(ws, None)
    qtbot.addWidget(dialog)
    assert dialog.pending_table.rowCount() == 1 and not dialog.save_button.isEnabled()
    dialog.pending_table.setCurrentCell(0, 0)
    dialog.confirm_selected()
    assert dialog.pending_table.rowCount() == 0
    assert [t.state for t in transfers.pending_transfers(ws, state=None)] == ["confirmed"]


def test_import_dialog_speaks_chinese(
    qtbot: Any, tmp_path: Path, ws: Workspace, union: str
) -> None:
    from desktop.ui import i18n

    i18n.set_language("zh_CN")
    dialog = ImportDialog(ws, union_uuid=union)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "导入会员"
    assert dialog.next_button.text() == "下一步(&N)"
    empty = tmp_path / "空.csv"
    empty.write_bytes(b"")
    dialog.path_edit.setText(str(empty))
    dialog.next()
    assert dialog.message.text() == "“空.csv”是空表，没有任何内容。"


def test_import_dialog_with_the_threaded_runner(
    qtbot: Any, tmp_path: Path, ws: Workspace, union: str
) -> None:
    """As in the program: checking and importing run on a worker thread, progress arrives queued."""
    from desktop.ui.tasks import TaskRunner

    dialog = ImportDialog(ws, union_uuid=union, runner=TaskRunner())
    qtbot.addWidget(dialog)
    seen: list[int] = []
    dialog.progress.valueChanged.connect(seen.append)
    dialog.path_edit.setText(
        str(write_xlsx(tmp_path / "t.xlsx", HEADERS, [member_row(i) for i in range(1200)]))
    )
    dialog.next()
    dialog.next()
    qtbot.waitUntil(lambda: dialog.stack.currentIndex() == 2, timeout=60000)
    assert dialog.plan is not None and dialog.plan.good_count == 1200
    dialog.next()
    qtbot.waitUntil(lambda: dialog.stack.currentIndex() == 3, timeout=60000)
    assert ws.records.count("member") == 1200
    assert seen  # the progress bar moved
    dialog.runner.wait(5000)


def test_import_dialog_shows_reimport_classes_and_contradictions(
    qtbot: Any, tmp_path: Path, ws: Workspace, union: str
) -> None:
    from desktop.domain import member_import as ei

    rows = [member_row(i) for i in range(1, 5)]
    plan = ei.preview_import(
        ws, ei.open_member_sheet(write_xlsx(tmp_path / "a.xlsx", HEADERS, rows), ws), union
    )
    ei.commit_import(ws, plan)
    rows[0][4] = "13999990001"  # changed
    rows[1][1] = "女" if rows[1][1] == "男" else "男"  # contradicts the ID number
    rows.append(member_row(30))
    dialog = ImportDialog(ws, union_uuid=union)
    qtbot.addWidget(dialog)
    dialog.path_edit.setText(str(write_xlsx(tmp_path / "b.xlsx", HEADERS, rows)))
    dialog.next()
    dialog.next()  # check rows
    assert dialog.summary.text().splitlines()[1] == (
        "Of the good rows: 1 new, 3 unchanged, 1 changed, 0 conflicting, 0 repeated in the file;"
        " 1 contradict their ID number."
    )
    shown = {
        dialog.match_table.item(i, 0).text(): (
            dialog.match_table.item(i, 1).text(),
            dialog.match_table.item(i, 3).text(),
        )
        for i in range(dialog.match_table.rowCount())
    }
    assert shown["2"] == ("changed", "手机号码") and shown["4"] == ("unchanged", "")
    assert shown["3"] == ("unchanged", "")  # compared with the ID's gender, as it would be written
    assert [dialog.contra_table.item(0, c).text() for c in range(2)] == ["3", "性别 (B)"]
    dialog.contra_group.button(dialog.contra_group.id(dialog.contra_group.buttons()[1])).click()
    assert dialog.contradictions() == "exclude"
    dialog.policy_button("update").setChecked(True)
    dialog.next()  # import
    assert "2 rows equal to the saved member: nothing written." in dialog.result_label.text()
    assert "1 rows skipped (see the error report for why)." in dialog.result_label.text()
    versions = {r.data["name"]: r.version for r in ws.records.query("member")}
    assert versions == {
        "会员00001": 2,
        "会员00002": 1,
        "会员00003": 1,
        "会员00004": 1,
        "会员00030": 1,
    }
