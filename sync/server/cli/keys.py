"""``rotate-key``, ``reencrypt`` (the key hierarchy, ``keyring.py``), ``grant`` /
``revoke-permission`` (``domain/access.py``) and ``duplicates`` (``domain/lookups.py``)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sync import crypto
from sync.server import keyring
from sync.server.config import load_data_dir
from sync.server.errors import ServerSetupError, SyncError


def _server(args: argparse.Namespace) -> Any:  # -> Server (imported lazily, like cli/main.py)
    from sync.server.runner import open_server

    return open_server(Path(args.data))


def cmd_rotate_key(args: argparse.Namespace) -> int:

    path = Path(args.data)
    data = load_data_dir(path)
    if args.crypto_suite and data.signing_suite != args.crypto_suite:
        _move_suite(path, args.crypto_suite)
        data = load_data_dir(path)
    ring = data.keys
    provider: keyring.KeyProvider | None = None
    source = keyring.current_source()
    suite = args.crypto_suite or ring.suite
    if args.new_master_key_file:
        target = Path(args.new_master_key_file).resolve()
        if target.is_relative_to(path.resolve()):
            raise ServerSetupError("the new master key file must not be in the data directory")
        provider = keyring.KeyFileProvider.create(target, keyring.wrap_of(suite))
        source = keyring.KeySource(key_file=target)
    elif args.new_passphrase_file:
        source = keyring.KeySource(passphrase_file=Path(args.new_passphrase_file))
        passphrase = source.passphrase(required=True)
        assert passphrase is not None
        provider = keyring.PassphraseProvider.create(passphrase, keyring.wrap_of(suite))
    kid = ring.add_data_key(suite)
    ring.save(provider)
    if args.crypto_suite and data.config.crypto_suite != args.crypto_suite:
        data.config.crypto_suite = args.crypto_suite
        data.save_config()
    with keyring.use_source(source):  # the rest of the command under the new master key
        return _after_rotation(args, path, ring, kid)


def _move_suite(path: Path, suite: str) -> None:
    """Signing and sealing keys to ``suite``: registered at the province first (when linked),
    then switched here, then every device is sent the new keys through its signed inbox."""
    from sync.server.config import rotate_server_keys
    from sync.server.domain import audit_log, rekey
    from sync.server.domain.relay import register_key_at_province

    server = _server(argparse.Namespace(data=str(path)))
    old = crypto.key_id(server.signing_public)
    try:
        rotate_server_keys(server.data, suite, lambda key: register_key_at_province(server, key))
    except SyncError as exc:
        raise ServerSetupError(
            f"the province did not take the new key ({exc.code}: {exc}); nothing was changed, "
            "try again when the province can be reached"
        ) from exc
    finally:
        server.store.close()
    server = _server(argparse.Namespace(data=str(path)))
    try:
        with server.store.write() as conn:
            audit_log.append(conn, "server_keys_rotated", "admin", "keys", {"suite": suite})
        moving = rekey.announce(server)
    finally:
        server.store.close()
    print(f"signing and sealing keys moved to the {suite} suite (signing key "
          f"{crypto.key_id(server.signing_public)}; the old one {old} is kept to verify what it "
          f"signed); {moving} device(s) get the new keys with their next sync and re-key")  # fmt: skip
    print("restart 'uniondesk-server serve' so that it signs and opens with the new keys")


def _after_rotation(args: argparse.Namespace, path: Path, ring: keyring.Keyring, kid: str) -> int:
    from sync.server.domain import audit_log

    server = _server(args)
    with server.store.write() as conn:
        detail = {"data_key": kid, "master": ring.provider.describe()["kind"],
                  "suite": ring.key_suites.get(kid, ring.suite)}  # fmt: skip
        audit_log.append(conn, "key_rotated", "admin", "keyring", detail)
    print(f"new data key {kid}; keyring re-wrapped by the {keyring.describe_master(path, ring)}")
    if args.reencrypt:
        return _reencrypt(server, args)
    print(f"values sealed before stay readable; 'uniondesk-server reencrypt --data {args.data}' "
          "re-seals them with the new key")  # fmt: skip
    print("a running serve moves to the new data key within a second; its next start needs "
          "the master key the keyring is wrapped by now")  # fmt: skip
    return 0


def _reencrypt(server: Any, args: argparse.Namespace) -> int:
    from sync.server.domain import audit_log
    from sync.server.domain.reencrypt import keys_in_use, reencrypt

    def show(p: Any) -> None:  # a live counter on a terminal only
        print(f"\rre-sealed {p.resealed} value(s)…", end="", flush=True)

    live = sys.stdout.isatty()
    progress = reencrypt(server.store, server.sealer, on_slice=show if live else None)
    if live:
        print()
    ring = keyring.load(server.data.path)  # as rotate-key left it
    unused = sorted(set(ring.data_keys) - keys_in_use(server.store) - {ring.current})
    dropped = ring.drop_data_keys(keys_in_use(server.store)) if args.drop_unused else []
    if dropped:
        ring.save()
    with server.store.write() as conn:
        detail = {"resealed": progress.resealed, "dropped": ",".join(dropped)}
        audit_log.append(conn, "reencrypted", "admin", "keyring", detail)
    print(f"re-sealed {progress.resealed} value(s) with data key {ring.current}"
          + (f"; dropped unused key(s) {', '.join(dropped)}" if dropped else ""))  # fmt: skip
    if unused and not dropped:
        print(f"no stored value uses {', '.join(unused)} any more; 'uniondesk-server reencrypt "
              f"--data {args.data} --drop-unused' removes it from the keyring once every "
              "running server has moved to the new key (about a second after rotate-key)")  # fmt: skip

    return 0


def cmd_reencrypt(args: argparse.Namespace) -> int:
    return _reencrypt(_server(args), args)


def cmd_grant(args: argparse.Namespace) -> int:
    from sync.server.domain.access import set_permission

    held = set_permission(_server(args).store, args.device_id, args.permission, True)
    print(f"device {args.device_id} now holds: {' '.join(sorted(held))}")
    return 0


def cmd_revoke_permission(args: argparse.Namespace) -> int:
    from sync.server.domain.access import set_permission

    held = set_permission(_server(args).store, args.device_id, args.permission, False)
    print(f"device {args.device_id} now holds: {' '.join(sorted(held)) or 'no permissions'}")
    return 0


def cmd_duplicates(args: argparse.Namespace) -> int:
    from sync.server.domain.lookups import duplicate_people

    groups = duplicate_people(_server(args), field=args.field, form_id=args.form)
    if args.json:
        print(json.dumps([[h.__dict__ for h in g] for g in groups], ensure_ascii=False, indent=2))
        return 0
    for n, group in enumerate(groups, 1):
        print(f"{n}. one {args.field} in {len(group)} records:")
        for h in group:
            print(f"   {h.record_uuid} v{h.version}  {h.org_unit}")
    print(f"{len(groups)} group(s) of records sharing one {args.field}")
    return 0


def add_commands(command: Callable[..., argparse.ArgumentParser]) -> None:
    from sync.server.domain.access import PERMISSIONS

    p = command(
        "rotate-key",
        cmd_rotate_key,
        "new data key (and optionally a new master key); --reencrypt re-seals the stored values",
    )
    new = p.add_mutually_exclusive_group()
    new.add_argument(
        "--new-master-key-file", metavar="FILE", help="wrap the keyring by this key file"
    )
    new.add_argument(
        "--new-passphrase-file", metavar="FILE", help="wrap the keyring by this passphrase"
    )
    p.add_argument(
        "--reencrypt", action="store_true", help="re-seal every stored value now (resumable)"
    )
    p.add_argument(
        "--crypto-suite",
        choices=("intl", "gm"),
        help="the new data key's suite (gm: SM4-GCM); values sealed before keep opening. On a "
        "server whose signing keys are of another suite, they move too (gm: SM2): the province "
        "is told first, devices re-key through their inbox, earlier signatures stay verifiable",
    )
    p.add_argument(
        "--drop-unused", action="store_true", help="with --reencrypt: then forget unused keys"
    )
    p = command(
        "reencrypt", cmd_reencrypt, "re-seal the values still sealed with an older data key"
    )
    p.add_argument("--drop-unused", action="store_true", help="then forget keys nothing uses")
    for name, func, what in (("grant", cmd_grant, "give a device a permission"),
                             ("revoke-permission", cmd_revoke_permission, "take it back")):  # fmt: skip
        p = command(name, func, what)
        p.add_argument("device_id")
        p.add_argument("permission", choices=PERMISSIONS)
    p = command("duplicates", cmd_duplicates, "records sharing one sensitive value (blind index)")
    p.add_argument("--field", default="id_number")
    p.add_argument("--form", default="member")
    p.add_argument("--json", action="store_true")
