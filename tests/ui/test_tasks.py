"""The background-task helper: work off the GUI thread, callbacks on it, progress and cancel."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

from desktop.ui.tasks import ImmediateTaskRunner, TaskRunner


def test_threaded_runner_works_off_the_gui_thread_and_calls_back_on_it(qtbot) -> None:
    runner = TaskRunner()
    gui_thread = QApplication.instance().thread()
    seen: dict[str, object] = {}

    def work(ctx):
        seen["worker_is_gui"] = QThread.currentThread() is gui_thread
        for i in range(3):
            ctx.progress(i + 1, 3)
        return 42

    progress: list[tuple[int, int]] = []

    def done(result):
        seen["result"] = result
        seen["done_is_gui"] = QThread.currentThread() is gui_thread

    runner.run(work, on_done=done, on_progress=lambda d, t: progress.append((d, t)))
    qtbot.waitUntil(lambda: "result" in seen, timeout=5000)
    qtbot.waitUntil(lambda: len(progress) == 3, timeout=2000)
    assert seen == {"worker_is_gui": False, "result": 42, "done_is_gui": True}
    assert progress == [(1, 3), (2, 3), (3, 3)]


def test_cancel_stops_the_task_and_keeps_what_was_done(qtbot) -> None:
    runner = TaskRunner()
    started = threading.Event()
    finished: list[int] = []

    def work(ctx):
        done = 0
        started.set()
        while not ctx.cancelled and done < 10_000:
            done += 1
            time.sleep(0.001)
        return done

    handle = runner.run(work, on_done=finished.append)
    assert started.wait(5)
    handle.cancel()
    qtbot.waitUntil(lambda: bool(finished), timeout=5000)
    assert 0 < finished[0] < 10_000 and handle.finished


def test_errors_reach_on_error_on_the_gui_thread(qtbot) -> None:
    errors: list[BaseException] = []
    TaskRunner().run(lambda ctx: 1 / 0, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[0], ZeroDivisionError)


def test_immediate_runner_calls_back_before_returning() -> None:
    out: list[object] = []
    ImmediateTaskRunner().run(lambda ctx: "x", on_done=out.append)
    ImmediateTaskRunner().run(lambda ctx: 1 / 0, on_error=out.append)
    assert out[0] == "x" and isinstance(out[1], ZeroDivisionError)


def test_saving_with_the_threaded_runner_updates_the_list(
    qtbot, demo_ws, workspace_dir, threaded_runner
) -> None:
    """The real runner: the save happens on a worker thread, the list and status bar follow."""
    from desktop.ui.pages.unions import UnionsPage
    from tests.ui.helpers import make_window

    window = make_window(qtbot, workspace_dir, demo_ws)
    page = window.show_page(UnionsPage)
    before = page.model.rowCount()
    page.open_record(page.model.record(0).uuid)
    page.editor.view.editor("short_name").set_value("改名后的工会")
    page.editor.view._edited()
    page.editor.save()
    qtbot.waitUntil(lambda: not page.editor.saving, timeout=10_000)
    assert page.editor.status == "ready" and not page.editor.view.is_dirty()
    qtbot.waitUntil(lambda: page.model.rowCount() == before, timeout=5000)
    assert demo_ws.records.get(page.editor.uuid).data["short_name"] == "改名后的工会"
    threaded_runner.wait(5000)
    window.close_workspace()


def test_dashboard_figures_come_from_a_worker_thread(
    qtbot, demo_ws, workspace_dir, threaded_runner
) -> None:
    from desktop.ui.pages.dashboard import DashboardPage
    from tests.ui.helpers import make_window

    window = make_window(qtbot, workspace_dir, demo_ws)
    page = window.show_page(DashboardPage)
    qtbot.waitUntil(lambda: page.cards["members"].value.text() == "60", timeout=10_000)
    assert page.cards["unions"].value.text() == "6"
    threaded_runner.wait(5000)
    window.close_workspace()
