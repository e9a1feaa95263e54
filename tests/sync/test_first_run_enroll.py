"""First run by enrollment: the workspace is created and enrolled with a real county over HTTPS;
a bad code still leaves a usable workspace, and the dialog names what is missing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget

from desktop.link import service
from desktop.store import Workspace
from desktop.ui.sync_enroll_dialog import EnrollWorkspaceDialog, create_and_enroll
from tests.sync.client_support import PASSWORD, TOWNSHIPS, County

TOWN = "330106001"


def answers(county: County, code: str) -> dict[str, str]:
    return {
        "org_code": TOWN,
        "org_name": TOWNSHIPS[TOWN],
        "admin": "admin",
        "password": PASSWORD,
        "server": county.url,
        "code": code,
    }


def test_first_run_creates_and_enrolls_the_workspace(
    qtbot: Any, runner: None, county: County, tmp_path: Path
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    path = tmp_path / "new-township"
    ws, recovery_key, failure = create_and_enroll(
        parent, path, answers(county, county.enroll_code(TOWN))
    )
    try:
        assert failure is None
        assert len(recovery_key.replace("-", "")) >= 26
        assert service.link_status(ws).enrolled
    finally:
        ws.close()
    reopened = Workspace.open(path, user="admin", password=PASSWORD)
    assert service.link_status(reopened).enrolled  # kept inside the encrypted workspace
    reopened.close()


def test_a_wrong_code_keeps_the_workspace_and_says_why(
    qtbot: Any, runner: None, county: County, tmp_path: Path
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    path = tmp_path / "township"
    ws, _key, failure = create_and_enroll(parent, path, answers(county, "WRONG-CODE-0000"))
    try:
        assert failure  # words, not a crash
        assert not service.link_status(ws).enrolled
        assert ws.org_unit.code == TOWN  # the workspace is there; enroll later on the Sync page
    finally:
        ws.close()


def test_the_dialog_names_what_is_missing(qtbot: Any) -> None:
    dialog = EnrollWorkspaceDialog()
    qtbot.addWidget(dialog)
    dialog.org_code.setText("12")
    dialog._check()
    assert dialog.problem.text() and not dialog.result()
    dialog.org_code.setText(TOWN)
    dialog.org_name.setText(TOWNSHIPS[TOWN])
    dialog._check()
    assert dialog.problem.text()  # still no password
