"""``uniondesk sync`` / ``enroll`` open the workspace exactly as ``import`` and ``print`` do:
the same password sources (``--password-stdin``, ``UNIONDESK_PASSWORD``), the same words and
exit status when the folder is missing or the password is wrong (run as a user would)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.store.conftest import ADMIN_PW

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def ud(*args: str, password: str | None = None, stdin: str | None = None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNIONDESK_")}
    if password is not None:
        env["UNIONDESK_PASSWORD"] = password
    return subprocess.run(
        [sys.executable, "-m", "desktop.cli", *args],
        cwd=REPO,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def commands(folder: Path, tmp_path: Path) -> dict[str, list[str]]:
    where = ["--workspace", str(folder)]
    return {
        "sync": ["sync", *where],
        "enroll": ["enroll", *where, "--server", "https://127.0.0.1:9", "--code", "X"],
        "print roster": ["print", "roster", *where, "--union", "x", "-o", str(tmp_path / "r.pdf")],
    }


def test_sync_opens_the_workspace_like_the_other_commands(created, ws_path, tmp_path):
    ws, _ = created
    ws.close(backup=False)
    missing = tmp_path / "nowhere"
    for name, argv in commands(missing, tmp_path).items():
        r = ud(*argv, password=ADMIN_PW)
        assert r.returncode == 1, name
        assert r.stderr == f"uniondesk: workspace not found: {missing} (use --workspace DIR)\n"

    for name, argv in commands(ws_path, tmp_path).items():
        r = ud(*argv, password="Not-the-password-9")
        assert r.returncode == 1, name
        assert r.stderr == (f"uniondesk: cannot open the workspace at {ws_path}: Wrong password.\n")
        assert "Not-the-password-9" not in r.stdout + r.stderr

    for name, argv in commands(ws_path, tmp_path).items():  # --password-stdin: past the opening
        r = ud(*argv, "--password-stdin", stdin=ADMIN_PW + "\n")
        assert "cannot open" not in r.stderr and "workspace not found" not in r.stderr, name
    r = ud(*commands(ws_path, tmp_path)["sync"], "--password-stdin", stdin=ADMIN_PW + "\n")
    assert r.returncode == 2 and "not enrolled" in r.stderr
