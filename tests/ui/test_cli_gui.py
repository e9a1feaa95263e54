"""``uniondesk demo`` and ``uniondesk gui`` start the program; ``--quit-after`` closes it cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_DATA_HOME": str(home),
        "HOME": str(home),
    }
    return subprocess.run(
        [sys.executable, "-m", "desktop.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=180,
    )


def test_demo_creates_the_demo_workspace_and_quits_after_the_given_time(tmp_path: Path) -> None:
    result = run("demo", "--quit-after", "0.5", home=tmp_path)
    assert result.returncode == 0, result.stderr[-1500:]
    assert "Traceback" not in result.stderr
    assert (tmp_path / "uniondesk" / "demo-workspace" / "workspace.db").exists()


def test_gui_on_an_empty_folder_starts_at_the_first_run_screen(tmp_path: Path) -> None:
    result = run("gui", "--workspace", str(tmp_path / "new"), "--quit-after", "0.2", home=tmp_path)
    assert result.returncode == 0, result.stderr[-1500:]
    assert not (tmp_path / "new" / "workspace.db").exists()  # nothing created until asked
