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


def test_sync_prints_a_summary_and_the_refused_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    import copy

    from desktop import link
    from tests.sync.client_support import County, union_data

    county = County(tmp_path)
    try:
        ws = create_township(tmp_path, "330106001")
        link.enroll(ws, county.url, county.enroll_code("330106001"))
        ws.records.save("union", union_data("330106001"))
        local_only = copy.deepcopy(ws.forms.latest("union").raw)
        local_only["version"] = 9
        ws.forms.add(local_only)
        bad = ws.records.save("union", union_data("330106001"))
        path = ws.path
        ws.close()
        monkeypatch.setenv("UNIONDESK_PASSWORD", PASSWORD)
        assert cli_main(["sync", "--workspace", str(path)]) == 0
        out = capsys.readouterr().out.splitlines()
        assert "received: 1" in out[0] and "rejected: 1" in out[0]
        assert out[1] == f"refused: record {bad.uuid} version 1: sync.unknown_form"
    finally:
        county.close()
