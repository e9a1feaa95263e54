"""Commands for running a server for years: ``status`` and ``install-service``."""

from __future__ import annotations

import argparse
import grp
import json
import pwd
import string
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from sync.server.config import ServerSetupError, load_data_dir

UNIT_NAME = "uniondesk-server.service"
DEFAULT_UNIT_DIR = Path("/etc/systemd/system")


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def status_lines(doc: dict[str, Any]) -> list[str]:
    """The health document for a person (``uniondesk-server status``)."""
    db = doc["database"]
    lines = [
        f"status      {doc['status']}" + (f" ({', '.join(doc['problems'])})" if doc["problems"] else ""),
        f"level       {doc['level']}",
        f"database    {db['dialect']}, " + ("reachable" if db["reachable"] else f"UNREACHABLE ({db.get('error')})"),
        f"schema      revision {doc['schema']['revision']}",
        f"keys        {'loaded' if doc['keys_loaded'] else 'NOT LOADED'}",
        f"disk free   {_size(doc['disk']['free_bytes'])} of {_size(doc['disk']['total_bytes'])}",
    ]  # fmt: skip
    relay = doc.get("relay")
    if relay is not None:
        if not relay["enrolled"]:
            lines.append("relay       not enrolled at a province (uniondesk-server relay-enroll)")
        else:
            b = relay["backlog"]
            lines.append(
                f"relay       {relay['waiting']} waiting for the province (pending={b['pending']} "
                f"sealed={b['sealed']}); delivered={b['delivered']} rejected={b['rejected']}"
            )
            lines.append(f"            last success {relay['last_success_at'] or 'never'}")
            if relay["last_failure_at"]:
                lines.append(
                    f"            last failure {relay['last_failure_at']} "
                    f"({relay['last_failure_code']})"
                )
    return lines


def cmd_status(args: argparse.Namespace) -> int:
    from sync.server.domain import health
    from sync.server.runner import open_server

    server = open_server(Path(args.data))
    try:
        doc = health.report(server)
    finally:
        server.store.close()
    if args.json:
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        print("\n".join(status_lines(doc)))
    return 0 if doc["status"] == "ok" else 1


def unit_text(
    data: Path, *, user: str, host: str, port: int, environment_file: str | None = None
) -> str:
    """The systemd unit for this data directory, from the template shipped in the package."""
    loaded = load_data_dir(data)
    try:
        group = grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name
    except KeyError:
        raise ServerSetupError(f"no user {user!r} on this machine (--user)") from None
    template = resources.files("sync.server").joinpath("systemd", UNIT_NAME).read_text("utf-8")
    env = f"EnvironmentFile={environment_file}\n" if environment_file else ""
    return string.Template(template).substitute(
        level=loaded.config.level,
        name=loaded.config.name,
        docs=Path(__file__).resolve().parents[1] / "README.md",
        user=user,
        group=group,
        python=sys.executable,
        data=data.resolve(),
        host=host,
        port=port,
        environment=env,
    )


def cmd_install_service(args: argparse.Namespace) -> int:
    data = Path(args.data)
    if not data.is_dir():
        raise ServerSetupError(f"data directory {data} does not exist")
    user = args.user or pwd.getpwuid(data.stat().st_uid).pw_name
    text = unit_text(
        data, user=user, host=args.host, port=args.port, environment_file=args.environment_file
    )
    if args.output == "-":
        sys.stdout.write(text)
        return 0
    out = Path(args.output) if args.output else DEFAULT_UNIT_DIR / UNIT_NAME
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ServerSetupError(f"cannot write {out}: {exc.strerror} (run as root?)") from exc
    print(f"wrote {out} (runs as {user}, data {data.resolve()}, port {args.port})")
    print(f"then: systemctl daemon-reload && systemctl enable --now {out.name}")
    return 0


def add_commands(command: Callable[..., argparse.ArgumentParser]) -> None:
    p = command("status", cmd_status, "is this server healthy? (the same as GET /v1/health)")
    p.add_argument("--json", action="store_true", help="the health document as JSON")
    p = command(
        "install-service", cmd_install_service, "write a systemd unit that runs this server"
    )
    p.add_argument("--user", help="the account the server runs as (default: the data dir's owner)")
    p.add_argument("--host", default="0.0.0.0")
    p.add_argument("--port", type=int, default=8443)
    p.add_argument(
        "--output",
        help=f"where to write the unit (default {DEFAULT_UNIT_DIR / UNIT_NAME}; - = stdout)",
    )
    p.add_argument(
        "--environment-file", help="an EnvironmentFile= for the unit (e.g. a passphrase variable)"
    )
