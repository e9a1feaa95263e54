"""One password rule: the store, the ``uniondesk`` command and the password fields of the UI
accept and refuse the same passwords, and say why in the same terms."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.store import Workspace, errors, passwords
from desktop.ui.password_strength import problem_text
from desktop.ui.password_widget import NewPasswordWidget
from tests.ui.conftest import PASSWORD
from tests.ui.helpers import make_window, type_into

REPO = Path(__file__).resolve().parents[2]

#: (password, user, the rule's first problem or None when accepted)
CASES = [
    ("Xixi-street-2024", "admin", None),
    ("Abcdefg-12", "admin", None),  # exactly the minimum length
    ("Short-1a", "admin", passwords.TOO_SHORT),  # 8 characters: the store used to take it
    ("Abcdef-12", "admin", passwords.TOO_SHORT),  # 9
    ("abcdefghijk", "admin", passwords.TOO_SIMPLE),
    ("zhangsanfeng-gonghui", "admin", None),  # a long phrase needs no digits or capitals
    ("1234567890", "admin", passwords.COMMON_PASSWORD),
    ("Wangfang-2024", "wangfang", passwords.CONTAINS_USER),
    ("工会财务-2024年", "admin", passwords.TOO_SIMPLE),  # Chinese counts as symbols: two kinds
]


def ud(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("UNIONDESK_")}
    return subprocess.run(
        [sys.executable, "-m", "desktop.cli", *args],
        cwd=REPO,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def store_agrees(password: str, user: str, problem: str | None, tmp_path: Path) -> None:
    """Creating a workspace, adding a user and changing a password follow the rule (a function
    of its own: the caught exception's frames must not keep a Qt widget alive)."""
    ws, _ = Workspace.create(tmp_path / "ws", org_unit_code="330106001", admin_password=PASSWORD)
    try:
        actions = [
            lambda: Workspace.create(
                tmp_path / "new",
                org_unit_code="330106001",
                admin_user=user,
                admin_password=password,
            )[0].close(backup=False),
            lambda: ws.users.add(user if user != "admin" else "clerk9", password, "clerk"),
        ]
        if user == "admin":
            actions.append(lambda: ws.users.change_password("admin", password))
        for action in actions:
            if problem is None:
                action()
            else:
                with pytest.raises(errors.WeakPassword) as refused:
                    action()
                assert refused.value.problem == problem
                assert str(refused.value) == passwords.MESSAGES[problem]
    finally:
        ws.close(backup=False)


@pytest.mark.parametrize(("password", "user", "problem"), CASES)
def test_store_and_ui_agree(
    password: str, user: str, problem: str | None, tmp_path: Path, app: Any, qtbot: Any
) -> None:
    assert passwords.password_problems(password, user)[:1] == ([problem] if problem else [])
    store_agrees(password, user, problem, tmp_path)
    # the UI's new-password fields: refused with the rule's words, or accepted
    widget = NewPasswordWidget()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_user(user)
    widget.password_edit.setText(password)
    widget.repeat_edit.setText(password)
    assert widget.problem() == (problem_text(problem) if problem else None)


@pytest.mark.slow
def test_cli_agrees_with_the_store(tmp_path: Path) -> None:
    for index, (password, user, problem) in enumerate(CASES):
        folder = tmp_path / f"ws{index}"
        r = ud(
            "init",
            "--workspace",
            str(folder),
            "--org-unit",
            "330106001",
            "--admin",
            user,
            env={"UNIONDESK_PASSWORD": password},
        )
        if problem is None:
            assert r.returncode == 0, r.stderr
        else:
            assert r.returncode == 2, r.stdout + r.stderr
            assert r.stderr.strip() == f"uniondesk: {passwords.MESSAGES[problem]}"
            assert not folder.exists() or not any(folder.iterdir())
    # `user passwd` refuses what the rule refuses and leaves the old password working
    ws = tmp_path / "ws0"
    r = ud(
        "user",
        "passwd",
        "--workspace",
        str(ws),
        env={"UNIONDESK_PASSWORD": CASES[0][0], "UNIONDESK_NEW_PASSWORD": "Short-1a"},
    )
    assert (
        r.returncode == 2
        and r.stderr.strip() == f"uniondesk: {passwords.MESSAGES['password.too_short']}"
    )
    r = ud(
        "user",
        "passwd",
        "--workspace",
        str(ws),
        env={"UNIONDESK_PASSWORD": CASES[0][0], "UNIONDESK_NEW_PASSWORD": CASES[1][0]},
    )
    assert r.returncode == 0, r.stderr
    Workspace.open(ws, user="admin", password=CASES[1][0]).close(backup=False)


def test_first_run_refuses_a_nine_character_password_in_words(
    qtbot: Any, app: Any, workspace_dir: Path
) -> None:
    window = make_window(qtbot, workspace_dir)
    screen = window.first_run
    type_into(qtbot, screen.org_code, "330106001")
    type_into(qtbot, screen.org_name, "西溪街道总工会")
    type_into(qtbot, screen.new_password.password_edit, "Abcdef-12")
    type_into(qtbot, screen.new_password.repeat_edit, "Abcdef-12")
    qtbot.mouseClick(screen.create_button, Qt.MouseButton.LeftButton)
    assert screen.create_error.text() == "密码至少需要 10 个字符。"
    assert window.ws is None and not (workspace_dir / "workspace.db").exists()
