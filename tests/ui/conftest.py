"""UI test fixtures: the app (font, style, zh_CN), an immediate task runner, private prefs,
fast key derivation, and real workspaces on disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.ui import i18n, prefs
from desktop.ui.tasks import ImmediateTaskRunner, set_default_runner

PASSWORD = "Xixi-street-2024"


class Dialogs:
    """Stands in for modal question boxes (a modal box would block an offscreen test run):
    records each question and answers ``answer`` (default: the affirmative button offered)."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.answer: Any = None

    def question(self, parent: Any, title: str, text: str, buttons: Any = None, *_a: Any) -> Any:
        from PySide6.QtWidgets import QMessageBox

        self.asked.append(text)
        if self.answer is not None:
            return self.answer
        b = QMessageBox.StandardButton
        offered = buttons if buttons is not None else b.Yes | b.No
        for choice in (b.Yes, b.Discard, b.Ok):
            if offered & choice:
                return choice
        return b.No


@pytest.fixture
def dialogs() -> Dialogs:
    return _DIALOGS


_DIALOGS = Dialogs()


@pytest.fixture(autouse=True)
def _ui_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every UI test: tasks run at once, preferences in a temp file, cheap Argon2 parameters,
    question boxes answered by :class:`Dialogs`."""
    from PySide6.QtWidgets import QMessageBox

    from desktop.store import KdfParams
    from desktop.store import workspace as ws_module

    _DIALOGS.asked.clear()
    _DIALOGS.answer = None
    monkeypatch.setattr(QMessageBox, "question", _DIALOGS.question)

    set_default_runner(ImmediateTaskRunner())
    prefs.set_preferences_file(tmp_path / "prefs.ini")
    fast = KdfParams(memory_kib=8192, iterations=1, lanes=1)
    monkeypatch.setattr(ws_module, "KdfParams", lambda: fast)
    yield
    set_default_runner(None)
    prefs.set_preferences_file(None)


@pytest.fixture
def threaded_runner() -> Any:
    """The real worker-thread runner as the default, for tests of what runs off the GUI thread."""
    from desktop.ui.tasks import TaskRunner

    runner = TaskRunner()
    set_default_runner(runner)
    return runner


@pytest.fixture
def app(qapp: Any) -> Any:
    """The QApplication as the program sets it up, in Chinese."""
    from desktop.ui.app import create_application

    application = create_application(language="zh_CN")
    yield application
    i18n.set_language("zh_CN")


@pytest.fixture
def workspace_dir(tmp_path: Path) -> Path:
    return tmp_path / "workspace"


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace (six unions, sixty members, one returned), made once per run."""
    from desktop.demo import create_demo_workspace
    from desktop.store import KdfParams

    folder = tmp_path_factory.mktemp("demo-template") / "workspace"
    ws, _key = create_demo_workspace(folder, kdf=KdfParams(memory_kib=8192, iterations=1, lanes=1))
    ws.close(backup=False)
    return folder


@pytest.fixture
def demo_ws(workspace_dir: Path, demo_template: Path, app: Any) -> Iterator[Any]:
    """A fresh copy of the demo workspace, open as admin."""
    import shutil

    from desktop.demo import DEMO_PASSWORD, DEMO_USER
    from desktop.store import Workspace

    shutil.copytree(demo_template, workspace_dir)
    ws = Workspace.open(workspace_dir, user=DEMO_USER, password=DEMO_PASSWORD)
    yield ws
    ws.close(backup=False)
