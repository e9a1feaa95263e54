"""``uniondesk enroll`` / ``uniondesk sync`` refuse clearly when they cannot work."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from desktop.cli import main as cli_main
from tests.sync.client_support import PASSWORD, create_township


def test_sync_commands_explain_what_is_wrong(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setenv("UNIONDESK_PASSWORD", PASSWORD)
    missing = tmp_path / "nowhere"
    assert cli_main(["sync", "--workspace", str(missing)]) == 1
    assert "workspace not found" in capsys.readouterr().err

    ws = create_township(tmp_path, "330106001")
    ws.users.add("jingshen", "Audit-pass-1", "auditor")
    path = ws.path
    ws.close()
    assert cli_main(["sync", "--workspace", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("uniondesk: ") and "not enrolled" in err

    rc = cli_main(
        ["enroll", "--workspace", str(path), "--server", "http://127.0.0.1:1", "--code", "X"]
    )
    assert rc == 2
    assert "https://" in capsys.readouterr().err

    monkeypatch.setenv("UNIONDESK_PASSWORD", "wrong password")
    assert cli_main(["sync", "--workspace", str(path)]) == 1
    err = capsys.readouterr().err
    assert "cannot open the workspace" in err and "wrong password" not in err

    monkeypatch.setenv("UNIONDESK_PASSWORD", "Audit-pass-1")
    assert cli_main(["sync", "--workspace", str(path), "--user", "jingshen"]) == 2
    assert "may not sync" in capsys.readouterr().err

    with pytest.raises(SystemExit):
        cli_main(["enroll", "--workspace", str(path), "--code", "X"])  # --server is required
