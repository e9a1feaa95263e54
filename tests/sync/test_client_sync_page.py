"""The Sync page (pytest-qt, offscreen) against a real county over HTTPS: a clerk enrolls by typing
the address and code, presses Sync now, sees progress, the batch with its receipt and the refused
record with its reason; cancel stops between batches; the page shows online/offline and sends
by itself when the county comes back (and not when auto-sync is off).
"""

from __future__ import annotations

import copy
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QTimer, QTranslator

from desktop.link import state
from desktop.ui.pages.sync_page import SyncPage
from desktop.ui.tasks import set_default_runner
from sync.client import BatchLimits
from tests.sync.client_support import County, create_township, union_data
from tests.sync.faultproxy import Fault, FaultProxy

TOWN = "330106001"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Any]:
    w = create_township(tmp_path, TOWN)
    yield w
    w.close()


def _rows(table: Any) -> list[list[str]]:
    return [
        [table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]


def test_clerk_enrolls_and_syncs_from_the_page(
    qtbot: Any, runner: None, county: County, ws: Any, artefact_dir: Path
) -> None:
    page = SyncPage(auto_interval_ms=3_600_000)
    qtbot.addWidget(page)
    page.resize(900, 700)
    page.set_workspace(ws)
    page.show()
    assert page.state_label.text() == "Not enrolled"
    assert page.enroll_box.isVisible() and not page.sync_button.isEnabled()

    # a mistyped code: a clear message, still not enrolled
    qtbot.keyClicks(page.server_edit, county.url)
    qtbot.keyClicks(page.code_edit, "AAAAA-BBBBB-CCCCC-DDDDD")
    qtbot.mouseClick(page.enroll_button, Qt.MouseButton.LeftButton)
    assert "not the server the enrollment code was made for" in page.message_label.text()
    assert state.load_enrollment(ws.settings) is None

    page.code_edit.clear()
    qtbot.keyClicks(page.code_edit, county.enroll_code(TOWN))
    qtbot.mouseClick(page.enroll_button, Qt.MouseButton.LeftButton)
    assert page.state_label.text().startswith("Enrolled with 西湖区总工会 as 330106001")
    assert not page.enroll_box.isVisible() and page.sync_button.isEnabled()
    assert page.online_label.text() == "Online"  # probed right after enrolling

    good = [ws.records.save("union", union_data(TOWN)) for _ in range(3)]
    local_only = copy.deepcopy(ws.forms.latest("union").raw)
    local_only["version"] = 9  # a form version the county was never given
    ws.forms.add(local_only)
    bad = ws.records.save("union", union_data(TOWN))
    page.refresh()
    assert page.pending_label.text() == "4 record(s)"

    seen: list[int] = []
    page.progress.valueChanged.connect(seen.append)
    qtbot.mouseClick(page.sync_button, Qt.MouseButton.LeftButton)
    assert page.progress.value() == page.progress.maximum()
    assert "3 record(s) delivered, 1 refused" in page.message_label.text()
    assert page.pending_label.text() == "0 record(s)"
    [batch] = _rows(page.history_table)
    assert batch[:5] == ["#1", "4", "3", "0", "1"]
    [refused] = _rows(page.rejected_table)
    assert refused[0] == bad.uuid[:8]
    assert "does not know this form version" in refused[3]
    assert ws.records.get(bad.uuid).status == "rejected"
    assert {ws.records.get(r.uuid).status for r in good} == {"delivered"}
    assert ws.settings.get(state.LAST_SUCCESS_KEY)[:10] == page.last_label.text()[:10]
    page.grab().save(str(artefact_dir / "sync-page.png"))


def test_cancel_from_the_page_keeps_what_was_delivered(
    qtbot: Any, runner: None, county: County, ws: Any
) -> None:
    from desktop.link import service

    page = SyncPage(auto_interval_ms=3_600_000)
    qtbot.addWidget(page)
    page.set_workspace(ws)
    service.enroll(ws, county.url, county.enroll_code(TOWN))
    for _ in range(6):
        ws.records.save("union", union_data(TOWN))
    page.refresh()
    page.sync_options = {"limits": BatchLimits(max_records=2)}

    def press_cancel(value: int) -> None:
        if value >= 2 and page.cancel_button.isEnabled():
            qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)

    page.progress.valueChanged.connect(press_cancel)
    qtbot.mouseClick(page.sync_button, Qt.MouseButton.LeftButton)
    assert "Cancelled. 2 record(s) were delivered" in page.message_label.text()
    assert page.pending_label.text() == "4 record(s)"
    assert len(county.record_keys()) == 2
    assert page.sync_button.isEnabled() and not page.cancel_button.isEnabled()


def test_online_state_and_automatic_sync(qtbot: Any, runner: None, county: County, ws: Any) -> None:
    with FaultProxy("127.0.0.1", county.port) as proxy:
        from desktop.link import service

        service.enroll(ws, proxy.url, county.enroll_code(TOWN))
        page = SyncPage(auto_interval_ms=3_600_000)
        qtbot.addWidget(page)
        proxy.default = Fault("refuse")  # the township is offline
        page.set_workspace(ws)  # start-up probe
        assert page.online_label.text() == "Offline"
        rec = ws.records.save("union", union_data(TOWN))
        page.auto.tick()
        assert page.online_label.text() == "Offline"
        assert ws.records.get(rec.uuid).status == "ready"

        proxy.default = Fault()  # the link comes back: sent without anyone pressing a button
        with qtbot.waitSignal(page.status_changed, timeout=5000):
            page.auto.tick()
        assert page.online_label.text() == "Online"
        assert ws.records.get(rec.uuid).status == "delivered"
        assert page.pending_label.text() == "0 record(s)"
        # nothing to send and the inbox not due: a tick is one cheap probe, nothing more
        before = proxy.connections
        page.auto.tick()
        assert proxy.connections == before + 1 and page.online_label.text() == "Online"

        page.auto_check.setChecked(False)  # the clerk turns it off
        assert state.auto_sync_enabled(ws.settings) is False
        later = ws.records.save("union", union_data(TOWN))
        page.auto.tick()
        assert ws.records.get(later.uuid).status == "ready"
        assert len(county.record_keys()) == 1

        # the county cuts this PC off: the next automatic sync says so in words
        county.server.store.revoke_device(state.load_enrollment(ws.settings).device_id)
        page.auto_check.setChecked(True)
        page.auto.tick()
        assert "no longer accepts this computer" in page.message_label.text()
        assert ws.records.get(later.uuid).status == "queued"


def test_page_speaks_chinese(qtbot: Any, runner: None, ws: Any, tmp_path: Path) -> None:
    qm = tmp_path / "sync_zh_CN.qm"
    lrelease = Path(sys.executable).parent / "pyside6-lrelease"
    subprocess.run(
        [str(lrelease), "-silent", str(REPO / "resources/i18n/sync_zh_CN.ts"), "-qm", str(qm)],
        check=True,
    )
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    try:
        page = SyncPage(auto_interval_ms=3_600_000)
        qtbot.addWidget(page)
        page.set_workspace(ws)
        assert page.nav_title() == "同步"
        assert page.sync_button.text() == "立即同步(&S)"
        assert page.state_label.text() == "未注册"
        assert page.pending_label.text() == "0 条记录"
    finally:
        QCoreApplication.removeTranslator(translator)


def test_a_slow_link_never_freezes_the_window(qtbot: Any, county: County, ws: Any) -> None:
    """The start-up probe against a county that answers slowly runs off the GUI thread."""
    from desktop.link import service
    from desktop.ui.tasks import default_runner

    set_default_runner(None)  # the real thread-pool runner
    with FaultProxy("127.0.0.1", county.port) as proxy:
        service.enroll(ws, proxy.url, county.enroll_code(TOWN))
        proxy.default = Fault("delay", seconds=0.6)
        page = SyncPage(auto_interval_ms=3_600_000)
        qtbot.addWidget(page)
        beats: list[float] = []
        timer = QTimer()
        timer.timeout.connect(lambda: beats.append(time.monotonic()))
        timer.start(20)
        start = time.monotonic()
        with qtbot.waitSignal(page.auto.online_changed, timeout=15_000) as blocker:
            page.set_workspace(ws)
            assert time.monotonic() - start < 0.5  # returned at once; the probe is on a worker
        timer.stop()
        assert blocker.args == [True] and page.online_label.text() == "Online"
        assert time.monotonic() - start >= 0.6  # the probe really waited for the slow link
        gaps = [b - a for a, b in zip(beats, beats[1:], strict=False)]
        assert len(beats) > 20 and max(gaps) < 0.5  # the event loop kept running meanwhile
        default_runner().wait(20_000)


def test_every_sync_text_has_a_chinese_translation() -> None:
    """Each string the Sync page and its messages show is in resources/i18n/sync_zh_CN.ts."""
    import ast
    import xml.etree.ElementTree as ET

    tree = ET.parse(REPO / "resources/i18n/sync_zh_CN.ts")
    have = {
        (ctx.findtext("name"), m.findtext("source"))
        for ctx in tree.getroot().iter("context")
        for m in ctx.iter("message")
        if (m.findtext("translation") or "").strip()
        or m.find("translation/numerusform") is not None
    }
    wanted: set[tuple[str, str]] = set()
    for rel, context in (
        ("desktop/ui/pages/sync_page.py", "SyncPage"),
        ("desktop/ui/sync_text.py", "SyncText"),
    ):
        for node in ast.walk(ast.parse((REPO / rel).read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and (
                    (isinstance(node.func, ast.Attribute) and node.func.attr == "tr")
                    or (isinstance(node.func, ast.Name) and node.func.id == "_tr")
                )
                and node.args
            ):
                arg = node.args[0]
                assert isinstance(arg, ast.Constant), f"{rel}:{node.lineno}: tr() of a non-literal"
                wanted.add((context, arg.value))
    assert len(wanted) > 40
    assert sorted(wanted - have) == []


def test_page_says_a_restored_backup_was_caught_up(
    qtbot: Any, runner: None, county: County, ws: Any, tmp_path: Path
) -> None:
    from desktop.link import service
    from desktop.store import Workspace
    from tests.sync.client_support import PASSWORD

    service.enroll(ws, county.url, county.enroll_code(TOWN))
    backup = ws.backup(tmp_path / "old.udbak")
    ws.records.save("union", union_data(TOWN))
    service.sync_now(ws)  # the county has batch #1 now; the backup does not know it
    restored = Workspace.restore(backup, tmp_path / "new-pc", user="admin", password=PASSWORD)
    try:
        page = SyncPage(auto_interval_ms=3_600_000)
        qtbot.addWidget(page)
        page.set_workspace(restored)
        for _ in range(2):
            restored.records.save("union", union_data(TOWN))
        page.refresh()
        qtbot.mouseClick(page.sync_button, Qt.MouseButton.LeftButton)
        text = page.message_label.text()
        assert "2 record(s) delivered, 0 refused" in text
        assert "was an older backup restored?" in text and "2 record(s) it never received" in text
        assert page.pending_label.text() == "0 record(s)"
        assert len(set(county.record_keys())) == len(county.record_keys()) == 3
    finally:
        restored.close()
