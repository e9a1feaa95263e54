"""The ``uniondesk-server`` command: set up and run a county or provincial server.

    uniondesk-server init --level county --name NAME --data DIR [--code CODE]
    uniondesk-server serve --data DIR [--host 127.0.0.1 --port 8443] [--level county]
                           [--relay-every SECONDS]
    uniondesk-server add-org-unit --data DIR --code CODE --name NAME [--parent CODE]
    uniondesk-server enroll-code --data DIR --org-unit CODE [--org-unit-name NAME] [--ttl-hours H]
    uniondesk-server revoke-device --data DIR DEVICE_ID
    uniondesk-server devices | batches | org-units --data DIR
    uniondesk-server publish-form --data DIR FILE.json
    uniondesk-server status --data DIR [--json]
    uniondesk-server install-service --data DIR [--user U] [--host H] [--port P] [--output FILE]
    uniondesk-server upgrade --data DIR [--no-backup]
    uniondesk-server audit-log --data DIR [--verify] [--json] [--limit N]

Every command with ``--data`` also takes ``--master-key-file FILE`` / ``--passphrase-file FILE``
(the master key that opens the keyring; ``sync/server/keyring.py``).

Problems a person can fix (missing data dir, port taken, wrong level) print one ``error:`` line
and exit with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sync.server.config import DEFAULT_SUITE, LEVELS, ServerSetupError, init_data_dir
from sync.server.keyring import KEY_FILE_ENV, PASSPHRASE_ENV, KeySource, describe_master, use_source


def _server(args: argparse.Namespace) -> Any:  # -> Server (imported lazily: init must stay fast)
    from sync.server.runner import open_server

    return open_server(Path(args.data))


def cmd_init(args: argparse.Namespace) -> int:
    from sync.server.runner import open_server, open_store

    code = args.code or "000000"
    if args.db:  # check the database before writing anything
        open_store(args.db).close()
    data = init_data_dir(
        Path(args.data),
        level=args.level,
        name=args.name,
        org_unit_code=code,
        hosts=args.host or None,
        db_url=args.db or "",
        crypto_suite=args.crypto_suite,
    )
    open_server(data.path).store.close()
    print(f"initialised {args.level} server {args.name!r} in {args.data}")
    print(f"CA certificate: {data.ca_path}")
    print(f"master key: {describe_master(data.path, data.keys)}")
    print(f"crypto suite: {data.config.crypto_suite} (signatures {data.signing_suite}, "
          f"field encryption {data.cipher.suite})")  # fmt: skip
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from sync.server.cli.keys import interrupted_move
    from sync.server.runner import serve_forever

    moving = interrupted_move(Path(args.data))
    if moving:
        raise ServerSetupError(
            f"a move to the {moving} crypto suite was cut short; finish it first with "
            f"'uniondesk-server rotate-key --data {args.data} --crypto-suite {moving}'"
        )
    serve_forever(
        Path(args.data),
        args.host,
        args.port,
        expect_level=args.level,
        relay_every=args.relay_every,
    )
    return 0


def cmd_add_org_unit(args: argparse.Namespace) -> int:
    server = _server(args)
    parent = args.parent or server.config.org_unit_code
    if server.store.org_unit(parent) is None:
        raise ServerSetupError(f"unknown parent org unit {parent}")
    server.add_org_unit(args.code, args.name, parent, args.kind)
    sent = server.publish_org_units()
    print(f"org unit {args.code} {args.name} (under {parent}); tree sent to {sent} device(s)")
    return 0


def cmd_enroll_code(args: argparse.Namespace) -> int:
    server = _server(args)
    if server.store.org_unit(args.org_unit) is None:
        if not args.org_unit_name:
            raise ServerSetupError(
                f"unknown org unit {args.org_unit}; give --org-unit-name to add it"
            )
        server.add_org_unit(
            args.org_unit, args.org_unit_name, server.config.org_unit_code, "township"
        )
    code = server.make_enroll_code(args.org_unit, role=args.role, ttl_hours=args.ttl_hours)
    print(code)
    return 0


def cmd_revoke_device(args: argparse.Namespace) -> int:
    server = _server(args)
    if server.store.device(args.device_id) is None:
        raise ServerSetupError(f"no device {args.device_id}")
    if server.revoke_device(args.device_id):
        server.log.info("device revoked device=%s", args.device_id)
        print(f"revoked {args.device_id}")
    else:
        print(f"{args.device_id} was already revoked")
    return 0


def cmd_devices(args: argparse.Namespace) -> int:
    for d in _server(args).store.list_devices():
        state = f"revoked {d.revoked_at}" if d.revoked_at else "active"
        perms = f" [{d.permissions}]" if getattr(d, "permissions", "") else ""
        print(
            f"{d.device_id}  {d.org_unit:<12} {d.role:<9} seq={d.last_seq:<6} {state}{perms}  "
            f"{d.label}"
        )
    return 0


def cmd_batches(args: argparse.Namespace) -> int:
    for b in _server(args).store.list_batches(args.device, args.limit):
        print(
            f"{b.received_at}  {b.batch_id}  device={b.device_id} seq={b.device_seq} "
            f"records={b.record_count} received={b.received_count} rejected={b.rejected_count}"
        )
    return 0


def cmd_org_units(args: argparse.Namespace) -> int:
    for u in _server(args).store.all_org_units():
        print(f"{u.code:<12} {u.kind:<10} parent={u.parent or '-':<12} {u.name}")
    return 0


def cmd_transfers(args: argparse.Namespace) -> int:
    from sync.server.domain.transfers import transfer_rows

    for t in transfer_rows(_server(args)):
        if args.state and t.state != args.state:
            continue
        answered = f"answered {t.answered_at}" if t.answered_at else "open"
        print(
            f"{t.created_at}  {t.transfer_id}  {t.from_org_unit:<12} -> {t.to_org_unit:<12} "
            f"{t.state:<9} {answered}"
        )
    return 0


def cmd_publish_form(args: argparse.Namespace) -> int:
    server = _server(args)
    import forms

    try:
        raw = json.loads(Path(args.file).read_text(encoding="utf-8"))
        form = server.forms.publish(raw)
    except (OSError, ValueError, forms.DefinitionError) as exc:
        raise ServerSetupError(f"cannot publish {args.file}: {exc}") from exc
    sent = server.broadcast("form_definition", {"definition": form.raw})
    print(f"published {form.id} v{form.version}; queued for {sent} device(s)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="uniondesk-server",
        description="UnionDesk county / provincial sync server.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, func: Any, help_: str, data: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        if data:
            p.add_argument("--data", required=True, help="server data directory")
            keys = p.add_argument_group("master key (default: DATA.master.key beside DATA)")
            keys.add_argument(
                "--master-key-file",
                metavar="FILE",
                help=f"the master key file, kept off the data directory (or {KEY_FILE_ENV})",
            )
            keys.add_argument(
                "--passphrase-file",
                metavar="FILE",
                help=f"a file holding the master passphrase (or {PASSPHRASE_ENV}; else a prompt)",
            )
        p.set_defaults(func=func)
        return p

    p = command("init", cmd_init, "create a server data directory (keys, CA, TLS, database)")
    p.add_argument("--level", required=True, choices=LEVELS)
    p.add_argument("--name", required=True, help="e.g. 西湖区总工会")
    p.add_argument("--code", help="the server's own org unit code (division code)")
    p.add_argument("--host", action="append", help="TLS host name / IP (repeatable)")
    p.add_argument("--db", help="database URL (default: SQLite in the data directory)")
    p.add_argument(
        "--crypto-suite",
        choices=("intl", "gm"),
        default=DEFAULT_SUITE,
        help=f"the server's crypto suite (default {DEFAULT_SUITE}): gm = SM2 signatures, SM3 "
        "hashes, SM2 + SM4-GCM batch sealing, SM4-GCM field encryption, HMAC-SM3 index; "
        "intl = Ed25519, SHA-256, HPKE, AES-256-GCM, HMAC-SHA256 (docs/CRYPTO.md)",
    )

    p = command("serve", cmd_serve, "run the server over HTTPS")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8443)
    p.add_argument("--level", choices=LEVELS, help="refuse to start unless the data is this level")
    p.add_argument(
        "--relay-every",
        type=float,
        metavar="SECONDS",
        help="county: send accepted records to the province every SECONDS in the background "
        "(default 300 once the county is enrolled with relay-enroll; 0 = off, e.g. when "
        "'uniondesk-server relay' runs from cron); a failed run is retried with growing pauses",
    )

    p = command("add-org-unit", cmd_add_org_unit, "add or rename an org unit")
    p.add_argument("--code", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--parent", help="parent code (default: the server's own unit)")
    p.add_argument("--kind", default="township")

    p = command("enroll-code", cmd_enroll_code, "print a one-time, expiring enrollment code")
    p.add_argument("--org-unit", required=True)
    p.add_argument("--org-unit-name", help="add the org unit with this name if it is new")
    p.add_argument("--role", default="township", choices=("township", "reviewer", "county"))
    p.add_argument("--ttl-hours", type=float, help="validity (default from config: 72)")

    p = command("revoke-device", cmd_revoke_device, "cut a device off")
    p.add_argument("device_id")

    command("devices", cmd_devices, "list enrolled devices")
    p = command("batches", cmd_batches, "list received batches, newest first")
    p.add_argument("--device")
    p.add_argument("--limit", type=int, default=50)
    command("org-units", cmd_org_units, "list the org-unit tree")
    p = command("transfers", cmd_transfers, "list membership transfers between townships")
    p.add_argument("--state", choices=("offered", "accepted", "refused", "withdrawn"))
    p = command("publish-form", cmd_publish_form, "publish a form definition to every device")
    p.add_argument("file")
    from sync.server.cli import audit, keys, ops, relay, report, schema  # one module per concern

    relay.add_commands(command)
    ops.add_commands(command)
    schema.add_commands(command)
    keys.add_commands(command)
    audit.add_commands(command)
    report.add_commands(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    key_file = getattr(args, "master_key_file", None)
    passphrase_file = getattr(args, "passphrase_file", None)
    source = KeySource(
        key_file=Path(key_file) if key_file else None,
        passphrase_file=Path(passphrase_file) if passphrase_file else None,
    )
    try:
        with use_source(source):
            return int(args.func(args) or 0)
    except ServerSetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
