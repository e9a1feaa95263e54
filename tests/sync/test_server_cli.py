"""The ``uniondesk-server`` command: init, clear startup errors, codes, revoke, listings."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest

from sync.protocol import ca_check, split_enroll_code
from sync.server.cli import main

REPO_ARGS = {"cwd": str(__import__("pathlib").Path(__file__).resolve().parents[2])}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.fixture
def county_dir(tmp_path, capsys):
    data = tmp_path / "county"
    rc, out, _ = run(
        capsys, "init", "--level", "county", "--name", "西湖区总工会", "--code", "330106",
        "--data", str(data),
    )  # fmt: skip
    assert rc == 0 and "initialised county server" in out
    return data


def test_init_creates_keys_ca_and_config(county_dir, capsys):
    for name in ("keys/signing.key", "keys/hpke.key", "tls/ca.pem", "tls/server.pem"):
        assert (county_dir / name).is_file()
    assert (county_dir / "keys" / "signing.key").stat().st_mode & 0o077 == 0
    config = json.loads((county_dir / "config.json").read_text())
    assert config["level"] == "county" and config["name"] == "西湖区总工会"
    rc, _, err = run(capsys, "init", "--level", "county", "--name", "x", "--data", str(county_dir))
    assert rc == 2 and "already initialised" in err
    with pytest.raises(SystemExit):  # argparse refuses an unknown level
        main(["init", "--level", "city", "--name", "x", "--data", str(county_dir / "y")])


def test_enroll_code_is_printed_and_names_the_ca(county_dir, capsys):
    rc, _, err = run(capsys, "enroll-code", "--data", str(county_dir), "--org-unit", "330106001")
    assert rc == 2 and "unknown org unit 330106001" in err
    rc, out, _ = run(
        capsys, "enroll-code", "--data", str(county_dir), "--org-unit", "330106001",
        "--org-unit-name", "西溪街道总工会",
    )  # fmt: skip
    assert rc == 0
    secret, check = split_enroll_code(out.strip())
    assert check == ca_check((county_dir / "tls" / "ca.pem").read_text())
    rc, out, _ = run(capsys, "org-units", "--data", str(county_dir))
    assert "330106001" in out and "西溪街道总工会" in out and "parent=330106" in out


def test_serve_startup_errors_are_clear(county_dir, tmp_path, capsys):
    rc, _, err = run(capsys, "serve", "--data", str(tmp_path / "missing"))
    assert rc == 2 and "does not exist" in err and "uniondesk-server init" in err
    (tmp_path / "empty").mkdir()
    rc, _, err = run(capsys, "serve", "--data", str(tmp_path / "empty"))
    assert rc == 2 and "not a UnionDesk server data directory" in err
    rc, _, err = run(capsys, "serve", "--data", str(county_dir), "--level", "province")
    assert rc == 2 and "holds a county server, not a province server" in err
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        rc, _, err = run(capsys, "serve", "--data", str(county_dir), "--port", str(port))
    assert rc == 2 and f"port {port} on 127.0.0.1 is already in use" in err


def test_serve_as_a_process_survives_a_kill_and_revoke_cuts_a_device_off(
    server_process_factory, raw_device, capsys
):
    proc = server_process_factory()
    handle = proc.handle()
    device = raw_device(handle)
    assert device.post_batch(device.seal([device.record()])).status_code == 200
    proc.kill()  # a crash: no clean shutdown
    proc.start()
    body = device.seal([device.record()])
    assert device.post_batch(body).status_code == 200  # enrollment and sequence survived
    rc, out, _ = run(capsys, "devices", "--data", str(proc.data_dir))
    assert device.device_id in out and "seq=2" in out and "active" in out
    rc, out, _ = run(capsys, "batches", "--data", str(proc.data_dir))
    assert out.count(device.device_id) == 2
    rc, out, _ = run(capsys, "revoke-device", "--data", str(proc.data_dir), device.device_id)
    assert rc == 0 and "revoked" in out
    r = device.post_batch(device.seal([device.record()]))
    assert r.status_code == 403 and r.json()["error"] == "device_revoked"
    assert "refused device_revoked" in (proc.data_dir / "logs" / "server.log").read_text()
    rc, _, err = run(capsys, "revoke-device", "--data", str(proc.data_dir), "nope")
    assert rc == 2 and "no device nope" in err


def test_console_script_help_lists_the_commands():
    out = subprocess.run(
        [sys.executable, "-m", "sync.server", "--help"],
        capture_output=True,
        text=True,
        check=True,
        **REPO_ARGS,
    ).stdout
    for command in ("init", "serve", "enroll-code", "revoke-device", "devices", "batches"):
        assert command in out


def test_init_with_an_unreachable_database_says_so_and_writes_nothing(tmp_path, capsys):
    url = "postgresql+psycopg://county:s3cret@/uniondesk?host=/nonexistent&port=1"
    data = tmp_path / "county"
    rc, _, err = run(
        capsys,
        "init",
        "--level",
        "province",
        "--name",
        "省总工会",
        "--data",
        str(data),
        "--db",
        url,
    )
    assert rc == 2 and "cannot open the database" in err
    assert "s3cret" not in err
    assert not data.exists()
